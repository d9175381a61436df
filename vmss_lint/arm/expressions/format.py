"""The subset of .NET composite formatting that ARM's `format()` function exposes.

Supported: `{index}`, `{index,alignment}`, `{index:spec}`, `{{`/`}}`, and for integers the standard
specifiers D, X/x, N, F, G and custom all-zero patterns such as `000`. Anything else yields an
`Unknown` (not an error): the template is probably valid, vmss-lint just cannot reproduce .NET here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from vmss_lint.arm.expressions.parse import FunctionError, Unknown, Value

_ITEM = re.compile(r"\{\{|\}\}|\{\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::([^{}]*))?\}|[{}]")


def format_composite(
    fmt: str,
    args: Sequence[Value],
    to_text: Callable[[Value], str],
    check_length: Callable[[int], None],
) -> str | Unknown:
    """`check_length` sees the length the result would reach before each piece is built (alignment
    widths come from the template and may be two billion)."""
    out: list[str] = []
    pos = 0
    length = 0
    for m in _ITEM.finditer(fmt):
        out.append(fmt[pos : m.start()])
        length += m.start() - pos
        pos = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            length += 1
            out.append(token[0])
            continue
        if m.group(1) is None:
            raise FunctionError(f"the format string has a stray {token!r} at character {m.start() + 1}")
        digits = m.group(1)
        index = int(digits) if len(digits) <= 9 else len(args)  # never int() of 4,300 digits
        if index >= len(args):
            shown = digits if len(digits) <= 9 else digits[:9] + "..."
            raise FunctionError(f"the format string uses {{{shown}}} but only {len(args)} values were given")
        value = args[index]
        spec = m.group(3)
        if spec and isinstance(value, int) and not isinstance(value, bool):
            precision = spec[1:]
            if precision.isascii() and precision.isdigit():  # 'D2000000000' pads before anything checks it
                check_length(length + (int(precision) if len(precision) <= 12 else 10**12))
            text = _format_int(value, spec)
            if text is None:
                return Unknown(f"format specifier {spec!r} is not evaluated offline", fmt)
        else:
            text = to_text(value)
        if m.group(2):
            written = m.group(2)
            width = int(written) if len(written) <= 12 else 10**12  # never int() of 4,300 digits
            length += max(len(text), abs(width))
            check_length(length)
            text = text.rjust(width) if width > 0 else text.ljust(-width)
        else:
            length += len(text)
            check_length(length)
        out.append(text)
    out.append(fmt[pos:])
    return "".join(out)


def _format_int(n: int, spec: str) -> str | None:
    kind, digits = spec[:1], spec[1:]
    if digits and not (digits.isascii() and digits.isdigit()):
        return _custom(n, spec)
    precision = int(digits) if digits else None
    if kind in "Dd":
        body = str(abs(n)).rjust(precision or 0, "0")
        return f"-{body}" if n < 0 else body
    if kind in "Xx":
        body = format(n & 0xFFFFFFFFFFFFFFFF if n < 0 else n, "X" if kind == "X" else "x")
        return body.rjust(precision or 0, "0")
    if kind in "Nn":
        return f"{n:,.{2 if precision is None else precision}f}"
    if kind in "Ff":
        return f"{n:.{2 if precision is None else precision}f}"
    if kind in "Gg" and precision is None:
        return str(n)
    return _custom(n, spec)


def _custom(n: int, spec: str) -> str | None:
    if spec and set(spec) == {"0"}:
        body = str(abs(n)).rjust(len(spec), "0")
        return f"-{body}" if n < 0 else body
    return None
