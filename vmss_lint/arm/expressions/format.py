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


def format_composite(fmt: str, args: Sequence[Value], to_text: Callable[[Value], str]) -> str | Unknown:
    out: list[str] = []
    pos = 0
    for m in _ITEM.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            out.append(token[0])
            continue
        if m.group(1) is None:
            raise FunctionError(f"the format string has a stray {token!r} at character {m.start() + 1}")
        index = int(m.group(1))
        if index >= len(args):
            raise FunctionError(f"the format string uses {{{index}}} but only {len(args)} values were given")
        value = args[index]
        spec = m.group(3)
        if spec and isinstance(value, int) and not isinstance(value, bool):
            text = _format_int(value, spec)
            if text is None:
                return Unknown(f"format specifier {spec!r} is not evaluated offline", fmt)
        else:
            text = to_text(value)
        if m.group(2):
            width = int(m.group(2))
            text = text.rjust(width) if width > 0 else text.ljust(-width)
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
