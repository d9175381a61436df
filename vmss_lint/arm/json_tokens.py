"""The lexical layer of the ARM JSON reader: bytes to text, text to tokens, offsets to positions, and
what a token that does not fit is called in an error.

Split from `vmss_lint.arm.reader`, which owns the grammar (what may follow what, the positions table,
duplicates and trailing commas); this module owns everything below it, so the parser loop reads as the
grammar alone. The dialect decisions are listed in `vmss_lint.arm.reader`'s docstring.
"""

from __future__ import annotations

import json.decoder
import re
from bisect import bisect_right
from collections.abc import Callable
from typing import TypeAlias

from vmss_lint.arm.json_values import JsonValue, Position, number_problem, surrogates
from vmss_lint.core.errors import InputError, LimitExceeded

# Every match skips leading whitespace and comments (possessively, so no backtracking), then
# captures exactly one token. The catch-all `(.)` and `(\Z)` make matches contiguous, so
# `finditer` visits every character and errors are found where they happen.
TOKEN = re.compile(
    r"(?:[ \t\r\n\v\f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|//[^\n]*|/\*.*?\*/)*+"
    r"(?:"
    r'("[^"\\]*(?:\\.[^"\\]*)*+")'  # 1: string (raw line breaks allowed)
    r"|([{}\[\]:,])"  # 2: punctuation
    r"|(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"  # 3: number
    r"|([A-Za-z_$][A-Za-z0-9_$]*)"  # 4: bare word (true/false/null, or a mistake)
    r"|(\Z)"  # 5: end of input
    r"|(.)"  # 6: anything else is an error
    r")",
    re.DOTALL,
)
# The C string decoder behind `json.loads`; it handles escapes and, with strict=False, raw
# control characters, which is exactly ARM's string dialect.
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

STR, PUNCT, NUM, WORD, END, BAD = 1, 2, 3, 4, 5, 6
WORDS: dict[str, JsonValue] = {"true": True, "false": False, "null": None}
# Literals of other languages that people write in JSON by mistake: the only words an error quotes.
FOREIGN_LITERALS = frozenset({"true", "false", "null", "none", "nil", "nan", "infinity", "undefined"})


Fail: TypeAlias = Callable[[str, int], InputError]
"""The parser's error maker: a problem and the offset it is at, as an `InputError` with a position."""


def decode(data: bytes | str, source: str, max_bytes: int) -> str:
    """Turn input into text, enforcing the size limit before doing any real work."""
    hint = f"raise the limit with max_bytes (now {max_bytes} bytes)"
    if isinstance(data, str):
        too_big = len(data) > max_bytes or (
            len(data) * 4 > max_bytes and len(data.encode("utf-8", "surrogatepass")) > max_bytes
        )
        if too_big:
            raise LimitExceeded(source, f"input is larger than {max_bytes} bytes", hint=hint)
        return data[1:] if data.startswith("\ufeff") else data
    if len(data) > max_bytes:
        raise LimitExceeded(source, f"input is {len(data)} bytes, over the {max_bytes}-byte limit", hint=hint)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            source, "not UTF-8 text (it starts with a UTF-16 byte order mark)", hint="save the file as UTF-8"
        )
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        raise InputError(
            source,
            f"not UTF-8 text (invalid byte 0x{data[offset]:02x} at offset {offset})",
            hint="save the file as UTF-8",
        ) from None


def describe(ch: str) -> str:
    """A character as an error names it: quoted when printable, else its code point (a stray
    control character or no-break space would be invisible)."""
    return repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"


class Locator:
    """Offset -> (line, column); built once per document, queried with bisect."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def __call__(self, offset: int) -> Position:
        line = bisect_right(self.starts, offset)
        return (line, offset - self.starts[line - 1] + 1)

    def many(self, table: dict[str, int]) -> dict[str, Position]:
        """Convert a whole pointer -> offset table at once (no per-entry method call)."""
        starts = self.starts
        offsets = list(table.values())
        lines = [bisect_right(starts, o) for o in offsets]
        return dict(
            zip(
                table,
                [(ln, o - starts[ln - 1] + 1) for ln, o in zip(lines, offsets, strict=True)],
                strict=True,
            )
        )


def token_problem(text: str, m: re.Match[str], expected: str) -> tuple[str, int]:
    """What is wrong with the token at `m` that did not fit, and the offset to report it at;
    `expected` says what would have fitted."""
    kind = m.lastindex or 0
    start = m.start(kind)
    if kind == END:
        return f"not valid JSON: unexpected end of file, {expected}", start
    if kind == BAD:
        ch = text[start]
        if ch == '"':
            return "not valid JSON: unterminated string", start
        if text.startswith("/*", start):
            return "not valid JSON: unterminated /* comment", start
        if ch == "'":
            return "not valid JSON: strings must be in double quotes, not single quotes", start
        return f"not valid JSON: unexpected character {describe(ch)}, {expected}", start
    tok = m.group(kind)
    if kind == STR:
        shown = "a string"
    elif kind == WORD and tok not in WORDS:
        # An unquoted word may be a secret someone forgot to quote: name it only when it is a
        # literal of another language (True, None, NaN, undefined, ...), never echo anything else.
        shown = (
            f"the word {tok!r} (JSON spells it true, false or null; strings need double quotes)"
            if tok.lower() in FOREIGN_LITERALS
            else f"an unquoted word of {len(tok)} characters (strings need double quotes)"
        )
    else:
        shown = repr(tok) if len(tok) <= 20 else repr(tok[:20] + "...")
    return f"not valid JSON: {expected}, found {shown}", start


def string_value(raw: str, offset: int, fail: Fail) -> str:
    """The text of a string token (quotes included in `raw`, which starts at `offset`): escapes decoded
    by the C decoder behind `json.loads`; a bad escape or a lone surrogate is an error there."""
    if "\\" not in raw:
        return raw[1:-1]
    try:
        value: str = scanstring(raw, 1, False)[0]
    except ValueError as exc:
        pos = getattr(exc, "pos", 0)
        msg = getattr(exc, "msg", str(exc))
        raise fail(f"not valid JSON: {msg.lower()} in string", offset + pos) from None
    lone = surrogates().search(value)
    if lone is not None:
        code = f"\\u{ord(lone.group()):04x}"
        raise fail(f"not valid text: {code} in a string is half of a character (a lone surrogate)", offset)
    return value


def number_value(raw: str, offset: int, fail: Fail) -> int | float:
    """The value of a number token the parser's fast path left (a sign, fraction, exponent or many
    digits): a leading zero, or a number no JSON consumer can hold, is an error at `offset`."""
    digits = raw.lstrip("-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        raise fail(f"not valid JSON: number {raw} has a leading zero", offset)
    try:
        value: int | float = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
    except ValueError:  # Python's int() refuses more than 4,300 digits; so would any double
        value = float("inf")
    problem = number_problem(value)
    if problem is not None:
        shown = raw if len(raw) <= 20 else f"{raw[:20]}... ({len(digits)} digits)"
        raise fail(f"number {shown} {problem}", offset)
    return value
