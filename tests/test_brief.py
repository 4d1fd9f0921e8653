"""The brief (md and html) of a selection: what a colleague reading it checks.

Counts, key entities and events are of the exported articles, not of the dossier; the wire
service and the backdrop are not key entities; quotes are whole sentences of hard-wrapped
bodies; the same wire resent is one event with both sources; the HTML brief says everything
the Markdown one does; the HTML timeline has a labelled date axis and no label past an edge."""

from __future__ import annotations

import html as htmllib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from dossier_helpers import make_article

from dossier.cli import main
from dossier.export.html import CHAR_WIDTH
from dossier.model import Entity, Event, Link, Mention
from dossier.store import Store

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def add(store: Store, title: str, body: str, names: dict[str, str],
        events: list[tuple[str, str, str | None]] = (), **kw) -> int:
    """An article with every occurrence of each name marked, and events given as
    (date text as in the body, ISO date or None, evidence sentence start text)."""
    entities, mentions = [], []
    for name, kind in names.items():
        found = store.find_entities(name)
        entities.append(found[0] if found else Entity(name=name, kind=kind))
        start = body.find(name)
        while start >= 0:
            mentions.append((len(entities) - 1, Mention(None, None, start, start + len(name),
                                                        name)))
            start = body.find(name, start + 1)
    evs = []
    for date_text, iso, evidence in events:
        at = body.index(date_text)
        ev_start = body.index(evidence)
        ev_end = body.index(".", at) + 1
        involved = [i for i, name in enumerate(names) if name in body[ev_start:ev_end]]
        evs.append((Event(title=f"Event of {date_text}", date_start=iso,
                          precision="day" if iso else "unknown", date_text=date_text,
                          resolution="absolute" if iso else "unresolved",
                          date_start_char=at, date_end_char=at + len(date_text),
                          evidence_start=ev_start, evidence_end=ev_end), involved))
    return store.ingest_article(make_article(title, body, **kw), entities, mentions, evs)


def cli(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def md_text(path: Path) -> str:
    return re.sub(r"\\(.)", r"\1", path.read_text(encoding="utf-8"))


def html_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    page = re.sub(r"</?(?:strong|em|span)[^>]*>", "", page)  # inline: no break
    return htmllib.unescape(re.sub(r"<[^>]+>", "\n", page))


# ----------------------------------------------------------------- counts of the selection


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Path:
    """15 relevant articles from Reuters about the broker, 40 others naming the United
    States again and again; China in every relevant article."""
    path = tmp_path_factory.mktemp("brief") / "story.db"
    store = Store.open(path, create=True)
    for n in range(15):
        body = (f"WASHINGTON (Reuters) - The Treasury sanctioned Ashot Mkrtychev on 3 March "
                f"2023, Reuters reports. China was named. The United States acted. Item {n}.")
        if n == 0:
            body += " Mkrtychev met Kim Jong Un on 9 February 2023."
        aid = add(store, f"Broker story {n}", body,
                  {"Ashot Mkrtychev": "person", "Treasury": "organisation",
                   "Reuters": "organisation", "China": "place", "United States": "place",
                   "Kim Jong Un": "person"},
                  [("3 March 2023", "2023-03-03", "WASHINGTON")]
                  + ([("9 February 2023", "2023-02-09", "Mkrtychev met")] if n == 0 else []),
                  source="Reuters", published="2023-03-04", published_precision="day")
        store.set_tag("ana", [("article", aid)], "triage", "relevant", exclusive=True)
    for n in range(40):
        add(store, f"Other {n}", "The United States said. " * 9 + f"Nothing {n}. The United "
            "States met on 1 May 2020.", {"United States": "place"},
            [("1 May 2020", "2020-05-01", f"Nothing {n}")],
            source="Other Outlet", published="2020-05-02", published_precision="day")
    tagged = store.find_entities("Treasury")[0]
    store.set_tag("ana", [("entity", tagged.id)], "role", "sanctioned")
    store.close()
    return path


def test_counts_and_events_are_those_of_the_exported_articles(story, tmp_path):
    out = tmp_path / "brief.md"
    cli("export", story, "-f", "md", "-o", out, "--tag", "triage:relevant")
    text = md_text(out)
    assert text.startswith("# ") and "15 articles" in text
    assert "Counts are of the 15 articles exported" in text
    # 15 relevant articles name the United States once each; the dossier 15 + 400 times
    assert "United States (15 of 15)" in text
    assert "415" not in text and "400" not in text
    assert "**Ashot Mkrtychev** (person, 15 mentions in 15 articles)" in text
    assert "2020-05-01" not in text  # the other articles' events stay out
    assert "**2023-02-09**" in text


def test_the_wire_service_and_the_backdrop_are_not_key_entities(story, tmp_path):
    out = tmp_path / "brief.md"
    cli("export", story, "-f", "md", "-o", out, "--tag", "triage:relevant")
    text = md_text(out)
    key = text.split("## Key entities", 1)[1].split("\n## ", 1)[0]
    backdrop = key.split("### Named in nearly every article", 1)[1]
    key = key.split("### Named", 1)[0]
    assert "**Reuters**" not in key and "Reuters (" not in backdrop  # the wire: nowhere
    assert "**China**" not in key and "China (15 of 15)" in backdrop
    # tagged by the analyst: key whatever its spread; named in one article: key
    assert "**U.S. Department" in key or "**Treasury** (organisation" in key
    assert "[role: sanctioned]" in key
    assert "**Kim Jong Un** (person, 1 mentions in 1 article)" in key
    assert key.index("**Treasury**") < key.index("**Kim Jong Un**")  # the tagged first


# ----------------------------------------------------------------- quotes, duplicates, parity


@pytest.fixture(scope="module")
def wires(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wires") / "wires.db"
    store = Store.open(path, create=True)
    wrapped = ("Officials met in Vienna. The U.S. Department of the Treasury said on\n"
               "Thursday, 2 March 2023, it sanctioned Ashot\nMkrtychev, a Slovakian "
               "national, for arms\ndeals with North Korea. Markets were calm.")
    names = {"Mkrtychev": "person", "North Korea": "place",
             "U.S. Department of the Treasury": "organisation"}
    first = add(store, "Treasury sanctions broker", wrapped, names,
                [("2 March 2023", "2023-03-02", "Mkrtychev, a Slovakian")],
                source="Wire A", published="2023-03-03", published_precision="day",
                url="https://a.example/1", author="Jo Reporter")
    resent = wrapped.replace("Markets were calm.", "Markets were quiet.").replace(
        "Officials met in Vienna.", "UPDATE 1.")
    add(store, "Treasury sanctions broker (update)", resent, names,
        [("2 March 2023", "2023-03-02", "Mkrtychev, a Slovakian")],
        source="Wire B", published="2023-03-03", published_precision="day")
    add(store, "Another day", "The broker left on 5 March 2023 for Bratislava. Then he "
        "returned later.", {"Bratislava": "place"},
        [("5 March 2023", "2023-03-05", "The broker left"), ("later", None, "Then he")],
        source="Wire A")
    broker = store.find_entities("Mkrtychev")[0]
    store.set_entity_description("ana", broker.id, "Arms broker, Slovakia")
    store.add_alias("ana", broker.id, "Ashot Mkrtychev")
    korea = store.find_entities("North Korea")[0]
    start = wrapped.index("it sanctioned")
    store.add_link("ana", Link("entity", broker.id, "brokered deal with", "entity", korea.id,
                               note="weapons for Russia", evidence_article_id=first,
                               evidence_start=start, evidence_end=start + 20))
    store.close()
    return path


SENTENCE = ("The U.S. Department of the Treasury said on Thursday, 2 March 2023, it sanctioned "
            "Ashot Mkrtychev, a Slovakian national, for arms deals with North Korea.")


def test_quotes_are_whole_sentences_of_a_hard_wrapped_body(wires, tmp_path):
    """The evidence was cut at line ends ("Mkrtychev, a Slovakian national, for arms"); the
    quote is the sentence, its line ends spaces, in md and html alike."""
    cli("export", wires, "-f", "md", "-o", tmp_path / "b.md")
    cli("export", wires, "-f", "html", "-o", tmp_path / "b.html")
    md, page = md_text(tmp_path / "b.md"), html_text(tmp_path / "b.html")
    assert f"  > {SENTENCE}\n" in md
    assert SENTENCE in page
    assert "Officials met" not in md and "Markets were" not in md
    # the link's evidence ("it sanctioned Ashot") is quoted whole too
    link = md.split("## Links", 1)[1]
    assert SENTENCE in link and "note: weapons for Russia" in link


def test_the_same_wire_resent_is_one_event_with_both_sources(wires, tmp_path):
    cli("export", wires, "-f", "md", "-o", tmp_path / "b.md")
    md = md_text(tmp_path / "b.md")
    timeline = md.split("## Timeline", 1)[1].split("### ", 1)[0]
    assert timeline.count("**2023-03-02**") == 1
    assert "> — Wire A, “Treasury sanctions broker”, 2023-03-03" in timeline
    assert "> — Wire B, “Treasury sanctions broker (update)”, 2023-03-03" in timeline
    assert timeline.count("**2023-03-05**") == 1
    assert "2 dated events" in md


def test_the_html_brief_says_everything_the_markdown_one_does(wires, tmp_path):
    cli("export", wires, "-f", "md", "-o", tmp_path / "b.md")
    cli("export", wires, "-f", "html", "-o", tmp_path / "b.html")
    md, page = md_text(tmp_path / "b.md"), html_text(tmp_path / "b.html")
    flat_page = " ".join(page.split())
    pieces = []
    for line in md.splitlines():
        line = re.sub(r"^(#+ |- |  - |  > — |  > )", "", line).replace("**", "")
        line = re.sub(r"(?<!\w)\*([^*]+)\*", r"\1", line)
        if line.strip():
            pieces.append(" ".join(line.split()))
    missing = [p for p in pieces if p not in flat_page]
    assert not missing, missing
    # what the HTML brief once dropped, each named
    for part in ("— Wire B, “Treasury sanctions broker (update)”", "involves: ",
                 "“later”", "also: Ashot Mkrtychev", "Arms broker, Slovakia",
                 "note: weapons for Russia", "https://a.example/1", "Jo Reporter"):
        assert part in flat_page, part


def _extent(node: ET.Element) -> tuple[float, float]:
    x = float(node.get("x"))
    width = len(node.text or "") * float(node.get("font-size")) * CHAR_WIDTH
    anchor = node.get("text-anchor", "start")
    if anchor == "end":
        return x - width, x
    if anchor == "middle":
        return x - width / 2, x + width / 2
    return x, x + width


def test_the_html_timeline_has_a_labelled_axis_and_no_label_past_an_edge(tmp_path):
    path = tmp_path / "long.db"
    store = Store.open(path, create=True)
    for year in (2019, 2021, 2023):
        title = f"A long sentence about the year {year} that goes on and on for a while. "
        add(store, f"Year {year}", title + f"It ended on 31 December {year}.", {},
            [(f"31 December {year}", f"{year}-12-31", "It ended")])
    store.close()
    out = tmp_path / "t.html"
    cli("export", path, "-f", "html", "-o", out)
    svg = re.search(r"<svg[^>]*aria-label=\"timeline\".*?</svg>", out.read_text(), re.S)[0]
    root = ET.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    ns = "{http://www.w3.org/2000/svg}"
    axis = [t for t in root.iter(f"{ns}text") if t.get("class") == "axis-label"]
    labels = [t for t in root.iter(f"{ns}text") if t.get("class") == "event-label"]
    assert [t.text for t in axis][:3] == ["2020", "2021", "2022"] or \
        {"2020", "2022"} <= {t.text for t in axis}, [t.text for t in axis]
    assert len(labels) == 3
    for node in axis + labels:
        left, right = _extent(node)
        assert 0 <= left and right <= width, (node.text, left, right, width)
