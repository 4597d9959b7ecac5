"""The patent-searcher query language, parsed into an engine-independent tree.

``neural network`` (default AND), ``title:"neural network"``, ``cpc:G06N3/`` (prefix),
``date:[2015-01-01 TO 2020-12-31]``, ``year:2019``, ``pd>=2018``, ``neur*``, ``AND``/``OR``/``NOT``
(upper case) and parentheses, also after a field (``title:(robot OR drone)``). The backends
take a lone ``*`` as every document of the collections (not part of this grammar). Both backends
translate the same tree, so a query means the same thing on tantivy and on OpenSearch. User text
never reaches an engine's own query parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from patent_search.search.model import QuerySyntaxError

__all__ = [
    "MAX_CLAUSES",
    "And",
    "DateRange",
    "Keyword",
    "Node",
    "Not",
    "Or",
    "Prefix",
    "Text",
    "parse",
]

MAX_CLAUSES = 50
MAX_QUERY_CHARS = 2_000
MIN_PREFIX_CHARS = 2
TEXT_FIELDS = ("title", "abstract", "claims", "description", "assignee", "applicant", "inventor")
KEYWORD_FIELDS = ("cpc", "ipc", "jurisdiction", "pn")
ALIASES = {
    "ti": "title", "ab": "abstract", "cl": "claims", "desc": "description",
    "cc": "jurisdiction", "country": "jurisdiction", "pd": "date",
}
FIELDS = frozenset(TEXT_FIELDS + KEYWORD_FIELDS + ("date", "year")) | frozenset(ALIASES)
_COMPARISON = re.compile(r"^(date|pd|year)(>=|<=|>|<)(.+)$", re.IGNORECASE)
_FIELD = re.compile(r"^([A-Za-z_]+):(.*)$", re.DOTALL)
_SPECIAL = '()"[]'
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Text:
    """Words (or a quoted phrase) in a text field; ``field`` None means the default fields."""

    field: str | None
    text: str
    position: int
    phrase: bool = False


@dataclass(frozen=True)
class Prefix:
    """A trailing-wildcard word (``neur*``) in a text field or the default fields."""

    field: str | None
    text: str
    position: int


@dataclass(frozen=True)
class Keyword:
    """An exact or prefix value of a keyword field: cpc/ipc (prefix), jurisdiction, pn."""

    field: str
    value: str
    position: int


@dataclass(frozen=True)
class DateRange:
    """Publication date between ``start`` and ``end`` inclusive; None is open-ended."""

    start: date | None
    end: date | None
    position: int


@dataclass(frozen=True)
class And:
    """Every item must match."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one item must match."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """The item must not match."""

    item: Node


Node = Text | Prefix | Keyword | DateRange | And | Or | Not


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, range, field, cmp, lparen, rparen, op
    value: str
    position: int
    extra: str = ""


def parse(query: str) -> Node:
    """Parse ``query`` into a tree, or raise :class:`QuerySyntaxError` naming the position."""
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS)
    parser = _Parser(query, _tokens(query))
    if not parser.tokens:
        raise QuerySyntaxError("empty query: expected a term", 0, query)
    node = parser.expression(None)
    token = parser.peek()
    if token is not None:
        if token.kind == "rparen":
            raise parser.error("unbalanced parenthesis: ')' has no matching '('", token.position)
        raise parser.error(f"unexpected {token.value!r}", token.position)
    return node


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token("lparen" if ch == "(" else "rparen", ch, i))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError('unbalanced quote: expected a closing "', i, query)
            tokens.append(_Token("phrase", query[i + 1:end], i))
            i = end + 1
        elif ch == "[":
            end = query.find("]", i + 1)
            if end < 0:
                raise QuerySyntaxError("unclosed range: expected ']'", i, query)
            tokens.append(_Token("range", query[i + 1:end], i))
            i = end + 1
        elif ch == "]":
            raise QuerySyntaxError("']' without a matching '['", i, query)
        else:
            start = i
            while i < len(query) and not query[i].isspace() and query[i] not in _SPECIAL:
                i += 1
            tokens.extend(_word_tokens(query, query[start:i], start))
    return tokens


def _word_tokens(query: str, word: str, position: int) -> list[_Token]:
    if word in _OPERATORS:
        return [_Token("op", word, position)]
    comparison = _COMPARISON.match(word)
    if comparison:
        _name, operator, value = comparison.groups()
        return [_Token("cmp", value, position, extra=operator)]
    fielded = _FIELD.match(word)
    if not fielded:
        return [_Token("word", word, position)]
    name, rest = fielded.group(1).lower(), fielded.group(2)
    if name not in FIELDS:
        known = ", ".join(sorted(FIELDS))
        raise QuerySyntaxError(f"unknown field {name!r}: expected one of {known}", position, query)
    tokens = [_Token("field", ALIASES.get(name, name), position)]
    if rest:
        tokens.append(_Token("word", rest, position + len(name) + 1))
    return tokens


class _Parser:
    """Recursive descent: or-expression > and-expression (implicit AND) > unary > primary."""

    def __init__(self, query: str, tokens: list[_Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.index = 0
        self.clauses = 0

    def error(self, message: str, position: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, position, self.query)

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect_operand(self, after: str) -> _Token:
        token = self.peek()
        if token is None or token.kind == "rparen" or (token.kind == "op" and token.value != "NOT"):
            position = token.position if token else len(self.query)
            raise self.error(f"expected a term after {after}", position)
        return token

    def expression(self, field: str | None) -> Node:
        items = [self.conjunction(field)]
        while (token := self.peek()) is not None and token.kind == "op" and token.value == "OR":
            self.take()
            self.expect_operand("OR")
            items.append(self.conjunction(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self, field: str | None) -> Node:
        items = [self.unary(field)]
        while (token := self.peek()) is not None and token.kind != "rparen":
            if token.kind == "op" and token.value == "OR":
                break
            if token.kind == "op" and token.value == "AND":
                self.take()
                self.expect_operand("AND")
            items.append(self.unary(field))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, field: str | None) -> Node:
        token = self.expect_operand("the start of the query" if self.index == 0 else "this")
        if token.kind == "op" and token.value == "NOT":
            self.take()
            self.expect_operand("NOT")
            return Not(self.unary(field))
        return self.primary(field)

    def primary(self, field: str | None) -> Node:
        token = self.take()
        if token.kind == "lparen":
            node = self.expression(field)
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise self.error("unbalanced parenthesis: '(' is never closed", token.position)
            self.take()
            return node
        if token.kind == "field":
            if field is not None:
                raise self.error(f"field {token.value!r} inside the field group {field!r}",
                                 token.position)
            value = self.peek()
            if value is None or value.kind in ("rparen", "op", "field", "cmp"):
                raise self.error(f"expected a value after '{token.value}:'",
                                 value.position if value else len(self.query))
            return self.primary(token.value)
        if token.kind == "cmp":
            return self.leaf(_comparison(token, self.query), token.position)
        if token.kind == "range":
            return self.leaf(self.range(field, token), token.position)
        return self.leaf(self.value(field, token), token.position)

    def leaf(self, node: Node, position: int) -> Node:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise self.error(f"too many clauses: at most {MAX_CLAUSES} terms per query", position)
        return node

    def range(self, field: str | None, token: _Token) -> Node:
        if field not in ("date", "year"):
            raise self.error("a [FROM TO UNTIL] range needs date: or year:", token.position)
        parts = token.value.split()
        if len(parts) != 3 or parts[1].upper() != "TO":
            raise self.error("bad range: expected [FROM TO UNTIL], e.g. [2015-01-01 TO 2020-12-31]",
                             token.position)
        start = None if parts[0] == "*" else _date(parts[0], token.position, self.query, end=False)
        end = None if parts[2] == "*" else _date(parts[2], token.position, self.query, end=True)
        if start and end and start > end:
            raise self.error("bad range: the start is after the end", token.position)
        return DateRange(start, end, token.position)

    def value(self, field: str | None, token: _Token) -> Node:
        position = token.position
        if field in ("date", "year"):
            if token.kind == "phrase":
                raise self.error(f"expected a date after '{field}:'", position)
            return DateRange(_date(token.value, position, self.query, end=False),
                             _date(token.value, position, self.query, end=True), position)
        if field in KEYWORD_FIELDS:
            value = token.value.strip().rstrip("*")
            if not value:
                raise self.error(f"expected a value after '{field}:'", position)
            return Keyword(field, value, position)
        if token.kind == "phrase":
            if not token.value.strip():
                raise self.error("empty phrase: expected words between the quotes", position)
            return Text(field, token.value, position, phrase=True)
        return _word(field, token, self.query)


def _word(field: str | None, token: _Token, query: str) -> Node:
    text = token.value
    star = text.find("*")
    if star < 0:
        return Text(field, text, token.position)
    if star != len(text) - 1:
        raise QuerySyntaxError("a wildcard '*' is only allowed at the end of a word",
                               token.position + star, query)
    if len(text) - 1 < MIN_PREFIX_CHARS:
        raise QuerySyntaxError(
            f"a wildcard needs at least {MIN_PREFIX_CHARS} characters before '*'",
            token.position, query)
    return Prefix(field, text[:-1], token.position)


def _comparison(token: _Token, query: str) -> DateRange:
    operator = token.extra
    start = _date(token.value, token.position, query, end=False)
    end = _date(token.value, token.position, query, end=True)
    day = timedelta(days=1)
    bounds = {">=": (start, None), ">": (end + day, None), "<=": (None, end),
              "<": (None, start - day)}
    low, high = bounds[operator]
    return DateRange(low, high, token.position)


_DATE = re.compile(r"^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?$")


def _date(text: str, position: int, query: str, *, end: bool) -> date:
    """A date, or the first/last day of a year or month when the text is shorter."""
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError(text)
        year, month, day = match.groups()
        if day:
            return date(int(year), int(month), int(day))
        if month:
            first = date(int(year), int(month), 1)
            if not end:
                return first
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - timedelta(days=1)
        return date(int(year), 12, 31) if end else date(int(year), 1, 1)
    except ValueError:
        raise QuerySyntaxError(
            f"bad date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD", position, query) from None


def leaves(node: Node) -> list[Node]:
    """The leaf clauses of a tree, in query order."""
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in leaves(item)]
    if isinstance(node, Not):
        return leaves(node.item)
    return [node]


def is_scored(node: Node) -> bool:
    """Whether any positive clause ranks by text relevance (else every hit scores the same)."""
    if isinstance(node, And | Or):
        return any(is_scored(item) for item in node.items)
    if isinstance(node, Not):
        return False
    return isinstance(node, Text | Prefix)
