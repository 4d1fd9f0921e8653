"""A small dossier written straight through the store: fixed content for screen pictures,
independent of how the ingest pipeline cleans and extracts."""

from __future__ import annotations

from pathlib import Path

from dossier.model import Article, Entity, Event, Mention, RemovedLine
from dossier.store import Store

PEOPLE = [Entity("Lena Varga", "person", aliases=["Varga"]),
          Entity("Baltic Freight Ltd", "organisation"),
          Entity("Gdansk", "place"),
          Entity("Operation Lantern", "other")]

ARTICLES = [
    (Article(title="Freight firm named in arms transfer probe", source="The Ledger",
             author="A. Writer", published="2024-03-12", published_precision="day",
             url="https://example.org/ledger/1", origin="ledger-1.txt",
             removed=[RemovedLine("caption", "A crane at the port, 2019."),
                      RemovedLine("boilerplate", "Related articles")],
             body="Baltic Freight Ltd moved crates through Gdansk in February, "
                  "investigators said.\n\nLena Varga, who runs the firm, denied any wrongdoing. "
                  "Varga said the cargo was farm machinery.\n\nThe inquiry, Operation Lantern, "
                  "began in 2023."),
     [("Baltic Freight Ltd", 1), ("Gdansk", 2), ("Lena Varga", 0), ("Varga said|", 0),
      ("Operation Lantern", 3)],
     [(Event("Crates moved through Gdansk", "2024-02", precision="month",
             date_text="in February", resolution="relative"), [1, 2]),
      (Event("Operation Lantern began", "2023", precision="year", date_text="in 2023"),
       [3])]),
    (Article(title="Port records show second shipment", source="Harbour Watch",
             published="2024-04", published_precision="month", origin="watch-2.txt",
             body="A second shipment left Gdansk on 2 April 2024, port records show. "
                  "Baltic Freight Ltd declined to comment. Lena Varga could not be reached."),
     [("Gdansk", 2), ("Baltic Freight Ltd", 1), ("Lena Varga", 0)],
     [(Event("Second shipment left Gdansk", "2024-04-02", precision="day",
             date_text="on 2 April 2024"), [1, 2]),
      (Event("A meeting at an unknown date", None, precision="unknown",
             resolution="unresolved"), [])]),
    (Article(title="Undated note on the inquiry", origin="note-3.txt",
             body="Operation Lantern widened its scope to other ports."),
     [("Operation Lantern", 3)], []),
]


def build(path: Path) -> Path:
    """Write the fixed dossier to `path` and return it."""
    store = Store.open(path, create=True)
    entities = [Entity(e.name, e.kind, aliases=list(e.aliases)) for e in PEOPLE]
    for number, (article, found, events) in enumerate(ARTICLES):
        article.content_hash = f"fixed-{number}"
        mentions = []
        for anchor, index in found:
            # "Varga said|": found where "Varga said" is, the mention being its first word.
            text = anchor.split(" ")[0] if anchor.endswith("|") else anchor
            start = article.body.index(anchor.rstrip("|"))
            mentions.append((index, Mention(None, None, start, start + len(text), text)))
        store.ingest_article(article, entities, mentions, events)
    store.close()
    return path
