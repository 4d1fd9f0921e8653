"""Search that forgives: any text typed becomes a valid FTS5 query.

API:
    to_fts(text) -> str        the FTS5 query for what the analyst typed ("" when it holds no
                               word: search nothing)
    terms(text) -> list[str]   the words of the query, for highlighting or a fallback

What is kept, for those who type it: `"a phrase"`, `pre*` and `"a phr"*`, `AND`, `OR`, `NOT`
(upper case, between two terms), `NEAR(a b, 5)`, balanced `( )`, and the column filters
`title:word` and `body:word`. Everything else is read as words, never as syntax: a hyphenated
or dotted name (`Iran-Contra`, `U.S.`) is a phrase of its parts, an unbalanced quote runs to
the end, a lone or doubled operator is dropped, a colon after anything but a column name is a
word break, stray `*`, `^`, `+`, `(` and `)` are dropped. The result is checked against an
in-memory FTS5 table; should it still be refused, every word is searched as a plain term
(AND), so no input raises.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field

COLUMNS = ("title", "body")
OPERATORS = ("AND", "OR", "NOT")
MAX_INPUT = 2000  # characters considered; a pasted article is not a query
_WORD = re.compile(r"\w", re.UNICODE)
_NUMBER = re.compile(r"\d+")


@dataclass
class _Phrase:
    text: str
    prefix: bool = False


@dataclass
class _Near:
    phrases: list[_Phrase]
    distance: int | None = None


@dataclass
class _Tok:
    kind: str  # phrase | op | lparen | rparen | near | column
    value: object = None


@dataclass
class _Node:
    kind: str  # phrase | near | and | or | not | group | column
    value: object = None
    children: list[_Node] = field(default_factory=list)


def _has_word(text: str) -> bool:
    return _WORD.search(text) is not None


def _lex(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == '"':
            j = i + 1
            buf = []
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            j += 1  # past the closing quote (or the end)
            prefix = j < n and text[j] == "*"
            if prefix:
                j += 1
            tokens.append(_Tok("phrase", _Phrase("".join(buf), prefix)))
            i = j
            continue
        if c == "(":
            tokens.append(_Tok("lparen"))
            i += 1
            continue
        if c == ")":
            tokens.append(_Tok("rparen"))
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in '"()':
            j += 1
        word = text[i:j]
        i = j
        if word in OPERATORS:
            tokens.append(_Tok("op", word))
        elif word == "NEAR" and i < n and text[i] == "(":
            tokens.append(_Tok("near"))
        elif word == ",":
            tokens.append(_Tok("comma"))
        else:
            head, colon, rest = word.partition(":")
            if colon and head.lower() in COLUMNS:
                tokens.append(_Tok("column", head.lower()))
                word = rest
                if not word:
                    continue
            prefix = word.endswith("*")
            word = word.rstrip("*")
            if word.endswith(","):  # `NEAR(a b, 5)`: the comma is the NEAR's
                tokens.append(_Tok("phrase", _Phrase(word[:-1], prefix)))
                tokens.append(_Tok("comma"))
            else:
                tokens.append(_Tok("phrase", _Phrase(word, prefix)))
    return tokens


class _Parser:
    """Recursive descent with recovery: a token out of place is skipped, never an error."""

    def __init__(self, tokens: list[_Tok]):
        self.toks = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> _Node | None:
        nodes = []
        while self.peek() is not None:
            node = self.or_expr()
            if node is not None:
                nodes.append(node)
            elif self.peek() is not None:
                self.i += 1  # a stray `)` or operator at the top level
        return _join("and", nodes)

    def or_expr(self) -> _Node | None:
        parts = [self.and_expr()]
        while (t := self.peek()) is not None and t.kind == "op" and t.value == "OR":
            self.i += 1
            parts.append(self.and_expr())
        return _join("or", [p for p in parts if p is not None and p.kind != "neg"])

    def and_expr(self) -> _Node | None:
        parts: list[_Node] = []
        self._add(parts, self.not_expr())
        while (t := self.peek()) is not None:
            if t.kind == "op" and t.value in ("AND", "NOT"):
                if t.value == "AND":
                    self.i += 1
                self._add(parts, self.not_expr())
                continue
            if t.kind in ("phrase", "lparen", "near", "column"):
                self._add(parts, self.not_expr())
                continue
            if t.kind == "comma":
                self.i += 1
                continue
            break
        return _join("and", parts)

    @staticmethod
    def _add(parts: list[_Node], node: _Node | None) -> None:
        """Append a term; a negation (`AND NOT x`) applies to what came before it, and one
        with nothing before it is dropped with its term (FTS5 cannot say "all but x")."""
        if node is None:
            return
        if node.kind == "neg":
            if parts:
                left = _join("and", parts)
                assert left is not None
                parts[:] = [_Node("not", children=[left, node.children[0]])]
            return
        parts.append(node)

    def not_expr(self) -> _Node | None:
        left = self.primary()
        while (t := self.peek()) is not None and t.kind == "op" and t.value == "NOT":
            self.i += 1
            right = self.primary()
            if right is None:
                continue
            left = (_Node("neg", children=[right]) if left is None
                    else _Node("not", children=[left, right]) if left.kind != "neg"
                    else _Node("neg", children=[_Node("or", children=[left.children[0], right])]))
        return left

    def primary(self) -> _Node | None:
        while (t := self.peek()) is not None:
            if t.kind == "phrase":
                self.i += 1
                phrase = t.value
                assert isinstance(phrase, _Phrase)
                if not _has_word(phrase.text):
                    continue
                return _Node("phrase", phrase)
            if t.kind == "column":
                self.i += 1
                inner = self.primary()
                return None if inner is None else _Node("column", t.value, [inner])
            if t.kind == "near":
                self.i += 1
                return self.near()
            if t.kind == "lparen":
                self.i += 1
                self.depth += 1
                inner = self.or_expr()
                while (nxt := self.peek()) is not None and nxt.kind != "rparen":
                    more = self.or_expr()  # an operator left over inside: skip it
                    if more is None and self.peek() is not None and \
                            self.peek().kind != "rparen":  # type: ignore[union-attr]
                        self.i += 1
                    elif more is not None:
                        inner = _join("and", [n for n in (inner, more) if n is not None])
                if self.peek() is not None:
                    self.i += 1  # the `)`
                self.depth -= 1
                if inner is None:
                    continue
                return _Node("group", children=[inner])
            if t.kind == "rparen" and self.depth > 0:
                return None
            if t.kind == "op":
                return None  # the caller decides: an operator with nothing before it
            self.i += 1  # a stray `)` or comma
        return None

    def near(self) -> _Node | None:
        # `NEAR(` has been read up to the word; the `(` is the next token.
        if (t := self.peek()) is not None and t.kind == "lparen":
            self.i += 1
        phrases: list[_Phrase] = []
        distance = None
        while (t := self.peek()) is not None and t.kind != "rparen":
            self.i += 1
            if t.kind == "phrase":
                phrase = t.value
                assert isinstance(phrase, _Phrase)
                if distance is None and phrases and self._after_comma() and \
                        _NUMBER.fullmatch(phrase.text):
                    distance = int(phrase.text)
                elif _has_word(phrase.text):
                    phrases.append(phrase)
        if self.peek() is not None:
            self.i += 1
        if not phrases:
            return None
        if len(phrases) == 1:
            return _Node("phrase", phrases[0])
        return _Node("near", _Near(phrases, distance))

    def _after_comma(self) -> bool:
        return self.i >= 2 and self.toks[self.i - 2].kind == "comma"


def _join(kind: str, nodes: list[_Node]) -> _Node | None:
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return _Node(kind, children=nodes)


def _quote(phrase: _Phrase) -> str:
    return '"' + phrase.text.replace('"', '""') + '"' + ("*" if phrase.prefix else "")


def _render(node: _Node) -> str:
    if node.kind == "phrase":
        assert isinstance(node.value, _Phrase)
        return _quote(node.value)
    if node.kind == "near":
        assert isinstance(node.value, _Near)
        inner = " ".join(_quote(p) for p in node.value.phrases)
        if node.value.distance is not None:
            inner += f", {min(node.value.distance, 100000)}"
        return f"NEAR({inner})"
    if node.kind == "column":
        return f"{node.value} : ({_render(node.children[0])})"
    if node.kind == "group":
        return "(" + _render(node.children[0]) + ")"
    if node.kind == "not":
        return f"({_render(node.children[0])}) NOT ({_render(node.children[1])})"
    joiner = " OR " if node.kind == "or" else " AND "
    return "(" + joiner.join(_render(c) for c in node.children) + ")"


def _ts_phrase(phrase: _Phrase, weight: str) -> str | None:
    """One quoted tsquery token: PostgreSQL's parser splits it as it splits the documents
    (`U.S.` is one lexeme there, `Iran-Contra` three), into a `<->` phrase."""
    if not _has_word(phrase.text):
        return None
    text = phrase.text.replace("\\", " ").replace("'", "''")
    marks = ("*" if phrase.prefix else "") + weight
    return f"'{text}'" + (f":{marks}" if marks else "")


_WEIGHTS = {"title": "A", "body": "B"}
NEAR_DEFAULT = 10  # FTS5's distance when NEAR names none
# Above this distance a NEAR is read as AND on PostgreSQL: its tsquery would hold 2 x (N + 1)
# alternatives a pair of phrases, and a window of 50 words is most of a paragraph anyway.
NEAR_EXACT_MAX = 50


def _ts_near(parts: list[str], distance: int | None) -> str:
    """FTS5's `NEAR(p q, N)` (q within N tokens after p ends, or p after q) in tsquery, which
    has only exact distances (`p <d> q`: q starts d positions after p ends): every d from 1
    to N + 1, both orders. Exact for two phrases. For three or more, every pair must be so
    near, which each occurrence of a repeated word may meet in a different place: a superset
    of FTS5's hits there (when no one window of N holds them all)."""
    n = NEAR_DEFAULT if distance is None else distance
    if len(parts) < 2 or n > NEAR_EXACT_MAX:
        return "(" + " & ".join(parts) + ")"
    pairs = []
    for i, first in enumerate(parts):
        for second in parts[i + 1:]:
            pairs.append("(" + " | ".join(f"{x} <{d}> {y}" for d in range(1, n + 2)
                                          for x, y in ((first, second), (second, first)))
                         + ")")
    return pairs[0] if len(pairs) == 1 else "(" + " & ".join(pairs) + ")"


def _render_ts(node: _Node, weight: str = "") -> str | None:
    """The tsquery of a parsed query: phrases as `<->` chains, `*` as `:*`, a column filter
    as a weight (title A, body B), NOT as `& !`, NEAR as `<d>` alternatives (`_ts_near`)."""
    if node.kind == "phrase":
        assert isinstance(node.value, _Phrase)
        return _ts_phrase(node.value, weight)
    if node.kind == "near":
        assert isinstance(node.value, _Near)
        parts = [p for p in (_ts_phrase(x, weight) for x in node.value.phrases) if p]
        return _ts_near(parts, node.value.distance) if parts else None
    if node.kind == "column":
        return _render_ts(node.children[0], _WEIGHTS.get(str(node.value), weight))
    if node.kind == "group":
        return _render_ts(node.children[0], weight)
    if node.kind == "not":
        left, right = (_render_ts(c, weight) for c in node.children)
        if left is None:
            return None
        return left if right is None else f"({left} & !{right})"
    parts = [p for p in (_render_ts(c, weight) for c in node.children) if p]
    if not parts:
        return None
    return "(" + (" | " if node.kind == "or" else " & ").join(parts) + ")"


_ts_cache: dict[str, str] = {}


def fts_to_tsquery(fts: str) -> str:
    """PostgreSQL's form (`to_tsquery` text) of a query `to_fts` made: the same forgiving
    rules on both engines, since `to_fts`'s output parses back to the same tree."""
    hit = _ts_cache.get(fts)
    if hit is not None:
        return hit
    try:
        tree = _Parser(_lex(re.sub(r"\b(title|body) : \(", r"\1:(", fts))).parse()
        query = (None if tree is None else _render_ts(tree)) or ""
    except RecursionError:
        query = ""
    if not query:
        query = " & ".join(f"'{t}'" for t in terms(fts))
    if len(_ts_cache) < 2048:
        _ts_cache[fts] = query
    return query


def terms(text: str) -> list[str]:
    """The words of what was typed, in order (operators and syntax left out)."""
    return [t for t in re.findall(r"\w+", text[:MAX_INPUT]) if t not in (*OPERATORS, "NEAR")]


def _fallback(text: str) -> str:
    return " AND ".join(f'"{t}"' for t in terms(text))


_check_local = threading.local()


def _valid(query: str) -> bool:
    conn = getattr(_check_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE VIRTUAL TABLE q USING fts5(title, body, "
                     "tokenize='porter unicode61 remove_diacritics 2')")
        _check_local.conn = conn
    try:
        conn.execute("SELECT rowid FROM q WHERE q MATCH ?", (query,)).fetchall()
    except sqlite3.Error:
        return False
    return True


def to_fts(text: str) -> str:
    """The FTS5 query for text typed into a search box; "" when it holds no word."""
    text = text[:MAX_INPUT].replace("\x00", " ")
    try:
        tree = _Parser(_lex(text)).parse()
        query = "" if tree is None else _render(tree)
    except RecursionError:  # thousands of nested parentheses
        query = _fallback(text)
    if query and not _valid(query):
        query = _fallback(text)
    return query
