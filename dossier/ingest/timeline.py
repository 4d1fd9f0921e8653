"""The timeline of an article: its dated sentences become events with evidence.

Each date expression in the body gives one event: its normalised date and precision, the
sentence it stands in (the evidence span), a short title from the clause around the date, and
the entities named in that sentence. Removed lines never reach here: they are not in the body.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from dossier.ingest.dates import DateMatch, find_dateline, find_dates
from dossier.model import Event

_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Col|Capt|Lt|Jan|Feb|"
                     r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|vs|U\.S|U\.N|etc)\.)$")
# A line end is a sentence end unless the next line goes on in lower case (a line the
# reflow could not join); a blank line always is.
_BOUNDARY = re.compile(r"[.!?]+[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])|\n[ \t]*\n\s*|\n(?![ \t]*[a-z])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a body, with common abbreviations not ending one."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if m.group().startswith(".") and _ABBREV.search(text[max(start, end - 6):end]):
            continue
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ----------------------------------------------------------------- event titles
#
# A title reads like a headline of what happened: the clause holding the date, given the
# subject it lacks, without the date. Rules, not a parser (ingest must not need spaCy):
# - the date goes, with what only made sense with it: a preposition and `the` before it
#   (`in`, `on the`), `earlier`/`later` before it, and a possessive `'s` after it (`Thursday's
#   allegation` -> `The allegation`);
# - clauses are cut at `, ; : -- - —` and before `which`/`who`/`whose`/`where`; the one holding
#   the date is the title, unless it is a modifier without a verb (`including two disasters`,
#   `compared to ...`) or a subordinate opening (`Despite ...`, `Following ...`): then the
#   sentence's main clause;
# - a clause that opens with a relative pronoun takes the noun phrase it refers to (`..., which
#   merged` -> `Daimler-Benz and Chrysler merged`), one that opens with a verb (`..., was
#   delayed`, `and might repay`) takes the main clause's subject;
# - never a fragment: the first word is capitalised and is no relative pronoun, auxiliary or
#   conjunction, no word ends it that needs another (`of`, `the`, `and`), no `'s` dangles.
# An upper-case wire sentence is put in sentence case first (a name in it keeps capitals).

_TITLE_WORDS = 12
_WINDOW = 500  # characters either side of the date a title is made from
_QUOTES = str.maketrans({c: " " for c in "\"“”«»„[]"})
_RELATIVE = frozenset("which who whom whose that where when".split())
_AUX = frozenset(
    "is are was were be been being am has have had having will would shall should can could "
    "may might must do does did 's ’s".split())
_CONJ = frozenset("and or but nor so yet then while whereas although though because as "
                  "if unless since".split())
_SUBORDINATE = frozenset(
    "despite following after before during including compared although though because while "
    "whereas unless if as since when once given amid according due except like unlike "
    "besides than".split())
_PREP = frozenset("in on at by since from until till to of for during between before after "
                  "around about within over through throughout into as".split())
_DANGLING = _PREP | _CONJ | _RELATIVE | _AUX | frozenset(
    "the a an its his her their our my your this these those than with without against "
    "under like more less most least very also not no".split())
_NEWS_VERBS = frozenset(
    "say says said tell tells told announce announces report reports plan plans agree "
    "agrees buy buys bought sell sells sold cut cuts close closes open opens launch launches "
    "sanction sanctions make makes made take takes took give gives gave win wins won lose "
    "loses lost meet meets met hold holds held leave leaves left become becomes became begin "
    "begins began go goes went come comes came rise rises rose fall falls fell see sees saw "
    "find finds found put puts set sets run runs ran pay pays paid spend spends spent build "
    "builds built kill kills die dies fly flies flew flown seek seeks sought send sends sent "
    "order orders warn warns claim claims deny denies accuse accuses face faces expect "
    "expects hit hits seize seizes arrest arrests charge charges sue sues ban bans win "
    "posts shows show showed shown grew grow grows drop drops dropped".split())
_POSSESSIVE = re.compile(r"^\s*['’]s\b")
_LEAD_DROP = frozenset("earlier later early late".split())
_DETERMINERS = frozenset("the a an its his her their our this that these those".split())


_PRONOUNS = frozenset("i you he she it we they".split())


def _is_verb(word: str, before: str = "") -> bool:
    """A verb by the rules: an auxiliary, a common news verb, a lower-case `-ed` word, or any
    lower-case word after a subject pronoun (`it remains`, `they note`)."""
    w = word.lower().strip(".,;:!?()[]'’")
    if w in _AUX or w in _NEWS_VERBS:
        return True
    if before.lower() in _PRONOUNS and word[:1].islower() and w.isalpha():
        return True
    return len(w) > 4 and w.isalpha() and word[:1].islower() and w.endswith("ed")


def _has_verb(words: list[str]) -> bool:
    return any(_is_verb(w, words[i - 1] if i else "") for i, w in enumerate(words))


def _sentence_case(words: list[str], keep: set[str]) -> list[str]:
    """An upper-case sentence in sentence case; names (`keep`) and dotted or short acronyms
    (`U.S.`, `EU`) stay as written... in title case for the names."""
    out = []
    for word in words:
        bare = word.strip(".,;:!?()[]\"'’")
        if bare in keep or bare.lower().endswith(("ian", "ean", "ese")):
            out.append(word if len(bare) <= 4 else word.title())
        elif "." in bare.rstrip(".") or (len(bare) <= 3 and bare.isalpha()
                                          and bare.lower() not in _DANGLING | _AUX):
            out.append(word)
        else:
            out.append(word.lower())
    return out


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence: cut at `, ; : -- - —` and before a relative pronoun."""
    cuts = [0]
    for m in re.finditer(r"[,;:]\s+|\s+(?:--|-|—|–)\s+|\s+(?=but\s)|\s+\((?=[^)]*\))"
                         r"|\)\s*(?:(?:--|-|—|–)\s+)?|\s+(?=(?:which|who|whom|whose|where)\b)",
                         text):
        cuts.append(m.end())
    cuts.append(len(text))
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]


def _words(text: str) -> list[str]:
    return [w for w in re.sub(r"[,;:]+(?=\s|$)|\s--\s|\s[-—–]\s", " ", text).split()
            if w not in ("(", ")")]


def _clean_end(words: list[str]) -> list[str]:
    while words and (words[-1].lower().strip(".,;:!?") in _DANGLING
                     or not any(c.isalnum() for c in words[-1])
                     or words[-1] in ("'s", "’s")):
        words = words[:-1]
    return [w.strip("()") if w.count("(") != w.count(")") else w for w in words]


def _subject(words: list[str]) -> list[str]:
    """The words before a clause's first verb (its subject), or [] when it has none."""
    for i, word in enumerate(words):
        if _is_verb(word, words[i - 1] if i else ""):
            opens = words[0][:1].isupper() or words[0][:1].isdigit() \
                or words[0].lower() in _PRONOUNS or words[0].lower() in ("the", "a", "an")
            return words[:i] if i and opens else []
    return []


def _antecedent(words: list[str]) -> list[str]:
    """The noun phrase a relative clause refers to: a trailing name (`Daimler-Benz
    (Mercedes-Benz) and Chrysler`, `Daniel Akerson`), else the words from the last
    determiner, preposition or verb on (`the iconic Ford Falcon`)."""
    words = _clean_end(words)
    run = len(words)
    while run > 0 and (words[run - 1][:1].isupper() or words[run - 1][:1] in "(\"'"
                       or (words[run - 1] in ("and", "&", "of") and run > 1
                           and words[run - 2][:1].isupper())):
        run -= 1
    if run < len(words) and words[run][:1].isupper():
        return _clean_end(words[run:])
    stop = 0
    for i, word in enumerate(words):
        low = word.lower()
        if low in ("the", "a", "an") or low in _PREP or _is_verb(word):
            stop = i + 1
    return _clean_end(words[stop:])


def _starts_badly(words: list[str]) -> bool:
    if not words:
        return True
    first = words[0].lower()
    return first in _RELATIVE or first in _AUX or first in _CONJ or first in _PREP \
        or first in ("'s", "’s", "-") or not (words[0][:1].isalpha() or words[0][:1].isdigit()
                                             or words[0][:1] in "$€£")


def _finish(words: list[str]) -> str:
    words = [w for w in words if w not in ("'s", "’s")]
    words = _clean_end(words)
    cut = len(words) > _TITLE_WORDS
    if cut:
        words = _clean_end(words[:_TITLE_WORDS])
    title = " ".join(words).strip(" ,.;:")
    if title[:1].islower():
        title = title[:1].upper() + title[1:]
    return title + ("…" if cut else "")


def _opens_subordinate(words: list[str]) -> bool:
    first = words[0].lower() if words else ""
    return first in _SUBORDINATE or (first.endswith("ing") and first not in ("during",))


def _main(text: str, clauses: list[tuple[int, int]]) -> list[str]:
    """The sentence's main clause as a headline: the first clause with a verb that opens
    well, or one that opens with a verb given the noun phrase before it as subject."""
    subject: list[str] = []
    for a, b in clauses:
        words = _opening(_words(text[a:b]))
        if not words:
            continue
        if _opens_subordinate(words):
            continue
        if not _has_verb(words):
            if not subject and not _starts_badly(words):
                subject = words
            continue
        if not _starts_badly(words) and _subject(words):
            return words
        if subject and (words[0].lower() in _AUX or _is_verb(words[0])):
            return subject + words
    return []


_OPENERS = (_CONJ | frozenset("when after before once".split())) - {"if", "unless"}


def _opening(words: list[str]) -> list[str]:
    """A clause without what opens it but says nothing of the event: `and`, `but`, `while`,
    `when`, `after` before a clause with its own subject and verb, an -ly adverb."""
    while words and words[0].lower() in _CONJ - _SUBORDINATE:
        words = words[1:]
    if len(words) > 2 and words[0].lower() in _OPENERS and _subject(words[1:]):
        words = words[1:]
    return _drop_adverb(words)


def _drop_adverb(words: list[str]) -> list[str]:
    """`only became`, `originally due`: an -ly adverb before the verb goes."""
    if len(words) > 1 and words[0].lower().endswith("ly") and words[0][:1].islower():
        return words[1:]
    return words


def _title(sentence: str, date_start: int, date_end: int,
           names: set[str] | None = None) -> str:
    """A headline of the event a dated sentence reports (see the rules above)."""
    date_start = max(0, min(date_start, len(sentence)))
    date_end = max(date_start, min(date_end, len(sentence)))
    if len(sentence) > 2 * _WINDOW:  # a page without stops: a title needs only the date's
        lo = max(0, date_start - _WINDOW)  # surroundings, and each of its dates must not
        sentence = sentence[lo:date_end + _WINDOW]  # cost the whole page
        date_start, date_end = date_start - lo, date_end - lo
    before, after = sentence[:date_start], sentence[date_end:]
    head = before.split()
    following = after.split()[:1]
    after = re.sub(r"^\s+(?:night|morning|afternoon|evening)\b", "", after)
    possessive = _POSSESSIVE.match(after) or re.search(r"['’]s$", sentence[date_start:date_end])
    prior = head[-1].lower() if head else ""
    opens = not head or head[-1][-1:] in ",;:-—–(\"“"
    if following and not possessive and opens and _is_verb(following[0]):
        # the date is the subject (`spring shows signs of hope`): it stays
        text = " ".join((before + sentence[date_start:date_end] + after).translate(_QUOTES)
                        .split())
        head = before.split() + sentence[date_start:date_end].split()
    else:
        if possessive and possessive.re is _POSSESSIVE:
            after = after[possessive.end():]
        modifier = prior in _DETERMINERS and following and following[0][:1].isalnum() \
            and following[0].lower() not in _DANGLING and not possessive
        if (before[-1:].isspace() or not before) and not modifier:
            # `in`, `on the`, `earlier`: they only made sense with the date
            while head and head[-1].lower() in _PREP | _LEAD_DROP | {"the"}:
                head.pop()
        if possessive and (not head or head[-1].lower() not in ("a", "an", "the")):
            head.append("the")
        text = " ".join((" ".join(head) + " " + after.lstrip()).translate(_QUOTES).split())
    text = text.strip(" ,;:-—–")
    mark = len(" ".join(head))  # where the date was
    upper = sum(map(str.isupper, text)) > 0.6 * max(1, sum(map(str.isalpha, text)))
    clauses = _clauses(text)
    idx = next((i for i, (a, b) in enumerate(clauses) if a <= mark <= b), len(clauses) - 1)
    words = _words(text[clauses[idx][0]:clauses[idx][1]]) if clauses else []
    if len(words) <= 3 and words and words[-1].lower().strip(",") in ("said", "says", "told",
                                                                      "added", "reported") \
            and idx + 1 < len(clauses):  # `..., the Treasury said, Mkrtychev worked ...`
        idx += 1
        words = _words(text[clauses[idx][0]:clauses[idx][1]])
    words = _opening(words)
    first = words[0].lower() if words else ""
    if first in _RELATIVE and len(words) > 1 and first != "that":
        noun = _antecedent(_words(text[:clauses[idx][0]]))
        if first == "whose" and noun:
            noun = noun[:-1] + [noun[-1] + "’s"]
        if noun and first in ("where", "when"):
            words = words[1:]
        elif noun:
            words = noun + words[1:]
    elif words and not first.endswith("ing") and (
            first in _AUX or (_is_verb(words[0]) and words[0][:1].islower())):
        main = _main(text, clauses[:idx])
        subject = _subject(main) if main else []
        if not subject:
            subject = next((w for w in (_words(text[a:b]) for a, b in clauses[:idx])
                            if w and not _starts_badly(w) and not _has_verb(w)
                            and not _opens_subordinate(w)), [])
        if subject:
            words = subject + words
    if _starts_badly(words) or not _has_verb(words) or _opens_subordinate(words):
        words = _main(text, clauses) or words
    if _starts_badly(words) or len(" ".join(words)) < 8:
        return _fallback(sentence, names)
    if upper:
        words = _sentence_case(words, {n for name in names or () for n in name.split()})
    return _finish(words)


def _fallback(sentence: str, names: set[str] | None = None) -> str:
    """The sentence's own opening, when no clause makes a headline."""
    words = " ".join(sentence.translate(_QUOTES).split()).split()
    while words and _starts_badly(words):
        words = words[1:]
    if not words:
        return " ".join(sentence[:80].split()) or "(untitled)"
    upper = sum(map(str.isupper, sentence)) > 0.6 * max(1, sum(map(str.isalpha, sentence)))
    if upper:
        words = _sentence_case(words, {n for name in names or () for n in name.split()})
    return _finish(words) or " ".join(words[:_TITLE_WORDS])


def article_events(body: str, published: str | None,
                   mention_spans: list[tuple[int, int, int]]) -> list[tuple[Event, list[int]]]:
    """Events of one article, each with the indexes of the entities in its sentence.

    `mention_spans` are (start, end, entity index) of the article's mentions."""
    spans = sentences(body)
    starts = [s for s, _ in spans]
    by_start = sorted(mention_spans)
    mention_starts = [m[0] for m in by_start]
    out: list[tuple[Event, list[int]]] = []
    dateline = find_dateline(body)
    for match in find_dates(body, published):
        if dateline is not None and dateline.date_start <= match.start < dateline.end:
            continue  # the dateline's day is the article's date, not an event of it
        # Bisect, not scan: a 5 MB page has 100,000 sentences and as many dates.
        i = bisect_right(starts, match.start) - 1
        if i < 0 or not spans[i][0] <= match.start < spans[i][1]:
            continue
        s, e = spans[i]
        while e < match.end and i + 1 < len(spans):  # a date never cut by its evidence
            i += 1
            e = spans[i][1]
        e = max(e, match.end)
        lo, hi = bisect_left(mention_starts, s), bisect_left(mention_starts, e)
        inside = [(ms, me, idx) for ms, me, idx in by_start[lo:hi] if me <= e]
        names = {body[ms:me] for ms, me, _ in inside}
        out.append((_event(body, match, s, e, names), sorted({idx for *_, idx in inside})))
    return out


def _event(body: str, match: DateMatch, s: int, e: int, names: set[str] | None = None
           ) -> Event:
    return Event(
        title=_title(body[s:e], match.start - s, match.end - s, names),
        date_start=match.date_start, date_end=match.date_end, precision=match.precision,
        date_text=match.text, resolution=match.resolution, date_start_char=match.start,
        date_end_char=match.end, evidence_start=s, evidence_end=e,
    )
