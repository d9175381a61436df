"""Comparison, logical, conversion and numeric ARM functions: the ones over scalars (registered on import).

Split from `vmss_lint.arm.expressions.collections` (arrays and objects); both share the registry of
`vmss_lint.arm.expressions.functions`. `if`, `and`, `or` and `coalesce` are not here: they are lazy and
live in the evaluator. Strings compare as .NET's culture-aware order does (`strings.compare_strings`).
"""

from __future__ import annotations

from collections.abc import Callable

from vmss_lint.arm.expressions.functions import (
    checked_int,
    is_int,
    json_equal,
    register,
    to_text,
    type_name,
    want_int,
)
from vmss_lint.arm.expressions.parse import FunctionError, Unknown, Value
from vmss_lint.arm.expressions.strings import compare_strings


def _numbers(args: list[Value]) -> list[int]:
    flat = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    nums = [want_int(v, "every value") for v in flat]
    if not nums:
        raise FunctionError("needs at least one value")
    return nums


@register("min", 1, None)
def _min(args: list[Value]) -> Value:
    return min(_numbers(args))


@register("max", 1, None)
def _max(args: list[Value]) -> Value:
    return max(_numbers(args))


# --- comparison ------------------------------------------------------------------------------


@register("equals", 2)
def _equals(args: list[Value]) -> Value:
    return json_equal(args[0], args[1])  # strings compare case-sensitively, as PSRule and Bicep's '==' do


def _compare(args: list[Value], test: Callable[[int], bool]) -> Value:
    a, b = args
    if is_int(a) and is_int(b):
        assert isinstance(a, int) and isinstance(b, int)
        return test((a > b) - (a < b))
    if isinstance(a, str) and isinstance(b, str):
        order = compare_strings(a, b)  # culture-aware, as ARM's docs show: greater('A', 'a') is true
        return order if isinstance(order, Unknown) else test(order)
    raise FunctionError(
        f"can only compare two integers or two strings, not {type_name(a)} and {type_name(b)}"
    )


@register("greater", 2)
def _greater(args: list[Value]) -> Value:
    return _compare(args, lambda order: order > 0)


@register("greaterOrEquals", 2)
def _greater_or_equals(args: list[Value]) -> Value:
    return _compare(args, lambda order: order >= 0)


@register("less", 2)
def _less(args: list[Value]) -> Value:
    return _compare(args, lambda order: order < 0)


@register("lessOrEquals", 2)
def _less_or_equals(args: list[Value]) -> Value:
    return _compare(args, lambda order: order <= 0)


# --- logical and conversion ------------------------------------------------------------------


@register("true", 0)
def _true(args: list[Value]) -> Value:
    return True


@register("false", 0)
def _false(args: list[Value]) -> Value:
    return False


@register("null", 0)
def _null(args: list[Value]) -> Value:
    return None


@register("not", 1)
def _not(args: list[Value]) -> Value:
    if not isinstance(args[0], bool):
        raise FunctionError(f"the argument must be a bool, not {type_name(args[0])}")
    return not args[0]


@register("bool", 1)
def _bool(args: list[Value]) -> Value:
    v = args[0]
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    if is_int(v):
        return v != 0
    raise FunctionError(f"cannot convert {type_name(v)} {to_text(v)[:40]!r} to bool")


@register("int", 1)
def _int(args: list[Value]) -> Value:
    v = args[0]
    if isinstance(v, str):
        try:
            return checked_int(int(v.strip()))
        except ValueError:
            raise FunctionError(f"cannot convert {v[:40]!r} to an integer") from None
    if isinstance(v, float):
        return checked_int(int(v))
    return want_int(v, "the argument")


@register("float", 1)
def _float(args: list[Value]) -> Value:
    v = args[0]
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            raise FunctionError(f"cannot convert {v[:40]!r} to a float") from None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    raise FunctionError(f"cannot convert {type_name(v)} to a float")


# --- numeric ---------------------------------------------------------------------------------


def _operands(args: list[Value]) -> tuple[int, int]:
    return want_int(args[0], "operand1"), want_int(args[1], "operand2")


@register("add", 2)
def _add(args: list[Value]) -> Value:
    a, b = _operands(args)
    return checked_int(a + b)


@register("sub", 2)
def _sub(args: list[Value]) -> Value:
    a, b = _operands(args)
    return checked_int(a - b)


@register("mul", 2)
def _mul(args: list[Value]) -> Value:
    a, b = _operands(args)
    return checked_int(a * b)


@register("div", 2)
def _div(args: list[Value]) -> Value:
    a, b = _operands(args)
    if b == 0:
        raise FunctionError("division by zero")
    q = abs(a) // abs(b)  # .NET truncates toward zero
    return checked_int(q if (a < 0) == (b < 0) else -q)


@register("mod", 2)
def _mod(args: list[Value]) -> Value:
    a, b = _operands(args)
    if b == 0:
        raise FunctionError("division by zero")
    r = abs(a) % abs(b)  # .NET: the remainder takes the dividend's sign
    return -r if a < 0 else r
