"""What a template expression evaluates to and how evaluating one fails: `Value` (JSON whose leaves
may be `Unknown`), `Unknown` itself, the error types, and the text-level tests every module shares
(is a string an expression, its literal form, its case-folded form).

Split from `vmss_lint.arm.expressions.parse` (the tokenizer and parser), which re-exports these
names: the function library, the secret check and the evaluator need the types without the parser.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from vmss_lint.core.errors import InputError, LimitExceeded


class Unknown:
    """A value that cannot be known offline (live state, randomness, missing input).

    It propagates: a function given an Unknown returns an Unknown unless the result does not depend on
    it. Two Unknowns with the same reason, text and basis compare equal, so an unchanged unresolvable
    expression is not reported as a change. `text` is the expression as written where the value is used;
    `basis` is the chain of expressions it came through (a variable's definition, a parameter's default),
    so `[variables('v')]` on both sides is not "unchanged" when the definition of `v` changed.

    A plain slotted class, never changed once made (treat it as frozen), rather than a frozen
    dataclass: defining one costs about 1 ms at import, and this module is on every template run; its
    `==`, hash and repr are the ones the dataclass had.
    """

    __slots__ = ("basis", "identity", "reason", "text")

    def __init__(self, reason: str, text: str, basis: str = "", identity: str = "") -> None:
        self.reason = reason
        self.text = text
        self.basis = basis
        # How two unknowns are told apart (`same_expression`): the text and basis with the parts ARM
        # reads without case folded (function, parameter and variable names), so `[variables('LBNAME')]`
        # and `[variables('lbName')]` are the same unresolved value. Not part of `==`, which stays exact.
        self.identity = identity

    def with_identity(self, identity: str) -> Unknown:
        """The same unknown told apart by another `identity`."""
        return Unknown(self.reason, self.text, self.basis, identity)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Unknown:
            return NotImplemented
        return (self.reason, self.text, self.basis) == (other.reason, other.text, other.basis)

    def __hash__(self) -> int:
        return hash((self.reason, self.text, self.basis))

    def __repr__(self) -> str:
        return (
            f"Unknown(reason={self.reason!r}, text={self.text!r}, basis={self.basis!r}, "
            f"identity={self.identity!r})"
        )

    def __copy__(self) -> Unknown:
        return self  # never changed once made, so a copy may be the same object

    def __deepcopy__(self, memo: dict[int, object]) -> Unknown:
        return self

    def __str__(self) -> str:
        """How a message quotes it (a hook naming an extension whose name is unresolved): the
        expression as written, never the repr with its reason and basis."""
        return f"<unresolved: {self.text}>" if self.text else "<unresolved>"


Value: TypeAlias = dict[str, "Value"] | list["Value"] | str | int | float | bool | Unknown | None
"""What an expression evaluates to: JSON whose leaves may be `Unknown` (a JsonValue is one too,
but mypy's invariant containers need a `cast` to say so)."""


_LITERAL_OR_NAME = re.compile(r"'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_.]*\s*\(|\.[A-Za-z_][A-Za-z0-9_]*")
_NAMED_BY_ARG = re.compile(r"(?i)^(parameters|variables)\s*\($")


# Cached: an unknown's identity folds the same expression texts again and again (both sides of a pair,
# every copy iteration), about a hundred calls a template pair.
@functools.lru_cache(maxsize=4096)
def fold_expression(text: str) -> str:
    """`text` with what ARM compares without case lowered: function names, property names after a dot,
    and the name passed to `parameters()`/`variables()`. Other string literals are kept: their case may
    matter (a path, a command line)."""
    out: list[str] = []
    pos = 0
    lower_next_literal = False
    for match in _LITERAL_OR_NAME.finditer(text):
        out.append(text[pos : match.start()])
        token = match.group()
        if token.startswith("'"):
            out.append(token.lower() if lower_next_literal else token)
            lower_next_literal = False
        else:
            lower_next_literal = bool(_NAMED_BY_ARG.match(token))
            out.append(token.lower())
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


class ExpressionError(InputError):
    """A template expression is malformed or fails to evaluate.

    `offset` is the 0-based index into `expression` (the whole JSON string, brackets included).
    `pointer` is the JSON pointer of the string when known; `relocated` fills it in later.
    """

    def __init__(
        self,
        problem: str,
        *,
        expression: str,
        offset: int,
        source: str = "<expression>",
        pointer: str | None = None,
        position: tuple[int, int] | None = None,
        hint: str | None = None,
    ) -> None:
        self.expression = expression
        self.offset = offset
        self.pointer = pointer
        self.position = position
        self.bare_problem = problem
        shown = expression if len(expression) <= 120 else expression[:117] + "..."
        where = f"character {offset + 1} of the expression"
        if position is not None:
            where = f"line {position[0]}, column {position[1]}, {where}"
        elif pointer is not None:
            where = f"{pointer or '/'}, {where}"
        super().__init__(source, f"{problem} in {shown!r}", where=where, hint=hint)

    def relocated(
        self, source: str, pointer: str | None = None, position: tuple[int, int] | None = None
    ) -> ExpressionError:
        """The same error, now naming the file and where in it the expression sits."""
        return type(self)(
            self.bare_problem,
            expression=self.expression,
            offset=self.offset,
            source=source,
            pointer=pointer,
            position=position,
            hint=self.hint,
        )


class ExpressionLimitExceeded(ExpressionError, LimitExceeded):
    """An expression went past a safety limit (length, nesting, work, size)."""


class FunctionError(Exception):
    """Raised inside the function library; the evaluator adds the expression and position."""


def is_expression(s: str) -> bool:
    """`[...]` is an expression, `[[...]` an escaped literal. `[]` is taken as a literal."""
    return len(s) > 2 and s[0] == "[" and s[-1] == "]" and s[1] != "["


def unescape_literal(s: str) -> str:
    """`[[x]` stands for the literal `[x]`; any other non-expression string is itself."""
    if s.startswith("[[") and s.endswith("]"):
        return s[1:]
    return s
