"""Bounded safe YAML: every YAML this program reads from a file goes through here.

`yaml.safe_load` constructs nothing dangerous, but it is not bounded: a few hundred bytes of
nested aliases ("billion laughs") describe 10**9 values, and whatever walks or prints the
result (a tag-set check, `str()` of a front-matter title) takes minutes and gigabytes; a
deeply nested document overflows the composer's recursion. Here a document is refused before
anything walks it when it is longer than a limit, nested deeper than a limit, or when its
aliases, expanded, would make more nodes than a limit (a recursive alias counts as too many).
The composer shares aliased nodes, so composing and checking are linear in the text.

The text is parsed by libyaml when PyYAML has it (the app's start reads the tag sets and the
themes: ~8 ms less), the nodes composed and bounded by the same Python code either way; a file
refused is refused by PyYAML's own parser, so its messages and positions do not change.
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


class _DepthBound:
    """A nesting bound in PyYAML's (recursive, pure-Python) composer."""

    max_depth = MAX_DEPTH
    _depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise YAMLRefused.at(self.peek_event().start_mark,  # type: ignore[attr-defined]
                                     f"nested more than {self.max_depth} levels deep")
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class _BoundedLoader(_DepthBound, yaml.SafeLoader):
    """The safe loader with a nesting bound in the composer."""


try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    _FastLoader: type | None = None
else:
    class _FastLoader(_DepthBound, yaml.composer.Composer, CParser,  # type: ignore[no-redef]
                      yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """The same safe loader, its text read by libyaml's parser (C: a tag-set file or a
        theme in a fifth of the time, at each start of the app). Nodes are still composed,
        resolved and bounded here, by the same Python code as `_BoundedLoader`'s."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def compose_scalar_node(self, anchor):  # noqa: ANN001, ANN201 - PyYAML's signature
            node = super().compose_scalar_node(anchor)
            if node.style == "":  # libyaml's plain style; PyYAML's parser says None
                node.style = None
            return node


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
    # libyaml takes a tab where PyYAML refuses one (`a:\t1`): a text with a tab is read by
    # PyYAML's parser, so that a file is accepted or refused the same with or without libyaml.
    if _FastLoader is not None and "\t" not in text:
        try:
            return _compose(_FastLoader, text, max_nodes, max_depth)
        except (yaml.YAMLError, UnicodeEncodeError):
            # Refused below as PyYAML's own parser words it (libyaml's wording differs; a
            # lone surrogate is libyaml's UnicodeEncodeError, PyYAML's ReaderError).
            pass
    return _compose(_BoundedLoader, text, max_nodes, max_depth)


def _compose(loader_class: type, text: str, max_nodes: int, max_depth: int) -> yaml.Node | None:
    loader = loader_class(text)
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
    try:
        return _construct(root)
    except yaml.YAMLError:
        if _FastLoader is None:
            raise
    # A value refused (a tag it does not know): said with the marks of PyYAML's own parser,
    # which quote the line (libyaml's do not).
    return _construct(_compose(_BoundedLoader, text, max_nodes, max_depth))


def _construct(root: yaml.Node | None) -> object:
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
