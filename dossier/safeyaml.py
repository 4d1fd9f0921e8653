"""Bounded safe YAML: every YAML this program reads from a file goes through here.

`yaml.safe_load` constructs nothing dangerous, but it is not bounded: a few hundred bytes of
nested aliases ("billion laughs") describe 10**9 values, and whatever walks or prints the
result (a tag-set check, `str()` of a front-matter title) takes minutes and gigabytes; a
deeply nested document overflows the composer's recursion. Here a document is refused before
anything walks it when it is longer than a limit, nested deeper than a limit, or when its
aliases, expanded, would make more nodes than a limit (a recursive alias counts as too many).
The composer shares aliased nodes, so composing and checking are linear in the text.
"""

from __future__ import annotations

import yaml

MAX_CHARS = 1024 * 1024  # a tag-set file, a gazetteer, a theme, meta.tagsets
MAX_NODES = 100_000  # nodes once every alias is expanded
MAX_DEPTH = 64  # levels of nesting


class YAMLRefused(yaml.YAMLError):
    """A document refused for its size, depth or alias expansion (not a syntax error).

    `line` and `column` are 1-based; str() is `LINE:COL: message`."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(f"{line}:{column}: {message}")
        self.message, self.line, self.column = message, line, column

    @classmethod
    def at(cls, mark: yaml.Mark | None, message: str) -> YAMLRefused:
        if mark is None:
            return cls(message)
        return cls(message, mark.line + 1, mark.column + 1)


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader with a nesting bound in the (recursive) composer."""

    max_depth = MAX_DEPTH

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise YAMLRefused.at(self.peek_event().start_mark,
                                     f"nested more than {self.max_depth} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expansion(root: yaml.Node, max_nodes: int) -> None:
    """Refuse a node graph whose aliases expand to more than `max_nodes` nodes, or loop.

    Each distinct node is visited once (its expanded size remembered), so this is linear in
    the composed graph, not in its expansion."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > max_nodes:
                raise YAMLRefused.at(node.start_mark, f"aliases expand to more than "
                                     f"{max_nodes:,} values (an alias bomb?)")
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise YAMLRefused.at(node.start_mark, "a recursive alias (a node inside itself)")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def compose(text: str, *, max_chars: int = MAX_CHARS, max_nodes: int = MAX_NODES,
            max_depth: int = MAX_DEPTH) -> yaml.Node | None:
    """The node graph of one YAML document, checked against the bounds.

    Raises `YAMLRefused` for a document over a bound and `yaml.YAMLError` (a
    `MarkedYAMLError` with positions) for bad YAML."""
    if len(text) > max_chars:
        raise YAMLRefused(f"YAML document of {len(text):,} characters; the limit is "
                          f"{max_chars:,}")
    loader = _BoundedLoader(text)
    loader.max_depth = max_depth
    try:
        root = loader.get_single_node()
    except RecursionError:  # belt and braces: the depth bound comes first
        raise YAMLRefused(f"nested more than {max_depth} levels deep") from None
    finally:
        loader.dispose()
    if root is not None:
        _check_expansion(root, max_nodes)
    return root


def load(text: str, *, max_chars: int = MAX_CHARS, max_nodes: int = MAX_NODES,
         max_depth: int = MAX_DEPTH) -> object:
    """Like `yaml.safe_load`, within the bounds of `compose`.

    Values a safe constructor still cannot build (an integer of 5,000 digits) are a
    `YAMLRefused` too, never a stray ValueError."""
    root = compose(text, max_chars=max_chars, max_nodes=max_nodes, max_depth=max_depth)
    if root is None:
        return None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(root)
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise YAMLRefused(f"cannot read a value: {exc}") from None
    finally:
        constructor.dispose()
