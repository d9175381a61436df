"""The registry of deterministic ARM template functions and the helpers every function family shares.

Every function receives already-evaluated arguments with no top-level `Unknown` (the evaluator
handles propagation) and either returns a value or raises `FunctionError`. Functions registered as
`structural` only move values around, so they may receive containers holding `Unknown` leaves; all
others get only fully known values. Behaviour follows the ARM function reference and PSRule's
implementation where the docs are silent (noted inline). The families register themselves on import:
`text_functions` (strings, encodings, URIs), `collections` (arrays and objects), `scalars`
(comparison, logic, numbers), `extra`, `hashing`; the evaluator imports them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

from vmss_lint.arm.expressions.parse import FunctionError, Unknown, Value
from vmss_lint.arm.expressions.strings import double_quoted
from vmss_lint.arm.reader import load_arm_json
from vmss_lint.core.budget import BudgetExceeded
from vmss_lint.core.limits import VALUE_CHARS
from vmss_lint.core.records import Record

Fn = Callable[[list[Value]], Value]


class Spec(Record):
    """One registered function: what computes it and how many arguments it takes."""

    fn: Fn
    min_args: int
    max_args: int | None  # None = no upper bound
    structural: bool = False


FUNCTIONS: dict[str, Spec] = {}

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def check_text(length: int) -> None:
    """Refuse to build a string of `length` characters over `VALUE_CHARS`: called *before* building it,
    so `format('{0,2000000000}')` costs nothing instead of 4 GB."""
    if length > VALUE_CHARS.value:
        raise BudgetExceeded(VALUE_CHARS, length, "<expression>")


def register(
    name: str, min_args: int, max_args: int | None = -1, *, structural: bool = False
) -> Callable[[Fn], Fn]:
    """Add a function under its lower-case name; `max_args=-1` means "same as min_args"."""

    def deco(fn: Fn) -> Fn:
        upper = min_args if max_args == -1 else max_args
        FUNCTIONS[name.lower()] = Spec(fn=fn, min_args=min_args, max_args=upper, structural=structural)
        return fn

    return deco


# --- type helpers ----------------------------------------------------------------------------


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "bool"),  # before int: a bool is an int in Python
    (int, "int"),
    (float, "float"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def type_name(v: Value) -> str:
    """The ARM type name a message uses for a value ("unknown" for an unresolved one)."""
    if v is None:
        return "null"
    return next((name for kind, name in _TYPE_NAMES if isinstance(v, kind)), "unknown")


def is_int(v: Value) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def want_int(v: Value, what: str) -> int:
    if is_int(v):
        assert isinstance(v, int)
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    raise FunctionError(f"{what} must be an integer, not {type_name(v)}")


def want_str(v: Value, what: str) -> str:
    if isinstance(v, str):
        return v
    raise FunctionError(f"{what} must be a string, not {type_name(v)}")


def want_list(v: Value, what: str) -> list[Value]:
    if isinstance(v, list):
        return v  # list is invariant; elements are Values
    raise FunctionError(f"{what} must be an array, not {type_name(v)}")


def want_dict(v: Value, what: str) -> dict[str, Value]:
    if isinstance(v, dict):
        return v
    raise FunctionError(f"{what} must be an object, not {type_name(v)}")


def want_bool(v: Value, what: str) -> bool:
    if isinstance(v, bool):
        return v
    raise FunctionError(f"{what} must be a bool, not {type_name(v)}")


def checked_int(n: int) -> int:
    """ARM integers are 64-bit; overflow is an error there, so it is one here."""
    if not INT64_MIN <= n <= INT64_MAX:
        raise FunctionError("integer overflow (ARM integers are 64-bit)")
    return n


def to_text(v: Value) -> str:
    """How .NET's JToken.ToString renders a value inside concat/format/string (bools as True/False)."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, Unknown):
        raise FunctionError("value is unknown")
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, default=_not_json)


def _not_json(v: object) -> object:
    raise FunctionError("the value holds something not known offline")


def json_equal(a: Value, b: Value) -> bool:
    """Deep equality as JToken.DeepEquals: strings case-sensitive, bool never equals a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def canonical(v: Value) -> object:
    """A hashable key such that canonical(a) == canonical(b) exactly when json_equal(a, b)."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, int | float):
        return ("n", v)  # 1 == 1.0 and they hash alike, as json_equal wants
    if isinstance(v, str):
        return ("s", v)
    if isinstance(v, list):
        return ("l", tuple(canonical(x) for x in v))
    if isinstance(v, dict):
        return ("d", frozenset((k, canonical(x)) for k, x in v.items()))
    return ("z", v)  # None or Unknown (hashable)


def parse_json_text(text: str, what: str) -> Value:
    """JSON as ARM's reader (Newtonsoft) takes it, which also accepts single-quoted strings
    (`json('{''a'': ''b''}')` in a template, a common way to avoid escaping double quotes)."""
    try:
        return cast(Value, load_arm_json(text, what).value)
    except Exception as exc:  # InputError with position; restate it briefly
        problem = getattr(exc, "problem", exc)
    if "'" in text:
        try:
            return cast(Value, load_arm_json(double_quoted(text), what).value)
        except Exception:  # the first reading's problem is the one to report
            pass
    raise FunctionError(f"{what} is not valid JSON ({problem})")
