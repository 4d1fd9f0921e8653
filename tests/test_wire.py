"""Wire archives and hard-wrapped text: every article read, dated from its header, names
and evidence following the text rather than the file's line breaks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.ingest.dates import parse_publication_date
from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store

# Three stories as a Reuters-21578 archive writes them: the time stamp alone on a line, an
# upper-case headline, an indented first line with the dateline, 65-column hard wrap, tickers
# in angle brackets (one cut by the wrap), `mln dlrs`, a table of figures, `Reuter`.
ARCHIVE = """\
26-FEB-1987 15:01:01.79
BAHIA COCOA REVIEW
    SALVADOR, Feb 26 - Showers continued throughout the week in
the Bahia cocoa zone, alleviating the drought since early
January and improving prospects for the coming temporao,
although normal humidity levels have not been restored,
Comissaria Smith said in its weekly review.
    The dry period means the temporao will be late this year,
the review said. Final figures for the crop are expected
between
September, 1987 and the end of the year, it added.
 Reuter
26-FEB-1987 15:02:20.00
TEXACO <TX> SEES HIGHER OUTPUT
    NEW YORK, Feb 26 - International Business Machines Corp
<IBM> and Texaco Inc <TX> said today they will spend 120 mln
dlrs on a joint venture with <Oerlikon-Buehrle Holding AG> and
its unit <Contraves
AG>, the companies said in a statement issued in New York.
    The venture was first discussed in August 1984.
    Shr 34 cts vs 1.19 dlrs
    Net 3,300,000 vs 10.2 mln
    Revs 72.6 mln vs 80.9 mln
    Avg shrs 9.8 mln vs 9.1 mln
 Reuter
02-MAR-1987 09:15:44.12
U.S. TREASURY SEES DEFICIT NARROWING
    WASHINGTON, March 2 - The U.S. Treasury said on Friday the
budget deficit would narrow to 150 bln dlrs in fiscal 1988
from 173 bln dlrs, helped by higher revenues, Treasury
Secretary James Baker told reporters at the department.
    Baker said the estimate would be revised in April, 1988.
 Reuter
"""

# A hard-wrapped plain-text article: title, date line, byline, blank-line paragraphs, a list.
PLAIN = """\
Port strike ends after talks

Published: 04 April 2023

By Jane Doe

The strike at the port of Antwerp ended on Monday after two
weeks of talks between the unions and the port authority, the
Belgian labour ministry said in a statement released late in the
evening.

Workers had walked out last week, demanding higher pay. The last
strike of the kind took place in
August 1984.

The agreement covers:
- a pay rise of four percent over two years, paid in two equal
  parts from the first of May
- a review of shift patterns
"""


def ingest(tmp_path: Path, files: dict[str, str | bytes]) -> Store:
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (tmp_path / name).write_bytes(data)
    store = Store.open(tmp_path / "wire.db", create=True)
    report = ingest_paths(store, [tmp_path / n for n in files], extractor="rules")
    assert report.refused == []
    return store


def articles(store: Store) -> dict[str, object]:
    return {a.title: store.get_article(a.id) for a in store.list_articles(0, 100)}


@pytest.fixture()
def archive(tmp_path):
    store = ingest(tmp_path, {"wire.txt": ARCHIVE})
    yield store
    store.close()


def test_every_story_of_the_archive_is_read_and_dated_to_the_day(archive):
    got = {t: (a.published, a.published_precision) for t, a in articles(archive).items()}
    assert got == {
        "Bahia Cocoa Review": ("1987-02-26", "day"),
        "Texaco <TX> Sees Higher Output": ("1987-02-26", "day"),
        "U.S. Treasury Sees Deficit Narrowing": ("1987-03-02", "day"),
    }


def test_the_date_line_and_headline_stay_in_removed_and_out_of_the_body(archive):
    bahia = articles(archive)["Bahia Cocoa Review"]
    kinds = {(r.kind, r.text) for r in bahia.removed}
    assert ("date", "26-FEB-1987 15:01:01.79") in kinds
    assert ("headline", "BAHIA COCOA REVIEW") in kinds
    assert ("boilerplate", "Reuter") in kinds
    assert "26-FEB-1987" not in bahia.body and not bahia.body.rstrip().endswith("Reuter")


def test_wrapped_paragraphs_are_joined_and_tables_stay_lines(archive):
    texaco = articles(archive)["Texaco <TX> Sees Higher Output"]
    first, second, table = texaco.body.split("\n\n")
    assert first.startswith("NEW YORK, Feb 26 - International Business Machines Corp <IBM> and")
    assert "\n" not in first and "<Contraves AG>" in first
    assert second == "The venture was first discussed in August 1984."
    assert table.split("\n") == ["Shr 34 cts vs 1.19 dlrs", "Net 3,300,000 vs 10.2 mln",
                                 "Revs 72.6 mln vs 80.9 mln", "Avg shrs 9.8 mln vs 9.1 mln"]


def test_tickers_are_companies_and_wire_shorthand_is_never_a_name(archive):
    names = {e.name: e for e in archive.list_entities(0, 500)}
    for name in names:
        assert "\n" not in name and "<" not in name and ">" not in name
        assert not set(name.lower().split()) & {"mln", "bln", "dlrs", "cts", "pct", "shr",
                                                "shrs", "qtr", "vs", "avg", "net", "revs"}
    ibm = names["International Business Machines Corp"]
    assert ibm.kind == "organisation" and "IBM" in archive.get_entity(ibm.id).aliases
    assert "TX" in archive.get_entity(names["Texaco Inc"].id).aliases
    assert names["Contraves AG"].kind == "organisation"
    assert names["Oerlikon-Buehrle Holding AG"].kind == "organisation"
    assert not {"BAHIA", "TEXACO", "SEES", "Shr", "Avg", "Revs"} & set(names)
    assert names["New York"].kind == names["Salvador"].kind == "place"  # datelines' places


def test_evidence_is_a_whole_sentence_and_dates_cross_line_breaks(archive):
    for title, art in articles(archive).items():
        for mention in archive.article_mentions(art.id):
            assert art.body[mention.start:mention.end] == mention.text
        events = archive.list_events(0, 100, article_id=art.id)
        for ev in events:
            evidence = art.body[ev.evidence_start:ev.evidence_end]
            assert art.body[ev.date_start_char:ev.date_end_char] == ev.date_text
            assert evidence[0].isupper() and evidence.endswith("."), (title, evidence)
            assert "\n" not in evidence
        dates = {ev.date_text: (ev.date_start, ev.date_end) for ev in events}
        if title == "Bahia Cocoa Review":
            # `between` / `September, 1987` wrapped across lines in the file; whole here.
            assert dates["September, 1987"] == ("1987-09", None)
            assert "Feb 26" not in dates  # the dateline's day is the article's, not an event
        if title == "U.S. Treasury Sees Deficit Narrowing":
            assert dates["Friday"] == ("1987-02-27", None)  # against the stamp, not 1988
            assert dates["April, 1988"] == ("1988-04", None)


def test_a_body_date_is_never_the_publication_date(tmp_path):
    undated = PLAIN.replace("Published: 04 April 2023\n", "")
    store = ingest(tmp_path, {"dated.txt": PLAIN, "undated.md": "# Undated strike\n\n" + undated})
    got = {t: (a.published, a.published_precision) for t, a in articles(store).items()}
    assert got == {"Port strike ends after talks": ("2023-04-04", "day"),
                   "Undated strike": (None, "unknown")}
    dated = articles(store)["Port strike ends after talks"]
    assert ("date", "Published: 04 April 2023") in {(r.kind, r.text) for r in dated.removed}
    paragraphs = dated.body.split("\n\n")
    assert paragraphs[0].startswith("The strike at the port of Antwerp ended on Monday after two "
                                    "weeks of talks") and "\n" not in paragraphs[0]
    assert paragraphs[1].endswith("took place in August 1984.")
    assert paragraphs[2].split("\n") == [
        "The agreement covers:",
        "- a pay rise of four percent over two years, paid in two equal parts from the first "
        "of May",
        "- a review of shift patterns"]
    monday = [e for e in store.list_events(0, 100, article_id=dated.id) if e.date_text ==
              "Monday"]
    assert [(e.date_start, e.resolution) for e in monday] == [("2023-04-03", "relative")]


def test_crlf_tabs_and_form_feeds_read_as_the_plain_file(tmp_path):
    one = ARCHIVE.split("26-FEB-1987 15:02:20.00")[0]
    messy = one.replace("    ", "\t").replace("review.\n", "review.\n\f\n").replace(
        "\n", "\r\n")
    plain_store = ingest(tmp_path, {"a.txt": one})
    (tmp_path / "wire.db").unlink()
    messy_store = ingest(tmp_path, {"b.txt": messy})
    (a,) = articles(plain_store).values()
    (b,) = articles(messy_store).values()
    assert (b.title, b.published, b.body) == (a.title, a.published, a.body)


def test_in_text_dateline_takes_its_year_from_a_year_line(tmp_path):
    text = ("Oil output rises\n\n1987\n\n    LONDON, March 3 (Reuters) - North Sea oil output "
            "rose\nlast month to its highest level in two years, the energy\nministry said.\n")
    store = ingest(tmp_path, {"oil.txt": text})
    (art,) = articles(store).values()
    assert (art.published, art.published_precision) == ("1987-03-03", "day")
    assert ("dateline", "LONDON, March 3 (Reuters) -") in {(r.kind, r.text) for r in art.removed}
    assert art.body.startswith("LONDON, March 3 (Reuters) - North Sea oil output rose last month")


@pytest.mark.parametrize(("text", "expected"), [
    ("Published: 04 April 2023", ("2023-04-04", "day")),
    ("December 10, 2013", ("2013-12-10", "day")),
    ("3 March 2023", ("2023-03-03", "day")),
    ("2023-04-04", ("2023-04-04", "day")),
    ("2023-04-04T09:30:00Z", ("2023-04-04", "day")),
    ("26-FEB-1987 15:01:01.79", ("1987-02-26", "day")),
    ("Thu, 26 Feb 1987 15:01:01 GMT", ("1987-02-26", "day")),
    ("Updated 3:14 PM EST, Mar 3, 2023", ("2023-03-03", "day")),
    ("03/03/2023", ("2023-03-03", "day")),
    ("25/03/2023", ("2023-03-25", "day")),
    ("03/25/2023", ("2023-03-25", "day")),
    ("2023/03/04", ("2023-03-04", "day")),
    ("04/03/2023", None),  # April in the US, March elsewhere: refused, not guessed
    ("March 2023", ("2023-03", "month")),
    ("Marketing 2023", None),
    ("31/02/2023", None),
])
def test_publication_date_forms(text, expected):
    assert parse_publication_date(text) == expected


WORDS = ["the", "ministry", "said", "on", "Monday", "that", "Acme", "Corp", "<ACM>", "would",
         "between", "September,", "1990", "and", "March", "1991", "mln", "dlrs", "pct", "vs",
         "Jane", "Doe", "WASHINGTON,", "Feb", "26", "-", "last", "week", "in", "early", "2023.",
         "Sources", "told", "Reuters.", "\t", "U.S.", "a", "bank"]


@st.composite
def wrapped_articles(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=120))
    width = draw(st.integers(min_value=20, max_value=90))
    lines, line = [], ""
    for word in words:
        if line and (len(line) + 1 + len(word) > width or draw(st.integers(0, 30)) == 0):
            lines.append(line)
            line = draw(st.sampled_from(["", "", "    ", "\t", "\f"]))
        line = f"{line} {word}" if line.strip() else line + word
    lines.append(line)
    head = draw(st.sampled_from(["", "26-FEB-1987 15:01:01.79\n", "Published: 04 April 2023\n"]))
    text = "HEADLINE OF A STORY\n" + head + "\n".join(lines)
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(text=wrapped_articles())
def test_generated_wrapped_articles_never_break_ingest(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("gen")
    (folder / "a.txt").write_text(text, encoding="utf-8", newline="")
    store = Store.open(folder / "gen.db", create=True)
    report = ingest_paths(store, [folder / "a.txt"], extractor="rules")
    refused = [r for r in report.refused if "no body text" not in r[1] and "no text" not in r[1]]
    assert refused == []
    for summary in store.list_articles(0, 10):
        art = store.get_article(summary.id)
        assert "\r" not in art.body and "\f" not in art.body and "\t" not in art.body
        for m in store.article_mentions(art.id):
            assert art.body[m.start:m.end] == m.text and "\n" not in m.text
            assert not re.search(r"[<>]", m.text)
        for ev in store.list_events(0, 100, article_id=art.id):
            assert art.body[ev.date_start_char:ev.date_end_char] == ev.date_text
            assert ev.evidence_start <= ev.date_start_char < ev.date_end_char <= ev.evidence_end
    store.close()
