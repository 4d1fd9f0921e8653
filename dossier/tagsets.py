"""Tag sets and relation types from YAML: parsed into typed objects, validated with positions.

The format (see data/tagsets.yaml, and the README):

    tagsets:
      - name: triage                 # unique
        applies_to: [article]        # article, entity, event, link
        exclusive: true              # at most one tag of the set per item
        description: ...
        tags:
          - {name: relevant, key: "1", color: "#2e9d5b", description: ...}
    relations:
      - name: same story
        from: [article]              # kinds allowed at each end
        to: [article]
        symmetric: true
        ftm: Membership              # optional: the FollowTheMoney schema the FtM export
                                     # writes such a link as (one of FTM_SCHEMAS)

Every problem is reported as `FILE:LINE:COL: message` (1-based), all of a file's problems at
once: YAML syntax, unknown keys (with the closest valid one), wrong types, duplicate names, a
hotkey used twice for one target kind, a hotkey that is one of the app's own keys, unknown
kinds, bad colours. Only YAML's safe constructs are accepted: a `!!python/object` tag is an
error at its line, and nothing is ever constructed from it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from rich.color import Color, ColorParseError

from dossier import safeyaml
from dossier.keys import reserved
from dossier.paths import data_files
from dossier.safefile import FileRefused, read_bytes

if TYPE_CHECKING:
    from dossier.store import Store

KINDS = ("article", "entity", "event", "link")
# The FollowTheMoney link schemas a relation type may name with `ftm:` (export/ftm.py writes
# each; `from` is the schema's first party: member, employee, owner, payer, ...).
FTM_SCHEMAS = ("Membership", "Employment", "Ownership", "Payment", "Family", "Associate",
               "Directorship", "Representation", "Succession", "Debt", "UnknownLink")
# The app's own keys (dossier/keys.py, the one list the app binds): no tag may take one.
APP_KEYS = reserved()


class TagSetError(Exception):
    """One problem in a tag-set file; str() is `FILE:LINE:COL: message`."""

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path, self.line, self.column, self.message = path, line, column, message


class TagSetFileErrors(Exception):
    """All the problems of one file (the first is the exception's message)."""

    def __init__(self, errors: list[TagSetError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Tag:
    name: str
    key: str | None = None
    color: str | None = None
    description: str = ""


@dataclass(frozen=True)
class TagSet:
    name: str
    applies_to: tuple[str, ...]
    exclusive: bool = False
    description: str = ""
    tags: tuple[Tag, ...] = ()
    advance: bool = False  # tagging with this set moves the cursor to the next row

    def tag(self, name: str) -> Tag | None:
        return next((t for t in self.tags if t.name == name), None)


@dataclass(frozen=True)
class RelationType:
    name: str
    from_kinds: tuple[str, ...]
    to_kinds: tuple[str, ...]
    symmetric: bool = False
    description: str = ""
    ftm: str = ""  # a FollowTheMoney schema of FTM_SCHEMAS, or "" (chosen by the name)


@dataclass
class TagConfig:
    """The loaded tag sets and relation types, with the lookups the app needs."""

    sets: dict[str, TagSet] = field(default_factory=dict)
    relations: dict[str, RelationType] = field(default_factory=dict)
    # Binding id -> keys (dossier/keys.py), a user's own keys, given to App.set_keymap.
    keymap: dict[str, str] = field(default_factory=dict)

    def sets_for(self, kind: str) -> list[TagSet]:
        return [s for s in self.sets.values() if kind in s.applies_to]

    def tag_for_key(self, kind: str, key: str) -> tuple[TagSet, Tag] | None:
        for tagset in self.sets_for(kind):
            for tag in tagset.tags:
                if tag.key == key:
                    return tagset, tag
        return None

    def keys(self) -> set[str]:
        return {t.key for s in self.sets.values() for t in s.tags if t.key}

    def relations_between(self, from_kind: str, to_kind: str) -> list[RelationType]:
        return [r for r in self.relations.values()
                if (from_kind in r.from_kinds and to_kind in r.to_kinds)
                or (r.symmetric and to_kind in r.from_kinds and from_kind in r.to_kinds)]

    def merge(self, other: TagConfig) -> TagConfig:
        """This config with `other`'s sets and relations added, replacing those of the same
        name."""
        return TagConfig({**self.sets, **other.sets}, {**self.relations, **other.relations},
                         {**self.keymap, **other.keymap})

    def to_yaml(self) -> str:
        data = {
            "tagsets": [
                {"name": s.name, "applies_to": list(s.applies_to), "exclusive": s.exclusive,
                 **({"advance": True} if s.advance else {}), "description": s.description,
                 "tags": [{k: v for k, v in (("name", t.name), ("key", t.key),
                                             ("color", t.color),
                                             ("description", t.description)) if v}
                          for t in s.tags]}
                for s in self.sets.values()
            ],
            "relations": [
                {"name": r.name, "from": list(r.from_kinds), "to": list(r.to_kinds),
                 "symmetric": r.symmetric, "description": r.description,
                 **({"ftm": r.ftm} if r.ftm else {})}
                for r in self.relations.values()
            ],
        }
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# ------------------------------------------------------------------ validation

_SET_KEYS = {"name", "applies_to", "exclusive", "advance", "description", "tags"}
_TAG_KEYS = {"name", "key", "color", "description"}
_REL_KEYS = {"name", "from", "to", "symmetric", "description", "ftm"}
_TOP_KEYS = {"tagsets", "relations", "keymap", "version"}
_SAFE_TAGS = {
    "tag:yaml.org,2002:" + t for t in
    ("str", "int", "bool", "null", "float", "seq", "map", "binary", "timestamp")
}


class _Checker:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[TagSetError] = []

    def error(self, node: yaml.Node | yaml.Mark, message: str) -> None:
        mark = node.start_mark if isinstance(node, yaml.Node) else node
        self.errors.append(TagSetError(self.path, mark.line + 1, mark.column + 1, message))

    def mapping(self, node: yaml.Node, allowed: set[str], what: str) -> dict[str, tuple]:
        """{key: (key node, value node)} of a mapping, reporting unknown and repeated keys."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping")
            return {}
        out: dict[str, tuple] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(key_node, f"unknown key '{key}' in {what}{hint}; allowed: "
                           f"{', '.join(sorted(allowed))}")
                continue
            if key in out:
                self.error(key_node, f"key '{key}' appears twice in {what}")
                continue
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"{what} must be a single value")
            return None
        return str(node.value)

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if value is None:
            return False
        if value.lower() in ("true", "yes", "on"):
            return True
        if value.lower() in ("false", "no", "off"):
            return False
        self.error(node, f"{what} must be true or false, not '{value}'")
        return False

    def kinds(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out = []
        for item in items:
            kind = self.scalar(item, what)
            if kind is None:
                continue
            if kind not in KINDS:
                self.error(item, f"unknown kind '{kind}' in {what}; kinds are "
                           f"{', '.join(KINDS)}")
                continue
            out.append(kind)
        return tuple(out)

    def unsafe_tags(self, node: yaml.Node) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            if n.tag not in _SAFE_TAGS:
                self.error(n, f"YAML tag '{n.tag}' is not allowed (only plain data is read)")
            if isinstance(n, yaml.SequenceNode):
                stack.extend(n.value)
            elif isinstance(n, yaml.MappingNode):
                for k, v in n.value:
                    stack.extend((k, v))


def parse(text: str, path: str = "<tagsets>") -> tuple[TagConfig, list[TagSetError]]:
    """Parse and validate one file's text; returns what could be read, and every problem."""
    check = _Checker(path)
    try:
        root = safeyaml.compose(text, max_chars=MAX_CHARS)
    except safeyaml.YAMLRefused as exc:
        return TagConfig(), [TagSetError(path, exc.line, exc.column, exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "bad YAML"
        return TagConfig(), [TagSetError(path, line, col, f"YAML syntax: {problem}")]
    except yaml.YAMLError as exc:
        return TagConfig(), [TagSetError(path, 1, 1, f"YAML: {exc}")]
    config = TagConfig()
    if root is None:
        return config, [TagSetError(path, 1, 1, "empty file: expected 'tagsets:' and/or "
                                    "'relations:'")]
    check.unsafe_tags(root)
    if check.errors:
        return config, check.errors
    top = check.mapping(root, _TOP_KEYS, "the file")
    if "tagsets" in top:
        _parse_sets(check, top["tagsets"][1], config)
    if "relations" in top:
        _parse_relations(check, top["relations"][1], config)
    if "keymap" in top:
        _parse_keymap(check, top["keymap"][1], config)
    return config, check.errors


def _parse_keymap(check: _Checker, node: yaml.Node, config: TagConfig) -> None:
    """`keymap: {dossier.quit: Q, list.down: "j,down,ctrl+n"}`: binding ids of dossier/keys.py
    to Textual key names (comma-separated)."""
    from dossier.keys import by_id

    known = by_id()
    fields = check.mapping(node, set(known), "keymap")
    for binding_id, (_, value_node) in fields.items():
        value = check.scalar(value_node, f"the keys of {binding_id}")
        if value is None:
            continue
        keys = [k.strip() for k in value.split(",")]
        if not all(keys) or any(len(k) > 40 or not k.isprintable() or " " in k
                                for k in keys):
            check.error(value_node, f"keys of {binding_id} must be key names separated by "
                        f"commas, not '{value}'")
            continue
        config.keymap[binding_id] = ",".join(keys)


def _parse_sets(check: _Checker, node: yaml.Node, config: TagConfig) -> None:
    if not isinstance(node, yaml.SequenceNode):
        check.error(node, "'tagsets' must be a list of sets")
        return
    key_owner: dict[tuple[str, str], str] = {}
    for set_node in node.value:
        fields = check.mapping(set_node, _SET_KEYS, "a tag set")
        if not fields:
            continue
        if "name" not in fields:
            check.error(set_node, "a tag set needs a 'name'")
            continue
        name = check.scalar(fields["name"][1], "a set's name")
        if not name:
            continue
        if name in config.sets:
            check.error(fields["name"][1], f"duplicate tag set name '{name}'")
            continue
        applies = check.kinds(fields["applies_to"][1], "applies_to") if "applies_to" in \
            fields else KINDS
        if "applies_to" in fields and not applies:
            check.error(fields["applies_to"][1], "applies_to names no kind")
        exclusive = check.boolean(fields["exclusive"][1], "exclusive") if "exclusive" in \
            fields else False
        description = (check.scalar(fields["description"][1], "description") or "") if \
            "description" in fields else ""
        tags: list[Tag] = []
        if "tags" not in fields:
            check.error(set_node, f"tag set '{name}' has no 'tags'")
        elif not isinstance(fields["tags"][1], yaml.SequenceNode):
            check.error(fields["tags"][1], "'tags' must be a list")
        else:
            for tag_node in fields["tags"][1].value:
                tag = _parse_tag(check, tag_node, name, tags)
                if tag is None:
                    continue
                tags.append(tag)
                if tag.key:
                    for kind in applies:
                        owner = key_owner.get((kind, tag.key))
                        if owner:
                            check.error(_key_node(tag_node), f"hotkey '{tag.key}' is used "
                                        f"twice for {kind}s ({owner} and {name}:{tag.name})")
                        key_owner[(kind, tag.key)] = f"{name}:{tag.name}"
        # Triage is a walk down the list: by default, tagging with it moves to the next row.
        advance = check.boolean(fields["advance"][1], "advance") if "advance" in fields \
            else name == "triage"
        config.sets[name] = TagSet(name, applies, exclusive, description, tuple(tags), advance)


def _key_node(tag_node: yaml.Node) -> yaml.Node:
    if isinstance(tag_node, yaml.MappingNode):
        for k, v in tag_node.value:
            if k.value == "key":
                return v
    return tag_node


def _parse_tag(check: _Checker, node: yaml.Node, set_name: str, seen: list[Tag]) -> Tag | None:
    if isinstance(node, yaml.ScalarNode):  # a bare tag name
        fields = {"name": (node, node)}
    else:
        fields = check.mapping(node, _TAG_KEYS, f"a tag of '{set_name}'")
        if not fields:
            return None
    if "name" not in fields:
        check.error(node, f"a tag of '{set_name}' needs a 'name'")
        return None
    name = check.scalar(fields["name"][1], "a tag's name")
    if not name:
        return None
    if any(t.name == name for t in seen):
        check.error(fields["name"][1], f"duplicate tag '{name}' in set '{set_name}'")
        return None
    key = None
    if "key" in fields:
        key_node = fields["key"][1]
        key = check.scalar(key_node, "key")
        if key is not None:
            if key in APP_KEYS:
                check.error(key_node, f"hotkey '{key}' is one of the app's own keys")
                key = None
            elif len(key) != 1 or not key.isprintable() or key.isspace():
                check.error(key_node, f"hotkey '{key}' must be one printable character")
                key = None
    color = None
    if "color" in fields:
        color_node = fields["color"][1]
        color = check.scalar(color_node, "color")
        if color is not None:
            try:
                Color.parse(color)
            except ColorParseError:
                check.error(color_node, f"'{color}' is not a colour (a name or #rrggbb)")
                color = None
    description = (check.scalar(fields["description"][1], "description") or "") if \
        "description" in fields else ""
    return Tag(name, key, color, description)


def _parse_relations(check: _Checker, node: yaml.Node, config: TagConfig) -> None:
    if not isinstance(node, yaml.SequenceNode):
        check.error(node, "'relations' must be a list")
        return
    for rel_node in node.value:
        fields = check.mapping(rel_node, _REL_KEYS, "a relation")
        if not fields:
            continue
        if "name" not in fields:
            check.error(rel_node, "a relation needs a 'name'")
            continue
        name = check.scalar(fields["name"][1], "a relation's name")
        if not name:
            continue
        if name in config.relations:
            check.error(fields["name"][1], f"duplicate relation name '{name}'")
            continue
        ends = []
        for end in ("from", "to"):
            if end not in fields:
                check.error(rel_node, f"relation '{name}' needs '{end}'")
                ends.append(())
            else:
                ends.append(check.kinds(fields[end][1], f"'{end}' of relation '{name}'"))
        symmetric = check.boolean(fields["symmetric"][1], "symmetric") if "symmetric" in \
            fields else False
        description = (check.scalar(fields["description"][1], "description") or "") if \
            "description" in fields else ""
        ftm = (check.scalar(fields["ftm"][1], "ftm") or "") if "ftm" in fields else ""
        if ftm and ftm not in FTM_SCHEMAS:
            close = difflib.get_close_matches(ftm, FTM_SCHEMAS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else \
                f" (one of {', '.join(FTM_SCHEMAS)})"
            check.error(fields["ftm"][1], f"unknown FollowTheMoney schema '{ftm}'{hint}")
            ftm = ""
        config.relations[name] = RelationType(name, ends[0], ends[1], symmetric, description,
                                              ftm)


# ------------------------------------------------------------------ loading

DEFAULT_NAME = "tagsets.yaml"
MAX_CHARS = 256 * 1024  # a tag-set file (the default is 3 KB); pure-Python YAML reads ~50 KB/s


def validate_file(path: str | os.PathLike[str]) -> list[TagSetError]:
    """Every problem of one file (empty when it is valid)."""
    return _load_file(Path(path))[1]


def _load_file(path: Path) -> tuple[TagConfig, list[TagSetError]]:
    try:
        text = read_bytes(path, MAX_CHARS).decode("utf-8")
    except FileRefused as exc:
        return TagConfig(), [TagSetError(str(path), 1, 1, exc.reason)]
    except UnicodeDecodeError as exc:
        return TagConfig(), [TagSetError(str(path), 1, 1, f"cannot read: {exc}")]
    return parse(text, str(path))


def default_config() -> TagConfig:
    """The shipped default tag sets (data/tagsets.yaml)."""
    config, errors = parse((data_files() / DEFAULT_NAME).read_text(encoding="utf-8"),
                           f"data/{DEFAULT_NAME}")
    if errors:
        raise TagSetFileErrors(errors)
    return config


def load_tagsets(paths: Iterable[str | os.PathLike[str]] = (), *, store: Store | None = None,
                 include_default: bool = True) -> TagConfig:
    """The default sets, then those the dossier remembers, then each file (later replaces
    same-named sets). Raises `TagSetFileErrors` with all the problems of the first bad file."""
    config = default_config() if include_default else TagConfig()
    if store is not None and (remembered := store.get_meta("tagsets")):
        saved, errors = parse(remembered, f"{store.path} (meta.tagsets)")
        if errors:
            raise TagSetFileErrors(errors)
        config = config.merge(saved)
    for path in paths:
        loaded, errors = _load_file(Path(path))
        if errors:
            raise TagSetFileErrors(errors)
        config = config.merge(loaded)
    # Keys must stay unique per kind across the merged files too.
    owners: dict[tuple[str, str], str] = {}
    for tagset in config.sets.values():
        for tag in tagset.tags:
            for kind in tagset.applies_to if tag.key else ():
                if (kind, tag.key) in owners:
                    raise TagSetFileErrors([TagSetError(
                        str(list(paths)[-1]) if paths else "tagsets", 1, 1,
                        f"hotkey '{tag.key}' is used twice for {kind}s "
                        f"({owners[(kind, tag.key)]} and {tagset.name}:{tag.name})")])
                owners[(kind, tag.key)] = f"{tagset.name}:{tag.name}"
    return config


def remembered_problems(store: Store) -> list[str]:
    """Problems of the tag sets a dossier remembers (`meta.tagsets`), for `dossier check`:
    a stranger's file may hold a broken or hostile value that would stop the app opening."""
    remembered = store.get_meta("tagsets")
    if not remembered:
        return []
    return [str(error) for error in parse(remembered, "meta.tagsets")[1]]


def remember(store: Store, config: TagConfig) -> None:
    """Save the tag sets in the dossier, so a colleague who opens it sees the same ones."""
    text = config.to_yaml()
    if not store.readonly and store.get_meta("tagsets") != text:
        store.set_meta("tagsets", text)
