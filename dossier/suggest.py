"""Merge suggestions: which entities of a dossier may be one, with a score and the reasons.

Pure (no SQL, no UI): the store hands in the entities with their aliases and, for the pairs
found, their articles and neighbours; this module names the reasons and scores. Pairs are
found through keys, never by comparing every entity with every other, so 100,000 entities
cost a pass over their names:

- a name inside another, by whole words: `Tower` in `John Tower` (a person's surname, or
  first name only), `Tower Commission` in `Tower Commission Report`, `Acme` in `Acme Corp`
  (title or suffix variant);
- the initials of a name: `CIA` / `Central Intelligence Agency`, `DPRK` / `Democratic People's
  Republic of Korea` (small words such as `of` may count or not);
- plural and inflection: `contra` / `contras`, `Soviet` / `Soviets`;
- near spelling: names one or two edits apart (a deletion of a letter on each side matches),
  scored with rapidfuzz (`Gaddafi` / `Qaddafi`);
- a shared alias.

Context raises a score: the two named in the same articles (a story says `John Tower`, then
`Tower`), and the entities named around them alike. Different kinds remove a pair (a place
is not a person), except a lone word against a person's surname, whose kind the extractor
often guesses wrong (`Tower` taken for an organisation): kept, scored lower, and said. A short
name that fits several longer ones (`Tower`: John Tower, or the Tower Commission) ranks every
pair and says it is ambiguous.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

SMALL_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "la", "du", "des", "to",
                         "a", "an", "at", "&"})
TITLES = frozenset({
    "mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "president", "vice", "senator",
    "sen", "rep", "representative", "gov", "governor", "gen", "general", "col", "colonel",
    "adm", "admiral", "lt", "capt", "captain", "prof", "professor", "minister", "secretary",
    "prime", "king", "queen", "prince", "princess", "judge", "justice", "chairman", "pope",
    "rev", "reverend", "father", "sheikh", "ayatollah", "mayor", "ambassador", "chancellor",
})
SUFFIXES = frozenset({
    "corp", "corporation", "inc", "incorporated", "co", "company", "ltd", "limited", "plc",
    "llc", "lp", "sa", "ag", "nv", "bv", "gmbh", "spa", "ab", "as", "group", "holdings",
    "report", "jr", "sr", "ii", "iii", "cos", "cie", "bhd", "pty",
})
NOT_NAMES = SMALL_WORDS | TITLES | SUFFIXES  # words that never make a name alone
# A lone word of a person's name matched against a one-word entity is evidence only when
# the word is this long (`Li`, `Ed` are no evidence of anything).
MIN_WORD = 3
BLOCK_CAP = 50  # a key shared by more entities than this says nothing (`john`, `bank`)

REASON_WEIGHTS = {
    "shared alias": 0.9,
    "plural": 0.85,
    "acronym": 0.8,
    "surname": 0.7,
    "variant": 0.7,
    "within": 0.45,
    "first name": 0.4,
}

_TOKEN = re.compile(r"[\w&]+")


@dataclass
class Named:
    """What the scorer knows of an entity."""

    id: int
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    mentions: int = 0


@dataclass
class Suggestion:
    """Two entities that may be one. `a` is the one with more mentions (the likely survivor)."""

    a: Named
    b: Named
    score: float
    reasons: list[str]

    def as_json(self) -> dict:
        return {"a": {"id": self.a.id, "name": self.a.name, "kind": self.a.kind},
                "b": {"id": self.b.id, "name": self.b.name, "kind": self.b.kind},
                "score": self.score, "reasons": list(self.reasons)}


_POSSESSIVE = re.compile(r"'s\b")


def words(name: str) -> list[str]:
    """A name's words, case-folded; dots dropped (`U.S.` is `us`), `'s` dropped."""
    text = name.casefold().replace(".", "").replace("\u2019", "'")
    if "'" in text:
        text = _POSSESSIVE.sub("", text)
    return _TOKEN.findall(text)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _initials(ws: list[str]) -> set[str]:
    """The acronyms a name's words make: every word, and without the small words."""
    out = set()
    if len(ws) >= 2:
        out.add("".join(w[0] for w in ws))
        big = [w for w in ws if w not in SMALL_WORDS]
        if len(big) >= 2:
            out.add("".join(w[0] for w in big))
    return out


def _looks_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


def _deletions(text: str) -> set[str]:
    return {text} | {text[:i] + text[i + 1:] for i in range(len(text))}


class _Pairs:
    """Reasons gathered per unordered pair of entity ids."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)

    def add(self, x: int, y: int, key: str, text: str) -> None:
        if x == y:
            return
        pair = (x, y) if x < y else (y, x)
        self.reasons[pair].setdefault(key, text)


def _compatible(a: Named, b: Named, lone_surname: bool) -> tuple[bool, str | None]:
    if a.kind == b.kind or "other" in (a.kind, b.kind):
        return True, None
    if lone_surname:
        return True, f"kinds differ ({a.kind} / {b.kind}): a lone word's kind is often a guess"
    return False, None


def find(entities: Iterable[Named], different: set[tuple[int, int]] = frozenset(),
         only: set[int] | None = None) -> dict[tuple[int, int], dict[str, str]]:
    """Every pair that shares a key, with its name reasons {reason key: text}.

    `different`: pairs (low id, high id) the analyst said are different: never returned.
    `only`: pairs touching these ids alone (the candidates of one entity, or of new ones)."""
    pool = {e.id: e for e in entities}
    by_full: dict[str, list[int]] = defaultdict(list)  # a name's words joined
    by_alias: dict[str, list[int]] = defaultdict(list)
    by_stem: dict[str, list[int]] = defaultdict(list)
    by_initials: dict[str, list[int]] = defaultdict(list)
    by_deletion: dict[str, list[int]] = defaultdict(list)
    names: dict[int, list[list[str]]] = {}
    for e in pool.values():
        forms = []
        for n in dict.fromkeys([e.name, *e.aliases]):
            ws = words(n)
            if ws and ws not in forms:
                forms.append(ws)
        names[e.id] = forms
        for ws in forms:
            joined = " ".join(ws)
            by_alias[joined].append(e.id)
        ws = forms[0] if forms else []
        if not ws:
            continue
        by_full[" ".join(ws)].append(e.id)
        by_stem[" ".join(_stem(w) for w in ws)].append(e.id)
        for acronym in _initials(ws):
            by_initials[acronym].append(e.id)
        joined = "".join(ws)
        # Numbers are identifiers, not spellings (`Flight 370` is not `Flight 371`).
        if len(joined) >= 6 and not any(c.isdigit() for c in joined):
            for d in _deletions(joined):
                by_deletion[d].append(e.id)

    pairs = _Pairs()

    def wanted(x: int, y: int) -> bool:
        if only is not None and x not in only and y not in only:
            return False
        return ((x, y) if x < y else (y, x)) not in different

    # Shared aliases.
    for key, ids in by_alias.items():
        ids = list(dict.fromkeys(ids))
        if 2 <= len(ids) <= BLOCK_CAP:
            for i, x in enumerate(ids):
                for y in ids[i + 1:]:
                    if wanted(x, y):
                        pairs.add(x, y, "shared alias", f"shared alias '{key}'")
    # Plural and inflection.
    for ids in by_stem.values():
        if 2 <= len(ids) <= BLOCK_CAP:
            for i, x in enumerate(ids):
                for y in ids[i + 1:]:
                    if wanted(x, y) and pool[x].name.casefold() != pool[y].name.casefold():
                        pairs.add(x, y, "plural", f"plural or inflection ('{pool[x].name}' / "
                                  f"'{pool[y].name}')")
    # Acronyms of initials.
    for e in pool.values():
        if not _looks_acronym(e.name):
            continue
        key = "".join(words(e.name))
        ids = by_initials.get(key, [])
        if len(ids) <= BLOCK_CAP:
            for y in ids:
                if wanted(e.id, y):
                    pairs.add(e.id, y, "acronym",
                              f"acronym: '{e.name}' is the initials of '{pool[y].name}'")
    # A name inside another, by whole words.
    for e in pool.values():
        ws = names[e.id][0] if names[e.id] else []
        if len(ws) < 2:
            continue
        for i in range(len(ws)):
            for j in range(i + 1, len(ws) + 1):
                if j - i == len(ws):
                    continue
                part = ws[i:j]
                inner = " ".join(part)
                if len(inner) < MIN_WORD or all(w in NOT_NAMES for w in part):
                    continue
                ids = by_full.get(inner, [])
                if not ids or len(ids) > BLOCK_CAP:
                    continue
                rest = ws[:i] + ws[j:]
                for y in ids:
                    if not wanted(e.id, y):
                        continue
                    short = pool[y]
                    if e.kind == "person" and len(part) == 1 and j == len(ws):
                        pairs.add(e.id, y, "surname",
                                  f"surname: '{short.name}' / '{e.name}'")
                    elif e.kind == "person" and len(part) == 1 and i == 0 and not (
                            set(rest) <= SUFFIXES):
                        pairs.add(e.id, y, "first name",
                                  f"first name only: '{short.name}' / '{e.name}'")
                    elif set(rest) <= NOT_NAMES:
                        pairs.add(e.id, y, "variant",
                                  f"title or suffix variant: '{short.name}' / '{e.name}'")
                    elif i == 0 or j == len(ws):
                        pairs.add(e.id, y, "within",
                                  f"name within the other: '{short.name}' in '{e.name}'")
    # Near spelling: one deletion on each side at most, then rapidfuzz says how near.
    compared: set[tuple[int, int]] = set()
    for ids in by_deletion.values():
        if len(ids) < 2:
            continue
        ids = list(dict.fromkeys(ids))
        if not 2 <= len(ids) <= BLOCK_CAP:
            continue
        for i, x in enumerate(ids):
            for y in ids[i + 1:]:
                key = (x, y) if x < y else (y, x)
                if key in compared or not wanted(x, y):
                    continue
                compared.add(key)
                a, b = pool[x], pool[y]
                wa, wb = "".join(words(a.name)), "".join(words(b.name))
                if wa == wb or Levenshtein.distance(wa, wb) > 2:
                    continue
                pairs.add(x, y, "near spelling",
                          f"near spelling: '{a.name}' / '{b.name}' "
                          f"({ratio(wa, wb):.0f}% alike)")
    return pairs.reasons


def score(found: dict[tuple[int, int], dict[str, str]], pool: dict[int, Named],
          shared_articles: dict[tuple[int, int], int],
          neighbours: dict[int, set[int]]) -> list[Suggestion]:
    """Score the pairs `find` returned, with their context; best first."""
    # A short name fitting several longer ones is ambiguous: which pairs share the short one.
    partners: dict[int, set[int]] = defaultdict(set)
    for (x, y), reasons in found.items():
        if reasons.keys() & {"surname", "first name", "variant", "within", "acronym"}:
            short = x if len(pool[x].name) < len(pool[y].name) else y
            partners[short].add(y if short == x else x)
    out = []
    for (x, y), reasons in found.items():
        a, b = pool[x], pool[y]
        if (b.mentions, -b.id) > (a.mentions, -a.id):
            a, b = b, a
        lone = bool(reasons.keys() & {"surname", "first name"}) or (
            "near spelling" not in reasons and len(words(min(a.name, b.name, key=len))) == 1
            and bool(reasons.keys() & {"variant", "within"}))
        ok, kind_note = _compatible(a, b, lone and bool(reasons.keys() & {"surname"}))
        if not ok:
            continue
        if "plural" in reasons:  # the same evidence twice
            reasons = {k: v for k, v in reasons.items() if k != "near spelling"}
        texts = list(reasons.values())
        miss = 1.0
        for key in reasons:
            if key == "near spelling":
                wa, wb = "".join(words(a.name)), "".join(words(b.name))
                weight = 0.35 + 0.4 * max(0.0, (ratio(wa, wb) - 70) / 30)
            else:
                weight = REASON_WEIGHTS[key]
            miss *= 1 - weight
        value = 1 - miss
        shared = shared_articles.get((x, y), 0)
        if shared:
            value += min(shared, 5) * 0.03
            texts.append(f"named together in {shared} article{'s' if shared != 1 else ''}")
        na, nb = neighbours.get(a.id, set()) - {b.id}, neighbours.get(b.id, set()) - {a.id}
        if na and nb:
            overlap = len(na & nb) / len(na | nb)
            if overlap >= 0.1:
                value += 0.2 * overlap
                texts.append(f"named with the same entities ({len(na & nb)} in common)")
        short = x if len(pool[x].name) < len(pool[y].name) else y
        others = partners.get(short, set()) - {x, y}
        if others:
            value *= 0.85
            alt = ", ".join(sorted(pool[o].name for o in others)[:3])
            texts.append(f"ambiguous: '{pool[short].name}' could also be {alt}")
        if kind_note:
            value *= 0.8
            texts.append(kind_note)
        out.append(Suggestion(a, b, round(min(value, 1.0), 3), texts))
    out.sort(key=lambda s: (-s.score, -(s.a.mentions + s.b.mentions), s.a.id, s.b.id))
    return out
