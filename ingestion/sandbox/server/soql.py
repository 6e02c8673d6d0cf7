"""The SOQL subset the sandbox answers, parsed into a small tree and evaluated on numpy columns.

    SELECT f1, f2 | FIELDS(ALL) | COUNT() FROM Obj
      [WHERE cond]            cond: comparisons (= != <> < <= > >= LIKE IN NOT IN) joined by
                              AND / OR / NOT and parentheses; literals: datetimes
                              (2024-01-01T00:00:00Z, ...+0000, .000Z), dates, 'strings',
                              numbers, TRUE, FALSE, NULL
      [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...]
      [LIMIT n] [OFFSET n]

Keywords, object and field names are case-insensitive, as in Salesforce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ingestion.sandbox.server.columns import Column, parse_date_ms, parse_datetime_ms
from ingestion.sandbox.server.responses import SalesforceError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
      | (?P<date>\d{4}-\d{2}-\d{2})(?![\dT])
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"select", "from", "where", "and", "or", "not", "order", "by", "asc", "desc", "nulls",
             "first", "last", "limit", "offset", "in", "like", "true", "false", "null", "fields"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str  # = != < <= > >= like in notin
    value: object  # a Literal, or a list of them for IN


@dataclass(frozen=True)
class Literal:
    kind: str  # datetime | date | string | number | bool | null
    value: object


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or | not
    items: tuple


@dataclass(frozen=True)
class OrderItem:
    field: str
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...] | None  # None: FIELDS(ALL)
    sobject: str
    where: object | None
    order: tuple[OrderItem, ...]
    limit: int | None
    offset: int
    count: bool = False  # SELECT COUNT(): the answer is totalSize alone, with no records


def malformed(message: str) -> SalesforceError:
    return SalesforceError(400, "MALFORMED_QUERY", message)


def _tokenize(soql: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(soql):
        if soql[pos:].strip() == "":
            break
        match = _TOKEN.match(soql, pos)
        if not match or match.end() == pos:
            bad = soql[pos:].strip()[:20]
            raise malformed(f"\n{soql}\nERROR at Row:1:Column:{pos + 1}\nunexpected token: '{bad}'")
        kind = match.lastgroup
        text, start = match.group(kind), match.start(kind)
        if kind == "word" and text.lower() in _KEYWORDS:
            kind, text = "kw", text.lower()
        tokens.append(Token(kind, text, start))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, soql: str):
        self.soql = soql
        self.tokens = _tokenize(soql)
        self.i = 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def error(self, expected: str | None = None) -> SalesforceError:
        token = self.peek()
        if token is None:
            return malformed(f"\n{self.soql}\nERROR at Row:1:Column:{len(self.soql)}\nunexpected token: <EOF>")
        detail = (f"unexpected token: '{token.text}'" if expected is None
                  else f"expecting {expected}, found '{token.text}'")
        return malformed(f"\n{self.soql}\nERROR at Row:1:Column:{token.pos + 1}\n{detail}")

    def take(self, kind: str, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or token.kind != kind or (text is not None and token.text != text):
            raise self.error(repr(text) if text else kind)
        self.i += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> Token | None:
        token = self.peek()
        if token is not None and token.kind == kind and (text is None or token.text == text):
            self.i += 1
            return token
        return None

    def parse(self) -> Query:
        self.take("kw", "select")
        fields: list[str] | None = []
        count = False
        token, after = self.peek(), self.peek(1)
        if (token is not None and token.kind == "word" and token.text.lower() == "count"
                and after is not None and after.text == "("):
            self.i += 1
            self.take("punct", "(")
            self.take("punct", ")")
            count = True
        elif self.accept("kw", "fields"):
            self.take("punct", "(")
            which = self.take("word").text.lower()
            if which not in ("all", "standard"):
                raise self.error()
            self.take("punct", ")")
            fields = None
        else:
            fields.append(self.take("word").text)
            while self.accept("punct", ","):
                fields.append(self.take("word").text)
        self.take("kw", "from")
        sobject = self.take("word").text
        where = None
        if self.accept("kw", "where"):
            where = self.condition()
        order: list[OrderItem] = []
        if self.accept("kw", "order"):
            self.take("kw", "by")
            order.append(self.order_item())
            while self.accept("punct", ","):
                order.append(self.order_item())
        limit = None
        if self.accept("kw", "limit"):
            limit = self.integer()
        offset = 0
        if self.accept("kw", "offset"):
            offset = self.integer()
        if self.peek() is not None:
            raise self.error()
        return Query(tuple(fields) if fields is not None else None, sobject, where, tuple(order), limit, offset,
                     count)

    def integer(self) -> int:
        token = self.take("number")
        if not token.text.isdigit():
            raise malformed(f"\n{self.soql}\nERROR at Row:1:Column:{token.pos + 1}\nexpecting a non-negative integer")
        return int(token.text)

    def order_item(self) -> OrderItem:
        name = self.take("word").text
        descending = bool(self.accept("kw", "desc"))
        if not descending:
            self.accept("kw", "asc")
        nulls_last = descending  # Salesforce's default: nulls first ascending, last descending
        if self.accept("kw", "nulls"):
            if self.accept("kw", "last"):
                nulls_last = True
            else:
                self.take("kw", "first")
                nulls_last = False
        return OrderItem(name, descending, nulls_last)

    def condition(self):
        items = [self.conjunction()]
        while self.accept("kw", "or"):
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def conjunction(self):
        items = [self.negation()]
        while self.accept("kw", "and"):
            items.append(self.negation())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def negation(self):
        if self.accept("kw", "not"):
            return BoolOp("not", (self.negation(),))
        if self.accept("punct", "("):
            inner = self.condition()
            self.take("punct", ")")
            return inner
        name = self.take("word").text
        if self.accept("kw", "in"):
            return Comparison(name, "in", self.literal_list())
        if self.accept("kw", "not"):
            self.take("kw", "in")
            return Comparison(name, "notin", self.literal_list())
        if self.accept("kw", "like"):
            return Comparison(name, "like", self.literal())
        op = self.take("op").text
        return Comparison(name, "!=" if op == "<>" else op, self.literal())

    def literal_list(self) -> list[Literal]:
        self.take("punct", "(")
        values = [self.literal()]
        while self.accept("punct", ","):
            values.append(self.literal())
        self.take("punct", ")")
        return values

    def literal(self) -> Literal:
        token = self.peek()
        if token is None:
            raise self.error()
        self.i += 1
        if token.kind == "string":
            body = token.text[1:-1]
            return Literal("string", re.sub(r"\\(.)", r"\1", body))
        if token.kind == "datetime":
            return Literal("datetime", parse_datetime_ms(token.text))
        if token.kind == "date":
            return Literal("date", parse_date_ms(token.text))
        if token.kind == "number":
            return Literal("number", float(token.text))
        if token.kind == "kw" and token.text in ("true", "false"):
            return Literal("bool", token.text == "true")
        if token.kind == "kw" and token.text == "null":
            return Literal("null", None)
        self.i -= 1
        raise self.error()


def parse(soql: str) -> Query:
    if not soql or not soql.strip():
        raise malformed("A query string is required (the q parameter)")
    return _Parser(soql).parse()


# --- evaluation -------------------------------------------------------------------------------

def evaluate(node, column_of, size: int) -> np.ndarray:
    """A boolean mask of the rows that satisfy ``node``; ``column_of(field)`` gives columns."""
    if isinstance(node, BoolOp):
        masks = [evaluate(item, column_of, size) for item in node.items]
        if node.op == "not":
            return ~masks[0]
        out = masks[0].copy()
        for mask in masks[1:]:
            out = (out & mask) if node.op == "and" else (out | mask)
        return out
    column: Column = column_of(node.field)
    if node.op in ("in", "notin"):
        mask = np.zeros(size, dtype=bool)
        for literal in node.value:
            mask |= _compare(column, "=", literal, node.field)
        return ~mask if node.op == "notin" else mask
    if node.op == "like":
        return _like(column, node.value, node.field)
    return _compare(column, node.op, node.value, node.field)


def _type_error(field: str, column: Column, literal: Literal) -> SalesforceError:
    wanted = {"datetime": "dateTime", "date": "date", "number": "number", "bool": "boolean"}.get(column.kind, "string")
    return SalesforceError(
        400, "INVALID_FIELD",
        f"value of filter criterion for field '{field}' must be of type {wanted} and should not be enclosed in quotes"
        if wanted != "string" else f"value of filter criterion for field '{field}' must be a quoted string",
    )


def _compare(column: Column, op: str, literal: Literal, field: str) -> np.ndarray:
    if literal.kind == "null":
        if op == "=":
            return column.null.copy()
        if op == "!=":
            return ~column.null
        raise malformed(f"invalid operator on null for field '{field}'")
    value = literal.value
    values = column.values
    if column.kind in ("datetime", "date"):
        if literal.kind not in ("datetime", "date"):
            raise _type_error(field, column, literal)
    elif column.kind == "number":
        if literal.kind != "number":
            raise _type_error(field, column, literal)
    elif column.kind == "bool":
        if literal.kind != "bool":
            raise _type_error(field, column, literal)
    else:
        if literal.kind != "string":
            # An id or picklist compared with a bare word is a malformed query in Salesforce too.
            raise _type_error(field, column, literal)
    if column.kind == "string" and op in ("=", "!="):
        # Salesforce compares strings case-insensitively.
        lowered = np.char.lower(values.astype(str)) if len(values) else values.astype(str)
        result = lowered == str(value).lower()
        result = np.asarray(result, dtype=bool)
    else:
        result = {
            "=": lambda: values == value,
            "!=": lambda: values != value,
            "<": lambda: values < value,
            "<=": lambda: values <= value,
            ">": lambda: values > value,
            ">=": lambda: values >= value,
        }[op]()
        result = np.asarray(result, dtype=bool)
    if op == "!=":
        # A null is "not equal" to any value in SOQL.
        return result | column.null
    return result & ~column.null


def _like(column: Column, literal: Literal, field: str) -> np.ndarray:
    if literal.kind != "string":
        raise _type_error(field, column, literal)
    pattern = re.compile(
        "^" + "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in str(literal.value)) + "$",
        re.IGNORECASE | re.DOTALL,
    )
    values = column.values
    out = np.fromiter((bool(pattern.match(str(v))) for v in values), dtype=bool, count=len(values))
    return out & ~column.null


def order_rows(rows: np.ndarray, order: tuple[OrderItem, ...], column_of) -> np.ndarray:
    """``rows`` sorted by the ORDER BY items (stable: ties keep file order)."""
    if not order or len(rows) == 0:
        return rows
    keys: list[np.ndarray] = []
    for item in order:
        column: Column = column_of(item.field)
        rank = column.rank()[rows]
        rank = rank.astype(np.int64) if rank.dtype in (np.int64, np.bool_) else rank.astype(np.float64)
        null = column.null[rows]
        if item.descending:
            rank = -rank
        null_key = null if item.nulls_last else ~null
        keys.append(null_key.astype(np.int8))
        keys.append(rank)
    # np.lexsort sorts by the last key first.
    return rows[np.lexsort(tuple(reversed(keys)))]
