"""Tokenizer and parser for ARM template expressions, and the syntax tree they build.

Kept apart from evaluation so that the function library can import `Unknown` and the error types
without importing the evaluator; those value types live in `vmss_lint.arm.expressions.values` and are
re-exported here and by `vmss_lint.arm.expressions.api`.

Grammar (reference doc section 2.2): an expression is `[` expr `]`; expr is a primary (function
call, `'string'` with `''` as the escaped quote, or integer) followed by any number of `.member` and
`[index]` accessors. Namespaced user functions are `ns.fn(...)`. Bare `true`/`false`/`null` are accepted
as literals as well (PowerShell DSC does; whether ARM does is unverified, and accepting more is the
safer mistake for a linter).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TypeAlias

from vmss_lint.arm.expressions.values import (
    ExpressionError,
    ExpressionLimitExceeded,
    FunctionError,
    Unknown,
    Value,
    fold_expression,
    is_expression,
    unescape_literal,
)
from vmss_lint.core.limits import EXPRESSION_DEPTH, EXPRESSION_LENGTH, Limit

__all__ = [
    "MAX_EXPRESSION_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "Call",
    "ExpressionError",
    "ExpressionLimitExceeded",
    "FunctionError",
    "Index",
    "Lit",
    "Member",
    "Node",
    "Token",
    "Unknown",
    "Value",
    "fold_expression",
    "is_expression",
    "limit_error",
    "parse_expression",
    "unescape_literal",
]

MAX_EXPRESSION_LENGTH = EXPRESSION_LENGTH.default
"""ARM's documented maximum length of one expression string (the default; see `vmss_lint.core.limits`)."""

MAX_EXPRESSION_DEPTH = EXPRESSION_DEPTH.default
"""Deepest nesting of calls and index brackets we parse, by default (keeps recursion bounded)."""


# --- AST -------------------------------------------------------------------------------------
# Plain slotted classes rather than dataclasses: they are created once per import and dataclass
# creation costs start-up time that every vmss-lint run pays. Nodes are never mutated after parsing.


class _Node:
    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, n) for n in self.__slots__)

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self._values(), strict=True))
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())


class Lit(_Node):
    __slots__ = ("start", "value")

    def __init__(self, value: Value, start: int) -> None:
        self.value = value
        self.start = start


class Call(_Node):
    __slots__ = ("args", "name", "start")

    def __init__(self, name: str, args: tuple[Node, ...], start: int) -> None:
        self.name = name  # as written; compare with `.lower()`
        self.args = args
        self.start = start


class Member(_Node):
    __slots__ = ("name", "start", "target")

    def __init__(self, target: Node, name: str, start: int) -> None:
        self.target = target
        self.name = name
        self.start = start


class Index(_Node):
    __slots__ = ("index", "start", "target")

    def __init__(self, target: Node, index: Node, start: int) -> None:
        self.target = target
        self.index = index
        self.start = start


Node: TypeAlias = Lit | Call | Member | Index


_TOKEN = re.compile(
    r"\s*(?:"
    r"('(?:[^']|'')*')"  # 1 string
    r"|(-?[0-9]+)"  # 2 integer
    r"|([A-Za-z_$][A-Za-z0-9_$]*)"  # 3 identifier
    r"|([(),\[\].])"  # 4 punctuation
    r"|(\Z)"  # 5 end
    r"|(.)"  # 6 anything else
    r")",
    re.DOTALL,
)
_STR, _INT, _IDENT, _PUNCT, _END, _BAD = 1, 2, 3, 4, 5, 6
_BARE_LITERALS: dict[str, Value] = {"true": True, "false": False, "null": None}

Token: TypeAlias = tuple[int, str, int]  # kind, text, offset


def parse_expression(text: str) -> Node:
    """Parse a whole expression string such as `[concat('a', parameters('b'))]`.

    Offsets in nodes and errors index into `text`, so callers can point at the exact character.
    Limits come from `vmss_lint.core.limits` (environment overrides apply).
    """
    if len(text) > EXPRESSION_LENGTH.value:
        raise limit_error(EXPRESSION_LENGTH, len(text), text, 0)
    return _parse(text, EXPRESSION_DEPTH.value)


def limit_error(limit: Limit, actual: int | None, text: str, offset: int) -> ExpressionLimitExceeded:
    """The shared limit wording (which names the override variable), tied to a spot in `text`."""
    exc = limit.exceeded("<expression>", actual)
    return ExpressionLimitExceeded(exc.problem, expression=text, offset=offset, hint=exc.hint)


@lru_cache(maxsize=4096)
def _parse(text: str, max_depth: int) -> Node:
    if not is_expression(text):
        raise ExpressionError("not an expression (must be '[...]')", expression=text, offset=0)
    tokens = _tokenize(text)
    parser = _Parser(text, tokens, max_depth)
    if tokens[0][0] == _END:
        raise ExpressionError("expression is empty", expression=text, offset=1)
    try:
        node = parser.expr(0)
    except RecursionError:  # only when the depth limit was raised far beyond the default
        raise limit_error(EXPRESSION_DEPTH, None, text, 0) from None
    kind, tok, offset = parser.peek()
    if kind != _END:
        raise ExpressionError(
            f"unexpected {tok!r} after the end of the expression", expression=text, offset=offset
        )
    return node


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    end = len(text) - 1  # skip the closing ']'
    for m in _TOKEN.finditer(text, 1, end):
        kind = m.lastindex or 0
        start = m.start(kind)
        if kind == _BAD:
            ch = text[start]
            problem = "unterminated string literal" if ch == "'" else f"unexpected character {ch!r}"
            if ch == '"':
                problem += " (string literals use single quotes)"
            raise ExpressionError(problem, expression=text, offset=start)
        tokens.append((kind, m.group(kind), start))
        if kind == _END:
            break
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[Token], max_depth: int) -> None:
        self.text = text
        self.tokens = tokens
        self.max_depth = max_depth
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        tok = self.tokens[self.pos]
        if tok[0] != _END:
            self.pos += 1
        return tok

    def fail(self, problem: str, offset: int) -> ExpressionError:
        return ExpressionError(problem, expression=self.text, offset=offset)

    def expect(self, punct: str, context: str) -> None:
        kind, tok, offset = self.take()
        if kind != _PUNCT or tok != punct:
            found = "the end of the expression" if kind == _END else repr(tok)
            raise self.fail(f"expected {punct!r} {context}, found {found}", offset)

    def expr(self, depth: int) -> Node:
        if depth >= self.max_depth:
            raise limit_error(EXPRESSION_DEPTH, None, self.text, self.peek()[2])
        node = self.primary(depth)
        while True:
            kind, tok, offset = self.peek()
            if kind != _PUNCT or tok not in ".[":
                return node
            self.take()
            if tok == ".":
                kind, name, name_at = self.take()
                if kind != _IDENT:
                    raise self.fail("expected a property name after '.'", name_at)
                node = Member(node, name, offset)
            else:
                index = self.expr(depth + 1)
                self.expect("]", "to close the index")
                node = Index(node, index, offset)

    def primary(self, depth: int) -> Node:
        kind, tok, offset = self.take()
        if kind == _STR:
            return Lit(tok[1:-1].replace("''", "'"), offset)
        if kind == _INT:
            return Lit(int(tok), offset)
        if kind == _IDENT:
            name = tok
            nk, nt, _ = self.peek()
            if nk == _PUNCT and nt == ".":
                after = self.tokens[self.pos + 1 : self.pos + 3]
                if len(after) == 2 and after[0][0] == _IDENT and after[1][1] == "(":
                    self.take()
                    name = f"{tok}.{self.take()[1]}"
                    nk, nt = _PUNCT, "("
            if nk == _PUNCT and nt == "(":
                self.take()
                return Call(name, self.args(depth), offset)
            if tok.lower() in _BARE_LITERALS:
                return Lit(_BARE_LITERALS[tok.lower()], offset)
            raise self.fail(f"expected '(' after function name {tok!r}", self.peek()[2])
        found = "the end of the expression" if kind == _END else repr(tok)
        raise self.fail(f"expected a function call, 'string' or integer, found {found}", offset)

    def args(self, depth: int) -> tuple[Node, ...]:
        args: list[Node] = []
        kind, tok, _ = self.peek()
        if kind == _PUNCT and tok == ")":
            self.take()
            return ()
        while True:
            args.append(self.expr(depth + 1))
            kind, tok, offset = self.take()
            if kind == _PUNCT and tok == ")":
                return tuple(args)
            if kind != _PUNCT or tok != ",":
                found = "the end of the expression" if kind == _END else repr(tok)
                raise self.fail(f"expected ',' or ')' after function argument, found {found}", offset)
