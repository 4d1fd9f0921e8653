"""A stranger's dossier with terminal escapes in every text column of every table.

Built through the store (so it loads), then rewritten with plain sqlite3 as a hostile program
would: CHECK constraints bypassed, an OSC 52 clipboard write and an OSC 0 title change (BEL-,
ST- and C1-terminated) at the front of every string, inside the strings of the JSON and YAML
columns, and in extra rows where a column holds the structure the app needs (kinds, states).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import yaml
from dossier_helpers import make_article

from dossier.model import Entity, Event, Link, Mention, RemovedLine
from dossier.store import Store
from dossier.tagsets import load_tagsets, remember

CLIPBOARD = "SGFja2Vk"  # base64 of "Hacked": what a clipboard write would leave behind
TITLE = "PWNED"
PAYLOAD = (f"\x1b]52;c;{CLIPBOARD}\x07\x1b]0;{TITLE}\x07"  # BEL-terminated
           f"\x1b]52;p;{CLIPBOARD}\x1b\\\x1b]2;{TITLE}\x1b\\"  # ST-terminated
           f"\x9d52;c;{CLIPBOARD}\x9c\x9d0;{TITLE}\x9c")  # C1 OSC and ST
ANALYST = "ana"  # the analyst the tests run the app as: their latest change is undoable

# Columns that hold the structure the app reads the rest by: the payload goes into extra rows
# (so what the app shows stays reachable), not into the rows the panes show.
STRUCTURAL = {("meta", "key"), ("taggings", "target_kind"), ("links", "from_kind"),
              ("links", "to_kind"), ("journal", "table_name"), ("journal", "state"),
              ("journal", "target_kind")}
# Columns with a CHECK (an enum): a hostile program bypasses it, an import does not.
CHECKED = {("articles", "published_precision"), ("entities", "kind"), ("aliases", "origin"),
           ("mentions", "origin"), ("events", "precision"), ("events", "resolution")}
JSON_COLUMNS = {("articles", "removed"), ("journal", "before"), ("journal", "after")}
SKIPPED_META = {"application", "schema_version"}  # another value is another program's file


def poison(value: object, keep: frozenset[str] = frozenset()) -> object:
    """Every string in a JSON or YAML structure with the payload in front (but the values of
    the keys in `keep`)."""
    if isinstance(value, str):
        return PAYLOAD + value
    if isinstance(value, list):
        return [poison(v, keep) for v in value]
    if isinstance(value, dict):
        return {k: v if k in keep else poison(v, keep) for k, v in value.items()}
    return value


def poison_tagsets(text: str) -> str:
    """The remembered tag sets with hostile names and descriptions: new sets beside the
    default ones, so without hotkeys (two sets may not share one)."""
    data = poison(yaml.safe_load(text), frozenset({"applies_to", "from", "to", "color",
                                                   "exclusive"}))
    for tagset in data.get("tagsets", []):
        for tag in tagset.get("tags", []):
            tag.pop("key", None)
    return yaml.safe_dump(data, allow_unicode=True)


def text_columns(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, column) of every TEXT column of every table the program created."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'articles_fts%'")]
    return [(t, c[1]) for t in tables for c in conn.execute(f"PRAGMA table_info({t})")
            if c[2].upper() == "TEXT"]


def build(path: Path, *, analyst: str = ANALYST, bypass_checks: bool = True
          ) -> list[tuple[str, str]]:
    """Write the hostile dossier; return the (table, column) pairs it poisoned. Without
    `bypass_checks`, every row is one the schema accepts (as a JSON export's must be)."""
    store = Store.open(path, create=True)
    body = ("Ashot Mkrtychev met Treasury officials in Slovakia last week. "
            "He brokered arms deals in 2022.")
    people = [Entity("Ashot Mkrtychev", "person", description="a broker"),
              Entity("Treasury", "organisation"), Entity("Slovakia", "place")]
    mentions = [(i, Mention(None, None, body.index(e.name), body.index(e.name) + len(e.name),
                            e.name)) for i, e in enumerate(people)]
    event = Event(title="meeting", date_start="2023-03-27", date_text="last week",
                  resolution="relative", evidence_start=0, evidence_end=body.index(".") + 1)
    first = store.ingest_article(
        make_article("Broker met officials", body, source="Outlet", author="A. Writer",
                     url="https://example.org/a", published="2023-04-03",
                     published_precision="day", origin="a.txt",
                     removed=[RemovedLine("caption", "Photo: somebody", 3)]),
        people, mentions, [(event, [0, 2])])
    second = store.ingest_article(
        make_article("Second story", "Slovakia again, on Monday.", source="Other",
                     published="2023-05", published_precision="month"),
        [people[2]], [(0, Mention(None, None, 0, 8, "Slovakia"))],
        [(Event(title="unresolved thing", date_start=None, date_text="on Monday",
                resolution="unresolved"), [0])])
    tagsets = load_tagsets()
    remember(store, tagsets)
    store.set_meta("title", "A dossier")
    ents = {e.name: e.id for e in store.list_entities(0, 10)}
    store.set_tag(analyst, [("article", first)], "triage", "relevant", exclusive=True)
    store.set_tag(analyst, [("entity", ents["Ashot Mkrtychev"])], "role", "broker")
    (event_id,) = [e.id for e in store.list_events(0, 10) if e.title == "meeting"]
    store.set_tag(analyst, [("event", event_id)], "confidence", "confirmed", exclusive=True)
    store.add_link(analyst, Link("entity", ents["Ashot Mkrtychev"], "brokered deal with",
                                 "entity",
                                 ents["Treasury"], note="at the ministry",
                                 evidence_article_id=first, evidence_start=0,
                                 evidence_end=body.index(".") + 1))
    store.add_link(analyst, Link("article", first, "same story", "article", second))
    store.set_tag(analyst, [("article", second)], "triage", "noise", exclusive=True)
    store.close()

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    columns = text_columns(conn)
    for table, column in columns:
        if (table, column) in STRUCTURAL or (not bypass_checks and (table, column) in CHECKED):
            continue
        if (table, column) in JSON_COLUMNS:
            for row_id, value in conn.execute(f'SELECT id, "{column}" FROM {table}').fetchall():
                if value is not None:
                    conn.execute(f'UPDATE {table} SET "{column}" = ? WHERE id = ?',
                                 (json.dumps(poison(json.loads(value))), row_id))
            continue
        if table == "meta":
            for key, value in conn.execute("SELECT key, value FROM meta").fetchall():
                if key == "tagsets":
                    value = poison_tagsets(value)
                elif key not in SKIPPED_META:
                    value = PAYLOAD + value
                conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
            continue
        if (table, column) == ("journal", "analyst"):
            # The analyst's own latest change stays theirs, so `u` tries it (and finds the
            # tagging it names changed since: the conflict notice quotes the file).
            conn.execute("UPDATE journal SET analyst = ? || analyst WHERE batch < "
                         "(SELECT max(batch) FROM journal)", (PAYLOAD,))
            continue
        conn.execute(f'UPDATE {table} SET "{column}" = ? || coalesce("{column}", \'\')',
                     (PAYLOAD,))
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    # The structural columns, in rows of their own.
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (PAYLOAD, PAYLOAD))
    if not bypass_checks:
        conn.commit()
        conn.close()
        return [c for c in columns if c not in CHECKED]
    conn.execute("INSERT INTO taggings (target_kind, target_id, tagset, tag, analyst, "
                 "created_at) VALUES (?, 1, ?, ?, ?, ?)",
                 (PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD))
    conn.execute("INSERT INTO links (from_kind, from_id, relation, to_kind, to_id, analyst, "
                 "created_at) VALUES (?, 1, ?, ?, 1, ?, ?)",
                 (PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD))
    conn.execute("INSERT INTO journal (batch, at, analyst, action, table_name, row_id, state, "
                 "target_kind, target_id) VALUES (0, ?, ?, ?, ?, 1, ?, ?, 1)",
                 (PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return columns


def holds_control(text: str) -> list[str]:
    """The control characters (C0 but newline, DEL, C1) in `text`: what must never show."""
    return [c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
