"""Resolution across the dossier: which entity a found name is.

Seeded with every entity already in the dossier (and their aliases), then taught by each
article as it is ingested, so `Mkrtychev` after `Ashot Mkrtychev` is the same person in this
article and in the next one. The rules, in order:

1. a gazetteer hit goes to the gazetteer's canonical entity (`DPRK` -> North Korea,
   `Treasury` -> U.S. Department of the Treasury);
2. a name known as an alias (case and dots ignored) goes to that entity;
3. a single word that is the surname of exactly one known person goes to that person
   (preferring people already named in the same article);
4. a full name whose surname was first seen alone becomes that entity's name;
5. anything else with two or more words becomes a new entity; a lone word that matched
   nothing is dropped (too often a sentence's first word).

On ingest the dossier's names are a gazetteer too (`known_hits`): once an entity's name or
alias is known, every occurrence in every later article is a mention, with the guards of any
gazetteer: written as known (case as written), whole words, not a bare generic word or title,
not a name two entities share, and not a single word the article also uses lower-case (an
ordinary word there: `mobile` beside `Mobile`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate

from dossier.ingest.entities import GENERIC, STOP, TITLES, Candidate
from dossier.model import Entity, normalise_alias


class Resolver:
    """Maps candidates to entities; keeps the alias and surname indexes of the dossier."""

    def __init__(self, known: list[Entity] | None = None):
        self.by_alias: dict[str, Entity] = {}
        self.by_surname: dict[str, list[Entity]] = {}
        # Known names as written, by first word: surface -> the entities it names.
        self.surfaces: dict[str, dict[str, list[Entity]]] = {}
        for entity in known or []:
            self._learn(entity, [entity.name, *entity.aliases])

    def _learn(self, entity: Entity, names: list[str]) -> None:
        for name in names:
            self._learn_surface(entity, name)
            norm = normalise_alias(name)
            if norm:
                self.by_alias.setdefault(norm, entity)
        if entity.kind == "person":
            words = normalise_alias(entity.name).split()
            if len(words) >= 2:
                people = self.by_surname.setdefault(words[-1], [])
                if entity not in people:
                    people.append(entity)

    def resolve(
        self, candidates: list[Candidate]
    ) -> tuple[list[Entity], list[tuple[int, Candidate]]]:
        """Entities of one article (existing or new) and each kept candidate's index into them.

        New entities have id None until the store creates them; `Entity.aliases` lists every
        surface form seen here, for the store to add."""
        entities: list[Entity] = []
        index: dict[int, int] = {}  # id(entity) -> position in `entities`
        kept: list[tuple[int, Candidate]] = []

        def use(entity: Entity, surface: str) -> None:
            if id(entity) not in index:
                index[id(entity)] = len(entities)
                entities.append(entity)
            if surface not in entity.aliases and surface != entity.name:
                entity.aliases.append(surface)

        for cand in candidates:
            entity = self._match(cand, entities)
            if entity is None:
                if cand.single:
                    continue
                entity = Entity(name=cand.canonical or cand.text, kind=cand.kind)
                self._learn(entity, [entity.name])
            elif (cand.kind == "person" and entity.kind == "person" and not cand.single
                  and len(cand.text.split()) > len(entity.name.split())
                  and entity.id is None and cand.canonical is None):
                entity.aliases.append(entity.name)  # rule 4: the full name arrives
                entity.name = cand.text
                self._learn(entity, [cand.text])
            use(entity, cand.text)
            self._learn(entity, [cand.text])
            kept.append((index[id(entity)], cand))
        return entities, kept

    def _match(self, cand: Candidate, here: list[Entity]) -> Entity | None:
        if cand.canonical:
            return self.by_alias.get(normalise_alias(cand.canonical))
        found = self.by_alias.get(normalise_alias(cand.text))
        if found is not None:
            return found
        words = normalise_alias(cand.text).split()
        if cand.kind == "person" and len(words) == 1:
            people = self.by_surname.get(words[0], [])
            local = [p for p in people if p in here]
            if len(local) == 1:
                return local[0]
            if len(people) == 1:
                return people[0]
        if cand.kind == "person" and len(words) >= 2:
            # Rule 4: "Ashot Mkrtychev" after a lone "Mkrtychev" entity.
            alone = self.by_alias.get(words[-1])
            if alone is not None and alone.kind == "person" and len(
                    normalise_alias(alone.name).split()) == 1:
                return alone
        return None

    def _learn_surface(self, entity: Entity, surface: str) -> None:
        surface = " ".join(surface.split())
        words = surface.split(" ")
        if not surface or not (surface[0].isupper() or surface[0].isdigit()):
            return
        if len(words) == 1 and (surface in GENERIC or surface in STOP or surface in TITLES
                                or len(surface) < 2 or (len(surface) < 3
                                                        and not surface.isupper())):
            return
        named = self.surfaces.setdefault(words[0], {}).setdefault(surface, [])
        if all(e is not entity for e in named):
            named.append(entity)

    def known_hits(self, text: str, found: list[Candidate],
                   lowered: set[str] | None = None) -> list[Candidate]:
        """Every occurrence of a name the dossier knows that `found` does not already cover
        (the guards are in the module's docstring). `lowered`: `ordinary_words(text)`, when
        the caller has it already."""
        hits: list[Candidate] = []
        # `found`'s spans by start, with the furthest end among each prefix: whether a span
        # overlaps one of them is a bisection, not a pass over all of them for each name.
        spans = sorted((c.start, c.end) for c in found)
        starts = [a for a, _ in spans]
        reach = list(accumulate((b for _, b in spans), max))
        hit_end = -1  # hits come left to right, none overlapping another: the last reaches
        if lowered is None:
            lowered = ordinary_words(text)
        surfaces = self.surfaces
        for m in _TOKEN.finditer(text):
            word = m.group()
            if not (word[0].isupper() or word[0].isdigit()):
                continue  # every known surface opens so (`_learn_surface`)
            forms = (surfaces.get(word) or surfaces.get(word.rstrip("."))
                     or surfaces.get(word[:-2] if word.endswith(("'s", "’s")) else ""))
            if not forms:
                continue
            s = m.start()
            best = None
            for surface, entities in forms.items():
                if len(entities) != 1 or not text.startswith(surface, s):
                    continue
                e = s + len(surface)
                if e < len(text) and (text[e].isalnum() or text[e] == "_"):
                    continue
                if best is None or len(surface) > len(best[0]):
                    best = (surface, entities[0])
            if best is None:
                continue
            surface, entity = best
            e = s + len(surface)
            i = bisect_left(starts, e)  # spans[:i] start before this name ends
            if hit_end > s or (i and reach[i - 1] > s):
                continue
            if " " not in surface and surface.lower() in lowered:
                continue
            hits.append(Candidate(s, e, surface, entity.kind))
            hit_end = e
        return hits


# The test of the character before a word is made after its first character, the same
# test one character on: a pattern led by a character class is skipped through the text to
# its candidates, one led by a look-behind is tried at every position (3-4x slower).
_TOKEN = re.compile(r"\w(?<![\w.’'-][\s\S])[\w’'&-]*(?:\.\w+)*\.?")
_LOWER_WORD = re.compile(r"[a-z](?<![\w.][\s\S])[\w'-]*")  # a word not after a dot


def ordinary_words(text: str) -> set[str]:
    """The words the text writes lower-case: a lone capitalised one of them (`Mobile phones`
    beside `mobile data`) is the ordinary word, not the name the dossier knows."""
    return set(_LOWER_WORD.findall(text))


def drop_ordinary(text: str, candidates: list[Candidate],
                  lowered: set[str] | None = None) -> list[Candidate]:
    """Uncertain lone words (`single`) the text also writes lower-case, dropped. `lowered`:
    `ordinary_words(text)`, when the caller has it already."""
    if lowered is None:
        lowered = ordinary_words(text)
    return [c for c in candidates if not (c.single and c.text.lower() in lowered)]
