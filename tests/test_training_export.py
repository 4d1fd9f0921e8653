"""Training data out: `--format spacy` (DocBin + JSONL) and `--format brat` (.txt + .ann),
read back with spaCy and with a strict .ann parser; offsets point at the same text."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.model import Entity, Link, Mention
from dossier.store import Store
from tests.dossier_helpers import make_article

# Non-ASCII, an emoji (outside the BMP), a CRLF, a tab and a vertical tab inside names, a name
# across a line end, and two mentions that overlap.
BODY = ("Ashot\nMkrtychev met Zoë Ørsted in Zürich 🙂🙂 on Monday.\r\n"
        "The North\tKorea deal was signed, the U.S. Treasury said.\x0bKim Jong Un agreed.")
OTHER = "Nothing about the story here: Zoë Ørsted went home to Zürich."


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


@pytest.fixture()
def dossier(tmp_path) -> Path:
    path = tmp_path / "d.db"
    store = Store.open(path, create=True)
    names = [("Ashot\nMkrtychev", "person"), ("Zoë Ørsted", "person"), ("Zürich", "place"),
             ("North\tKorea", "place"), ("U.S. Treasury", "organisation"),
             ("Treasury", "organisation"), ("Monday deal", "other")]
    entities = [Entity(name.replace("\n", " ").replace("\t", " "), kind) for name, kind in names]
    entities.append(Entity("Kim Jong Un", "person"))  # named by no mention until alice marks it
    mentions = [(i, Mention(None, None, *_span(BODY, name), name))
                for i, (name, _) in enumerate(names) if name in BODY]
    first = store.ingest_article(make_article("Brokers 🙂", BODY, source="Wire"), entities,
                                 mentions, [])
    other_mentions = [(1, Mention(None, None, *_span(OTHER, "Zoë Ørsted"), "Zoë Ørsted")),
                      (2, Mention(None, None, *_span(OTHER, "Zürich"), "Zürich"))]
    second = store.ingest_article(make_article("Elsewhere", OTHER), entities, other_mentions, [])
    broker, zoe, zurich, korea, treasury = (e.id for e in entities[:5])
    kim = entities[-1].id
    store.add_mention("alice", first, kim, *_span(BODY, "Kim Jong Un"))
    store.set_tag("bob", [("article", first)], "triage", "relevant", exclusive=True,
                  note="the\tcore\nstory")
    store.set_tag("bob", [("entity", broker)], "role", "broker")
    start, end = _span(BODY, "North\tKorea deal was signed")
    link = store.add_link("carol", Link("entity", broker, "brokered deal with", "entity", korea,
                                        evidence_article_id=first, evidence_start=0,
                                        evidence_end=end, note="seen\nin the wire"))
    store.set_tag("carol", [("link", link)], "confidence", "confirmed", exclusive=True)
    # Not relations: no evidence; evidence in an article not mentioning both; an article end.
    store.add_link("carol", Link("entity", zoe, "met", "entity", zurich))
    store.add_link("carol", Link("entity", broker, "met", "entity", zurich,
                                 evidence_article_id=second, evidence_start=0, evidence_end=10))
    store.add_link("carol", Link("article", first, "same story", "article", second,
                                 evidence_article_id=first, evidence_start=0, evidence_end=5))
    store.add_link("carol", Link("entity", treasury, "part of", "entity", zurich,
                                 evidence_article_id=first, evidence_start=start,
                                 evidence_end=end))
    store.close()
    return path


def export(path: Path, fmt: str, out: Path, *extra: str):
    return CliRunner().invoke(main, ["export", str(path), "-f", fmt, "-o", str(out), *extra])


def bodies(path: Path) -> dict[int, str]:
    store = Store.open(path, readonly=True)
    try:
        return {a["id"]: a["body"] for a in store.iter_rows("articles")}
    finally:
        store.close()


# ----------------------------------------------------------------- spaCy


def test_spacy_docbin_loads_and_every_span_is_the_body_slice(dossier, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train"
    result = export(dossier, "spacy", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["train.jsonl", "train.spacy"]
    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab))
    texts = bodies(dossier)
    assert [d.text for d in docs] == [texts[1], texts[2]]  # the body exactly, CRLF and all
    doc = docs[0]
    spans = list(doc.spans["sc"])
    data = doc.user_data["dossier"]
    assert len(spans) == len(data["spans"]) == 7
    for span, record in zip(spans, data["spans"], strict=True):
        assert span.text == doc.text[span.start_char:span.end_char]
        assert (span.start_char, span.end_char) == (record["start"], record["end"])
        assert span.label_ == record["label"]
        assert span.kb_id_ == f"dossier:entity:{record['entity_id']}"
        assert span.id_ == f"dossier:mention:{record['mention_id']}"
    labels = {s.text: s.label_ for s in spans}
    assert labels["Ashot\nMkrtychev"] == "PERSON" and labels["Zürich"] == "GPE"
    assert labels["North\tKorea"] == "GPE" and labels["U.S. Treasury"] == "ORG"
    kim = next(r for r in data["spans"] if r["start"] == BODY.index("Kim"))
    assert (kim["origin"], kim["analyst"]) == ("analyst", "alice")
    broker = next(r for r in data["spans"] if r["start"] == 0)
    assert (broker["origin"], broker["analyst"]) == ("auto", None)
    # "Treasury" nests in "U.S. Treasury": neither is an entity, their tokens are missing.
    ents = {e.text for e in doc.ents}
    assert "U.S. Treasury" not in ents and "Treasury" not in ents
    assert {"Ashot\nMkrtychev", "Zoë Ørsted", "Zürich", "North\tKorea"} <= ents
    treasury = next(s for s in spans if s.text == "U.S. Treasury")
    assert all(t.ent_iob_ == "" for t in treasury)
    assert doc[0].ent_iob_ == "B" and doc[1].ent_iob_ in ("I", "")
    assert list(data["meta"]["tags"]) == ["triage:relevant"]


def test_spacy_relations_join_spans_of_the_evidence_article(dossier, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train"
    assert export(dossier, "spacy", out).exit_code == 0
    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab))
    spans = list(docs[0].spans["sc"])
    relations = docs[0].user_data["dossier"]["relations"]
    by_label = {r["label"]: r for r in relations}
    assert set(by_label) == {"brokered deal with", "part of"}
    deal = by_label["brokered deal with"]
    assert spans[deal["head"]].text == "Ashot\nMkrtychev"
    assert spans[deal["child"]].text == "North\tKorea"
    assert deal["head_token"] == spans[deal["head"]].start
    assert deal["child_token"] == spans[deal["child"]].start
    assert deal["in_evidence"] is True and list(deal["tags"]) == ["confidence:confirmed"]
    assert deal["analyst"] == "carol" and deal["note"] == "seen\nin the wire"
    # The treasury's mentions lie outside the evidence span: the nearest one stands for it.
    part = by_label["part of"]
    assert part["in_evidence"] is False
    assert len(docs[1].user_data["dossier"]["relations"]) == 0


def test_jsonl_records_match_the_text(dossier, tmp_path):
    pytest.importorskip("spacy")
    out = tmp_path / "train"
    assert export(dossier, "spacy", out).exit_code == 0
    raw = (out / "train.jsonl").read_bytes()
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 3  # one JSON line an article, no stray line end
    records = [json.loads(line) for line in lines[:-1]]
    assert records[0]["text"] == BODY and records[1]["text"] == OTHER
    for record in records:
        for span in record["spans"]:
            assert set(span) >= {"start", "end", "label", "origin", "analyst"}
            assert 0 <= span["start"] < span["end"] <= len(record["text"])
        for rel in record["relations"]:
            head, child = record["spans"][rel["head"]], record["spans"][rel["child"]]
            assert rel["head_span"] == {k: head[k] for k in ("start", "end", "label")}
            assert rel["child_span"] == {k: child[k] for k in ("start", "end", "label")}
    emoji_after = records[0]["spans"][-1]  # Kim, after two emoji: offsets are code points
    assert BODY[emoji_after["start"]:emoji_after["end"]] == "Kim Jong Un"


def test_jsonl_is_built_without_spacy(dossier, monkeypatch):
    """The JSONL part needs no spaCy: the documents come from training.py alone."""
    from dossier.export import Selection
    from dossier.export.training import documents

    monkeypatch.setitem(sys.modules, "spacy", None)
    store = Store.open(dossier, readonly=True)
    try:
        records = [d.as_json() for d in documents(store, Selection())]
    finally:
        store.close()
    assert len(records) == 2 and len(records[0]["relations"]) == 2


def test_spacy_missing_is_one_line_exit_2_and_nothing_written(dossier, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` raises ImportError
    out = tmp_path / "train"
    result = export(dossier, "spacy", out)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "needs spaCy" in lines[0] and "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("d.db")] == []


def test_selection_applies(dossier, tmp_path):
    pytest.importorskip("spacy")
    out = tmp_path / "train"
    assert export(dossier, "spacy", out, "--tag", "triage:relevant").exit_code == 0
    records = [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]
    assert [r["meta"]["article_id"] for r in records] == [1]
    brat = tmp_path / "brat"
    assert export(dossier, "brat", brat, "--tag", "triage:relevant").exit_code == 0
    assert sorted(p.name for p in brat.iterdir()) == ["annotation.conf", "article-1.ann",
                                                      "article-1.txt", "visual.conf"]


# ----------------------------------------------------------------- brat

T_LINE = re.compile(r"(?P<id>T\d+)\t(?P<type>[A-Za-z][A-Za-z0-9_-]*) "
                    r"(?P<offsets>\d+ \d+(?:;\d+ \d+)*)\t(?P<text>[^\t\n]*)")
R_LINE = re.compile(r"(?P<id>R\d+)\t(?P<type>[A-Za-z][A-Za-z0-9_-]*) Arg1:(?P<a>T\d+) "
                    r"Arg2:(?P<b>T\d+)")
A_LINE = re.compile(r"(?P<id>A\d+)\t(?P<type>[A-Za-z][A-Za-z0-9_-]*) (?P<target>T\d+)"
                    r"(?: (?P<value>\S+))?")
NOTE_LINE = re.compile(r"(?P<id>#\d+)\tAnnotatorNotes (?P<target>[TR]\d+)\t(?P<text>[^\t\n]+)")


def parse_ann(ann: str, text: str) -> dict[str, dict]:
    """A strict .ann reader: every line one of the four forms, ids unique, every T's text
    the .txt slice (fragments joined by a space), every reference to an existing id."""
    assert ann.endswith("\n") and "\r" not in ann
    found: dict[str, dict] = {}
    for line in ann[:-1].split("\n"):
        assert line.splitlines() == [line], f"line breaks inside: {line!r}"
        kind = line[:1]
        pattern = {"T": T_LINE, "R": R_LINE, "A": A_LINE, "#": NOTE_LINE}.get(kind)
        match = pattern.fullmatch(line) if pattern else None
        if match is None:
            raise AssertionError(f"not an .ann line: {line!r}")
        item = match.groupdict()
        assert item["id"] not in found
        if kind == "T":
            pieces = [tuple(map(int, p.split())) for p in item["offsets"].split(";")]
            for a, b in pieces:
                assert 0 <= a < b <= len(text)
                assert not any(c in text[a:b] for c in "\t\n\r\x0b\x0c\x85\u2028\u2029")
            assert item["text"] == " ".join(text[a:b] for a, b in pieces)
            item["pieces"] = pieces
        for ref in ("a", "b", "target"):
            if item.get(ref):
                assert item[ref] in found, f"{item['id']} refers to unknown {item[ref]}"
        found[item["id"]] = {"kind": kind, **item}
    return found


def test_brat_files_read_back(dossier, tmp_path):
    out = tmp_path / "brat"
    result = export(dossier, "brat", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "annotation.conf", "article-1.ann", "article-1.txt", "article-2.ann", "article-2.txt",
        "visual.conf"]
    texts = bodies(dossier)
    for article_id in (1, 2):
        raw = (out / f"article-{article_id}.txt").read_bytes()
        text = raw.decode("utf-8")
        # Character for character: the same length and every character but CR the same.
        assert len(text) == len(texts[article_id])
        assert text == texts[article_id].replace("\r\n", " \n").replace("\r", "\n")
        parse_ann((out / f"article-{article_id}.ann").read_bytes().decode("utf-8"), text)


def test_brat_annotations_of_the_article(dossier, tmp_path):
    out = tmp_path / "brat"
    assert export(dossier, "brat", out).exit_code == 0
    text = (out / "article-1.txt").read_bytes().decode("utf-8")
    found = parse_ann((out / "article-1.ann").read_bytes().decode("utf-8"), text)
    ts = {v["text"]: v for v in found.values() if v["kind"] == "T"}
    # Across a line end and a tab: fragments, text joined by a space.
    assert ts["Ashot Mkrtychev"]["pieces"] == [(0, 5), (6, 15)]
    assert ts["North Korea"]["type"] == "GPE" and len(ts["North Korea"]["pieces"]) == 2
    assert ts["Zürich"]["type"] == "GPE" and ts["U.S. Treasury"]["type"] == "ORG"
    # After two emoji, offsets are code points.
    kim = ts["Kim Jong Un"]
    assert kim["pieces"] == [(BODY.index("Kim"), BODY.index("Kim") + 11)]
    attrs = [v for v in found.values() if v["kind"] == "A"]
    assert {"type": "Origin", "target": kim["id"], "value": "analyst"}.items() <= \
        next(a for a in attrs if a["target"] == kim["id"]).items()
    assert any(a["type"] == "role_broker" and a["target"] == ts["Ashot Mkrtychev"]["id"]
               for a in attrs)
    article = next(v for v in found.values() if v.get("type") == "Article")
    assert any(a["type"] == "triage_relevant" and a["target"] == article["id"] for a in attrs)
    relations = {v["type"]: v for v in found.values() if v["kind"] == "R"}
    assert set(relations) == {"brokered_deal_with", "part_of"}
    deal = relations["brokered_deal_with"]
    assert (deal["a"], deal["b"]) == (ts["Ashot Mkrtychev"]["id"], ts["North Korea"]["id"])
    notes = {v["target"]: v["text"] for v in found.values() if v["kind"] == "#"}
    assert "seen in the wire" in notes[deal["id"]] and "confidence:confirmed" in notes[deal["id"]]
    assert "marked by alice" in notes[kim["id"]]
    assert "the core story" in notes[article["id"]]


def test_brat_annotation_conf_declares_what_is_used(dossier, tmp_path):
    out = tmp_path / "brat"
    assert export(dossier, "brat", out).exit_code == 0
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current = None
    for line in conf.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        else:
            assert current is not None
            sections[current].append(line.split("\t")[0])
    assert set(sections) == {"entities", "relations", "events", "attributes"}
    used: dict[str, set[str]] = {"T": set(), "R": set(), "A": set()}
    for ann in out.glob("*.ann"):
        for line in ann.read_text(encoding="utf-8").splitlines():
            used.setdefault(line[0], set()).add(line.split("\t")[1].split(" ")[0])
    assert used["T"] <= set(sections["entities"])
    assert used["R"] <= set(sections["relations"])
    assert used["A"] <= set(sections["attributes"])
    visual = (out / "visual.conf").read_text(encoding="utf-8").splitlines()
    assert "brokered_deal_with | brokered deal with" in visual
    assert "triage_relevant | triage:relevant" in visual and "GPE | Place" in visual


def test_brat_unwritable_place_is_one_line_and_leaves_nothing(dossier, tmp_path):
    result = export(dossier, "brat", tmp_path / "missing" / "brat")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


def test_brat_fails_midway_leaves_no_folder(dossier, tmp_path, monkeypatch):
    from dossier.export import brat

    calls = {"n": 0}
    real = Path.write_bytes

    def full_disk(self, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(brat.Path, "write_bytes", full_disk)
    result = export(dossier, "brat", tmp_path / "brat")
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("d.db")] == []


def test_fragments_and_notes_never_break_a_line():
    from dossier.export.brat import fragments, note_text, txt

    text = "a\r\nb\u2028c\x85d\x1ce  \t f"
    assert [text[a:b] for a, b in fragments(text, 0, len(text))] == list("abcdef")
    assert len(txt(text)) == len(text) and "\r" not in txt(text)
    assert note_text("x\ty\nz\x00w\u2029") == "x y z w"


def test_mentions_a_stranger_wrote_badly_are_left_out(dossier, tmp_path):
    """Another tool's rows: a span past the body's end, an empty span, a `text` column that
    lies, whitespace around a name. No crash; spans index the text as written."""
    import sqlite3

    conn = sqlite3.connect(dossier)
    with conn:
        for start, end, text in ((0, 10_000, "far"), (3, 3, ""), (0, 5, "Lies"),
                                 (BODY.index(" met"), BODY.index(" in Z"), " met Zoë Ørsted")):
            conn.execute('INSERT INTO mentions (article_id, entity_id, start, "end", text, '
                         "origin) VALUES (1, 2, ?, ?, ?, 'auto')", (start, end, text))
    conn.close()
    out = tmp_path / "brat"
    assert export(dossier, "brat", out).exit_code == 0
    text = (out / "article-1.txt").read_bytes().decode("utf-8")
    found = parse_ann((out / "article-1.ann").read_bytes().decode("utf-8"), text)
    spans = [v["text"] for v in found.values() if v["kind"] == "T"]
    assert "Ashot" in spans and "met Zoë Ørsted" in spans and "far" not in spans
    pytest.importorskip("spacy")
    assert export(dossier, "spacy", tmp_path / "train").exit_code == 0
    record = json.loads((tmp_path / "train" / "train.jsonl").read_text().splitlines()[0])
    assert all(BODY[s["start"]:s["end"]].strip() == BODY[s["start"]:s["end"]]
               for s in record["spans"])
    assert len(record["spans"]) == 7 + 2


def test_an_article_longer_than_spacys_default_limit(tmp_path):
    """spaCy refuses texts over 1,000,000 characters by default; an article may be 20 MB."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    body = "abcdefghijklmnopqrstuvwxyz " * 37_100 + "Ashot Mkrtychev."  # 1,001,716
    store = Store.open(tmp_path / "big.db", create=True)
    store.ingest_article(make_article("Big", body), [Entity("Ashot Mkrtychev", "person")],
                         [(0, Mention(None, None, *_span(body, "Ashot Mkrtychev"), "x"))], [])
    store.close()
    out = tmp_path / "train"
    result = export(tmp_path / "big.db", "spacy", out)
    assert result.exit_code == 0, result.output
    (doc,) = DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab)
    assert [e.text for e in doc.ents] == ["Ashot Mkrtychev"]
