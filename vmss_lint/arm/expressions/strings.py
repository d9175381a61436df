"""Strings as ARM's .NET runtime sees them: lengths and indexes in UTF-16 code units, and the
culture-aware order of `greater`/`less`.

Why: ARM evaluates template functions in .NET, where a string is a sequence of UTF-16 code units.
`length('😀')` is 2 there (a character outside the Basic Multilingual Plane is a surrogate pair), and
`substring`, `indexOf`, `take`, `skip` and `padLeft` count the same way; Python counts code points. Where
a .NET result would cut a surrogate pair in half (no valid text can carry that) the value is unknown, not
made up.

String comparison: Microsoft's documented outputs are `greater('A', 'a') = true` and `less('A', 'a') =
false` (template-functions-comparison), which an ordinal comparison gets wrong ('A' is 65, 'a' 97): ARM
compares with .NET's culture-aware (invariant culture) rules. Those rules (Unicode collation) are
reproduced here only where they are simple and certain: ASCII text, compared first without case
(punctuation and spaces before digits, digits before letters), then lowercase before uppercase at the
first difference. Where the answer depends on finer collation rules (non-ASCII text, two different
punctuation characters at the same place, punctuation that decides the order) the result is unknown.
"""

from __future__ import annotations

import functools
import json
import re

from vmss_lint.arm.expressions.parse import Unknown, Value, fold_expression


def units(s: str) -> int:
    """The .NET `string.Length` of `s`: characters above U+FFFF count twice."""
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _offsets(s: str) -> list[int]:
    """UTF-16 offset of each code point of `s`, plus the end."""
    out = [0]
    for c in s:
        out.append(out[-1] + (2 if ord(c) > 0xFFFF else 1))
    return out


def slice_units(s: str, start: int, end: int, what: str) -> str | Unknown:
    """`s[start:end]` in UTF-16 code units; unknown when a bound falls inside a surrogate pair."""
    if s.isascii() or units(s) == len(s):
        return s[start:end]
    offsets = _offsets(s)
    where = {o: i for i, o in enumerate(offsets)}
    end = min(end, offsets[-1])
    start = min(start, end)
    if start not in where or end not in where:
        return Unknown(
            f"{what} would cut a character outside the Basic Multilingual Plane in half (ARM counts UTF-16 "
            "code units)",
            "",
        )
    return s[where[start] : where[end]]


def unit_index(s: str, index: int) -> int:
    """The UTF-16 offset of code point `index` of `s` (-1 stays -1)."""
    if index < 0 or s.isascii():
        return index
    return _offsets(s)[index]


# --- order -----------------------------------------------------------------------------------


def _primary(c: str) -> tuple[int, str]:
    if c.isdigit():
        return 1, c
    if c.isalpha():
        return 2, c.lower()
    return 0, c  # punctuation and spaces sort before digits and letters


def compare_strings(a: str, b: str) -> int | Unknown:
    """-1, 0 or 1 as .NET's culture-aware comparison orders `a` and `b`, or unknown where the simple
    rules above do not settle it."""
    if a == b:
        return 0
    if not (a.isascii() and b.isascii()):
        return _unsettled("text outside ASCII")
    keys_a, keys_b = [_primary(c) for c in a], [_primary(c) for c in b]
    for ka, kb in zip(keys_a, keys_b, strict=False):
        if ka != kb:
            if ka[0] == 0 and kb[0] == 0:
                return _unsettled("two different punctuation characters")
            break
    with_punct = _sign(keys_a, keys_b)
    letters_a = [k for k in keys_a if k[0]]
    letters_b = [k for k in keys_b if k[0]]
    if with_punct != _sign(letters_a, letters_b):
        return _unsettled("punctuation that decides the order")
    if with_punct:
        return with_punct
    for ca, cb in zip(a, b, strict=True):  # same text without case: lowercase sorts first
        if ca != cb:
            return -1 if ca.islower() else 1
    return 0


def _sign(x: list[tuple[int, str]], y: list[tuple[int, str]]) -> int:
    return (x > y) - (x < y)


def _unsettled(why: str) -> Unknown:
    return Unknown(
        f"ARM orders strings by .NET's culture-aware rules, which vmss-lint reproduces only for simple text "
        f"(here: {why})",
        "",
    )


# --- JSON with single-quoted strings ------------------------------------------------------------


def double_quoted(text: str) -> str:
    """`text` with each single-quoted JSON string rewritten in double quotes, the rest kept as written
    (double-quoted strings, comments, numbers, punctuation). Newtonsoft, ARM's JSON reader, accepts
    `{'a': 'b'}`; this lets `json()` and `base64ToJson()` read what ARM reads. A lone quote is left
    for the JSON reader to report."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                out.append(text[i:])
                break
            body = text[i + 1 : j]
            if c == "'":
                body = body.replace("\\'", "'").replace('"', '\\"').replace('\\\\"', '\\"')
            out.append(f'"{body}"')
            i = j + 1
        elif text.startswith("//", i) or text.startswith("/*", i):
            end = text.find("\n", i) if text[i + 1] == "/" else text.find("*/", i + 2) + 2
            end = n if end < (1 if text[i + 1] == "/" else 2) else end
            out.append(text[i:end])
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


# --- unresolved strings built by concat/format ----------------------------------------------------

PIECES = "pieces:"


@functools.cache
def _format_items() -> re.Pattern[str]:
    """The pieces of a `format()` string; compiled on first use, since few templates call format()."""
    return re.compile(r"\{(\d+)\}|\{\{|\}\}|[^{}]+")


def unknown_result(name: str, args: list[Value], unknown: Unknown) -> Unknown:
    """The unknown a function returns when an argument is unknown. A string that `concat` or `format`
    builds is identified by its pieces (known text and the unknowns' identities), so
    `concat('vmss-', parameters('p'))` and `format('{0}{1}', 'vmss-', parameters('p'))` are the same
    unresolved value; any other function's result is identified by its expression text (api.evaluate)."""
    pieces = _pieces(name, args)
    if pieces is not None:
        return unknown.with_identity(PIECES + json.dumps(pieces))
    if unknown.identity.startswith(PIECES):
        return unknown.with_identity("")  # toLower(concat(...)) is not concat(...)
    return unknown


def _pieces(name: str, args: list[Value]) -> list[list[str]] | None:
    if name == "concat":
        parts = list(args)
    elif name == "format" and args and isinstance(args[0], str):
        parts = []
        for match in _format_items().finditer(args[0]):
            token = match.group()
            if match.group(1) is not None:
                index = int(match.group(1)) + 1
                if index >= len(args):
                    return None
                parts.append(args[index])
            else:
                parts.append(token[0] if token in ("{{", "}}") else token)
        if sum(len(m.group()) for m in _format_items().finditer(args[0])) != len(args[0]):
            return None  # a format item with alignment or a format string: not a plain concatenation
    else:
        return None
    out: list[list[str]] = []
    for part in parts:
        if isinstance(part, Unknown):
            out.append(
                ["u", part.identity or f"{fold_expression(part.text)} <- {fold_expression(part.basis)}"]
            )
        elif isinstance(part, str) or (isinstance(part, int) and not isinstance(part, bool)):
            if out and out[-1][0] == "s":
                out[-1][1] += str(part)
            else:
                out.append(["s", str(part)])
        else:
            return None
    return out
