"""Ingest's fast paths (session 6) find what the plain ones found: the date patterns skipped
for a text without their needles."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dossier.ingest import dates

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# One phrase at least for every kind of date (and near misses beside them).
PHRASES = """\
The report of 2009-03-30 came on 3 March 2009, on March 3-5, 2009 and on March 3, 2009.
On March 3 the board met; on the 3rd of March it voted; in March, 2009 it paid.
Sales fell in early last year, rose in mid-2008 and in late 2007, and in March of next year.
He left last September and will return this April; in early June; in the middle of May.
In the third quarter of 2009, the first half of this year, Q3 2009, H1 and 2009 Q4.
Profit rose last quarter. The last week of March 2009 and the first week of 2010.
Last spring, this summer, the early autumn of 2008, the fall of 2007; a fall in sales.
In the 1980s, the '80s, the 70s, the early 1990s, in their 70s, the mid-60s.
This weekend and last weekend; a second consecutive day, the third straight week.
The same period last year; the same month a year ago. The previous year, the year before.
The entire year. The next day, the day before. That same day. In the day. The end of the day.
At 14:58 UTC, 0800 GMT, 6:40 p.m. and at 9:30 (16:30 UTC); a score of 3:20.
Later this year and earlier in the year. Next week, this month, past year.
Yesterday and today. On Monday, Tuesday's vote, Black Monday, Good Friday.
Between April and June; since September; until August; by May.
The class of '82 and the 2008-09 season; in 2010; since 1999; the 2010 jobs.
LATE LAST YEAR, EARLY 2009, THE FOURTH QUARTER, MID-2008. Laſt year, thİs year, the fırst half.
"""


def corpus_texts() -> list[str]:
    texts = [PHRASES, PHRASES.lower(), PHRASES.upper()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*/*.txt"))]
    docs = SHARED / "eval" / "meantime-dev" / "docs.jsonl"
    if docs.is_file():
        for line in docs.read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line).get("text") or "")
    return texts


def test_every_date_pattern_matches_in_the_phrases():
    kinds = {kind for kind, pattern in dates._PATTERNS if pattern.search(PHRASES)}
    assert kinds == {kind for kind, _ in dates._PATTERNS}
    assert set(dates._NEEDS) <= kinds


def test_no_date_match_lacks_the_needles_of_its_pattern():
    for text in corpus_texts():
        for kind, pattern in dates._PATTERNS:
            for m in pattern.finditer(text):
                for need in dates._NEEDS.get(kind, ()):
                    within = dates._fold(m.group()) if need.fold else m.group()
                    assert any(n in within for n in need.needles) or any(
                        p.search(m.group()) for p in need.probes), (kind, m.group())


def test_the_dates_found_are_those_every_pattern_finds(monkeypatch):
    texts = corpus_texts()
    fast = [[(d.start, d.end, d.value, d.resolution) for d in dates.find_dates(t, "2009-10-14")]
            for t in texts]
    monkeypatch.setattr(dates, "_runnable", lambda text: dates._PATTERNS)
    every = [[(d.start, d.end, d.value, d.resolution) for d in dates.find_dates(t, "2009-10-14")]
             for t in texts]
    assert fast == every
    assert sum(map(len, fast)) > 60  # the phrases' dates at least


def test_folding_is_what_a_case_blind_pattern_matches():
    # Every character a case-blind pattern takes for an ASCII letter folds to that letter.
    letter = re.compile(r"(?i)[a-z]")
    for code in range(0x110000):
        char = chr(code)
        if letter.fullmatch(char):
            folded = dates._fold(char)
            assert len(folded) == 1 and folded.isascii(), (hex(code), folded)
            assert re.fullmatch("(?i)" + folded, char)
