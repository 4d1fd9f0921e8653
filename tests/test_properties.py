"""Property-based tests: arbitrary text never crashes the readers, the cleaner, the date
resolver or `dossier extract`, and every offset they give indexes the text."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.ingest.clean import clean_lines, normalise_text
from dossier.ingest.dates import find_dates, parse_publication_date, resolve
from dossier.ingest.entities import RulesExtractor
from dossier.ingest.extract import run_extract
from dossier.ingest.readers import IngestError, records, to_article

PIECES = list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ .,;:'\"()-–—\n0123456789©") + [
    "January", " last week", " on Thursday", " 2023", " Feb. 23,", "U.S.", " DPRK",
    " Ashot Mkrtychev", " (Photo: X)", "\nBy Henry Pope\n", "\nVideo Embed\n",
    "\x1b]52;c;x\x07", "[@click=app.quit]", "\x00", "\ud800", "\u202e", " between 2022 and",
    " early 2023", " last February", "May 5", "-2021-", " Mr. Smith"]
NEWSY = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
EXTRACTOR = RulesExtractor()


@SETTINGS
@given(NEWSY | st.text(max_size=300), st.sampled_from([None, "2023-04-04", "2023-04", "2023"]))
def test_dates_never_crash_and_spans_index_the_text(text, published):
    for match in find_dates(text, published):
        assert text[match.start:match.end] == match.text
        assert match.precision in ("day", "month", "year", "unknown")
        if match.date_start is not None:
            assert match.date_start[:4].isdigit()
            again = resolve(match.text, published)
            assert again is not None
    parse_publication_date(text)


@SETTINGS
@given(NEWSY | st.text(max_size=300))
def test_cleaner_keeps_every_line_somewhere(text):
    text = normalise_text(text)
    lines = text.split("\n")
    cleaned = clean_lines("A title", lines)
    removed = [r.text for r in cleaned.removed if r.kind != "dateline"]  # a dateline is a copy
    # Hard-wrapped lines are joined into paragraphs, so lines may not survive as lines; every
    # character but whitespace is still in the body or in a removed line, once.
    def ink(parts):
        return sorted("".join("".join(parts).split()))
    assert ink([cleaned.body, *removed]) == ink(lines)


@SETTINGS
@given(NEWSY | st.text(max_size=300))
def test_extractor_spans_index_the_text(text):
    for cand in EXTRACTOR.extract(text):
        assert 0 <= cand.start < cand.end <= len(text)
        assert text[cand.start:cand.end] == cand.text


@SETTINGS
@given(st.binary(max_size=600), st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl"]))
def test_readers_accept_or_refuse_with_a_reason(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("r") / f"article{suffix}"
    path.write_bytes(data)
    for item in records(path):
        if isinstance(item, IngestError):
            assert item.reason and str(path) in item.origin
            continue
        try:
            article = to_article(item)
        except IngestError as exc:
            assert exc.reason
            continue
        assert article.title and article.body.strip()
        assert "\x00" not in article.body


@SETTINGS
@given(st.lists(NEWSY | st.text(max_size=200), max_size=4))
def test_extract_offsets_index_the_text_as_given(texts):
    stdin = io.StringIO("".join(json.dumps({"id": i, "text": t}) + "\n"
                                for i, t in enumerate(texts)))
    out = io.StringIO()
    assert run_extract(stdin, out, io.StringIO(), extractor="rules") == 0
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == list(range(len(texts)))
    for result, text in zip(results, texts, strict=True):
        for item in result["entities"] + result["dates"]:
            assert text[item["start"]:item["end"]] == item["text"]
