"""Reader for ARM's JSON dialect that remembers where every value came from.

Findings must point at a line in the user's template, and no JSON library both accepts what ARM
accepts (comments, raw line breaks inside strings, trailing commas) and reports positions, so this
is a small hand-written scanner. One compiled regular expression produces the tokens (skipping
whitespace and comments as part of each match), and an explicit stack replaces recursion so that
absurdly deep input fails with `LimitExceeded` instead of `RecursionError`.

Dialect decisions (see docs section 1.4 of the ARM reference notes):

* A UTF-8 byte order mark is dropped, as azure-cli does (`utf-8-sig`).
* `//` and `/* */` comments are allowed wherever whitespace is.
* Whitespace between tokens is what .NET's `char.IsWhiteSpace` accepts, as ARM's reader (Newtonsoft
  JSON.NET) does: besides space, tab and line breaks also the no-break space U+00A0 (an editor's or a
  web page's paste), U+0085, vertical tab, form feed and the Unicode space separators. Only between
  tokens: inside a bare word or a number such a character is still an error, and inside a string it is
  kept as written.
* String literals may contain raw line breaks and other control characters (azure-cli parses with
  `strict=False`, Azure PowerShell with Newtonsoft; both accept them).
* Trailing commas are accepted, as Azure PowerShell does, and listed in `ParsedJson.trailing_commas`
  so the caller can warn: azure-cli and the portal reject them.
* Duplicate keys are not an error: the engine's behaviour is undocumented, so we follow the
  Newtonsoft default (the last one wins) and list them in `ParsedJson.duplicate_keys`, including keys
  that differ only in case (ARM looks most names up case-insensitively), for the caller to warn.
* Numbers without a fraction or exponent stay `int`; everything else is `float`.
* A number no JSON consumer can hold is an error with its position, never a silent infinity: a float
  that overflows a double (`1e400`), an integer past a double's range (a 4,000-digit capacity), and
  `NaN`/`Infinity`, which are not JSON at all. The output formats must stay strict JSON.
* A `\\u` escape that leaves a lone UTF-16 surrogate (`"\\ud800"`) is an error with its position: no
  UTF-8 output can carry it, and ARM's own reader would reject the request body.

Columns are 1-based and count characters (not bytes, not tab stops).
"""

from __future__ import annotations

import json.decoder
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.limits import INPUT_MAX_BYTES, JSON_MAX_DEPTH

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "DuplicateKey",
    "JsonValue",
    "ParsedJson",
    "escape_pointer_token",
    "load_arm_json",
    "number_problem",
    "value_problem",
]

JsonValue: TypeAlias = dict[str, "JsonValue"] | list["JsonValue"] | str | int | float | bool | None
Position: TypeAlias = tuple[int, int]

MAX_DEPTH = JSON_MAX_DEPTH
"""Deepest allowed nesting of objects and arrays (the root container is depth 1)."""

MAX_BYTES = INPUT_MAX_BYTES
"""Largest accepted input, in bytes of UTF-8. ARM itself caps templates at 4 MB."""


@dataclass(frozen=True)
class DuplicateKey:
    """A key that appeared twice in one object; `exact` is False when only the case differs."""

    pointer: str
    """Pointer of the later member (for exact duplicates, the member that won)."""
    key: str
    first: Position
    second: Position
    exact: bool


@dataclass(frozen=True)
class ParsedJson:
    """A parsed document plus the positions needed to point findings at source lines."""

    value: JsonValue
    positions: dict[str, Position]
    """JSON pointer of every value (root is "") -> (line, column) where the value starts."""
    key_positions: dict[str, Position]
    """JSON pointer of every object member -> (line, column) of its key."""
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    trailing_commas: tuple[Position, ...] = ()
    source: str = field(default="")


def escape_pointer_token(token: str) -> str:
    """RFC 6901 escaping, shared so every module builds identical pointers."""
    if "~" in token:
        token = token.replace("~", "~0")
    if "/" in token:
        token = token.replace("/", "~1")
    return token


# Every match skips leading whitespace and comments (possessively, so no backtracking), then
# captures exactly one token. The catch-all `(.)` and `(\Z)` make matches contiguous, so
# `finditer` visits every character and errors are found where they happen.
_TOKEN = re.compile(
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
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

_STR, _PUNCT, _NUM, _WORD, _END, _BAD = 1, 2, 3, 4, 5, 6
_WORDS: dict[str, JsonValue] = {"true": True, "false": False, "null": None}
# Literals of other languages that people write in JSON by mistake: the only words an error quotes.
_FOREIGN_LITERALS = frozenset({"true", "false", "null", "none", "nil", "nan", "infinity", "undefined"})

# Parser states.
_VALUE = 0  # a value must follow (root, after ':')
_VALUE_OR_CLOSE = 1  # after '[' or after ',' in an array (trailing comma allowed)
_KEY_OR_CLOSE = 2  # after '{' or after ',' in an object (trailing comma allowed)
_COLON = 3
_COMMA_OR_CLOSE = 4
_DONE = 5


_SURROGATE = re.compile("[\ud800-\udfff]")
_FLOAT_MAX = 1.7976931348623157e308


def number_problem(value: int | float) -> str | None:
    """Why a parsed number cannot be carried as JSON, or None: infinities and NaN (what `1e400`
    becomes) and integers whose size is past a double's range. Shared by every reader of user numbers
    (files, `--set` values), so none lets one through."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "is outside the range of JSON numbers (a double's, about 1.8e308)"
        return None
    if -_FLOAT_MAX <= value <= _FLOAT_MAX:
        return None
    return "is outside the range of JSON numbers (a double's, about 1.8e308)"


def value_problem(value: object) -> str | None:
    """Why a value parsed by some other reader (`json.loads`, a Python literal) cannot be carried as
    JSON, or None: the same rules as this reader's (numbers in a double's range, no lone surrogate)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            if _SURROGATE.search(node):
                return "holds half of a character (a lone surrogate)"
        elif isinstance(node, int | float) and not isinstance(node, bool):
            problem = number_problem(node)
            if problem is not None:
                return f"holds a number that {problem}"
    return None


def _decode(data: bytes | str, source: str, max_bytes: int) -> str:
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


def _describe(ch: str) -> str:
    return repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"


class _Locator:
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


def load_arm_json(
    data: bytes | str,
    source: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_bytes: int = MAX_BYTES,
) -> ParsedJson:
    """Parse an ARM template, parameter file or any JSON(C) document, keeping source positions.

    `source` names the input in error messages (usually the file path).
    Raises `InputError` for malformed input and `LimitExceeded` past `max_depth`/`max_bytes`.
    """
    text = _decode(data, source, max_bytes)
    return _Parser(text, source, max_depth).parse()


class _Parser:
    def __init__(self, text: str, source: str, max_depth: int) -> None:
        self.text = text
        self.source = source
        self.max_depth = max_depth
        self.locate = _Locator(text)

    def fail(self, problem: str, offset: int, hint: str | None = None) -> InputError:
        line, col = self.locate(offset)
        return InputError(self.source, problem, where=f"line {line}, column {col}", hint=hint)

    def string(self, raw: str, offset: int) -> str:
        if "\\" not in raw:
            return raw[1:-1]
        try:
            value: str = _scanstring(raw, 1, False)[0]
        except ValueError as exc:
            pos = getattr(exc, "pos", 0)
            msg = getattr(exc, "msg", str(exc))
            raise self.fail(f"not valid JSON: {msg.lower()} in string", offset + pos) from None
        lone = _SURROGATE.search(value)
        if lone is not None:
            code = f"\\u{ord(lone.group()):04x}"
            raise self.fail(
                f"not valid text: {code} in a string is half of a character (a lone surrogate)", offset
            )
        return value

    def number(self, raw: str, offset: int) -> int | float:
        digits = raw.lstrip("-")
        if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
            raise self.fail(f"not valid JSON: number {raw} has a leading zero", offset)
        try:
            value: int | float = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
        except ValueError:  # Python's int() refuses more than 4,300 digits; so would any double
            value = float("inf")
        problem = number_problem(value)
        if problem is not None:
            shown = raw if len(raw) <= 20 else f"{raw[:20]}... ({len(digits)} digits)"
            raise self.fail(f"number {shown} {problem}", offset)
        return value

    def bad_token(self, m: re.Match[str], expected: str) -> InputError:
        """Explain the token at `m` that did not fit; `expected` says what would have."""
        kind = m.lastindex or 0
        start = m.start(kind)
        text = self.text
        if kind == _END:
            return self.fail(f"not valid JSON: unexpected end of file, {expected}", start)
        if kind == _BAD:
            ch = text[start]
            if ch == '"':
                return self.fail("not valid JSON: unterminated string", start)
            if text.startswith("/*", start):
                return self.fail("not valid JSON: unterminated /* comment", start)
            if ch == "'":
                return self.fail("not valid JSON: strings must be in double quotes, not single quotes", start)
            return self.fail(f"not valid JSON: unexpected character {_describe(ch)}, {expected}", start)
        tok = m.group(kind)
        if kind == _STR:
            shown = "a string"
        elif kind == _WORD and tok not in _WORDS:
            # An unquoted word may be a secret someone forgot to quote: name it only when it is a
            # literal of another language (True, None, NaN, undefined, ...), never echo anything else.
            shown = (
                f"the word {tok!r} (JSON spells it true, false or null; strings need double quotes)"
                if tok.lower() in _FOREIGN_LITERALS
                else f"an unquoted word of {len(tok)} characters (strings need double quotes)"
            )
        else:
            shown = repr(tok) if len(tok) <= 20 else repr(tok[:20] + "...")
        return self.fail(f"not valid JSON: {expected}, found {shown}", start)

    def parse(self) -> ParsedJson:
        """One loop over the tokens; the innermost container lives in locals for speed."""
        positions: dict[str, int] = {}
        key_positions: dict[str, int] = {}
        duplicates: list[tuple[str, str, int, int, bool]] = []
        trailing: list[int] = []
        stale_subtrees = False  # a duplicate key replaced a container: prune its positions at the end
        stack: list[_Frame] = []  # enclosing containers of the current one
        top_list: list[JsonValue] | None = None  # the current container: a list...
        top_obj: dict[str, JsonValue] | None = None  # ...or a dict, or neither at the top level
        top_ptr = ""
        lowered: dict[str, str] = {}  # lower-case key -> key as written, for the current object
        root: JsonValue = None
        state = _VALUE
        ptr = ""  # pointer of the value expected next
        key = ""
        last_comma = -1
        max_depth = self.max_depth
        string, number = self.string, self.number

        for m in _TOKEN.finditer(self.text):
            kind = m.lastindex or 0  # never 0: exactly one token group matches
            if state == _COMMA_OR_CLOSE:
                if kind == _PUNCT:
                    tok = m.group(_PUNCT)
                    if tok == ",":
                        last_comma = m.start(_PUNCT)
                        if top_list is not None:
                            ptr = f"{top_ptr}/{len(top_list)}"
                            state = _VALUE_OR_CLOSE
                        else:
                            state = _KEY_OR_CLOSE
                        continue
                    if tok == ("]" if top_list is not None else "}"):
                        last_comma = -1
                        top_list, top_obj, top_ptr, lowered = stack.pop()
                        state = _DONE if top_list is None and top_obj is None else _COMMA_OR_CLOSE
                        continue
                what = (
                    "',' or ']' after array element"
                    if top_list is not None
                    else "',' or '}' after object member"
                )
                raise self.bad_token(m, f"expected {what}")

            if state == _KEY_OR_CLOSE:
                if kind == _STR:
                    start = m.start(_STR)
                    raw = m.group(_STR)
                    key = raw[1:-1] if "\\" not in raw else string(raw, start)
                    ptr = f"{top_ptr}/{escape_pointer_token(key)}"
                    assert top_obj is not None
                    folded = key.lower()
                    if key in top_obj:
                        duplicates.append((ptr, key, key_positions[ptr], start, True))
                        old = top_obj.pop(key)  # re-inserted below, so order follows the winner
                        stale_subtrees = stale_subtrees or isinstance(old, dict | list)
                    elif folded in lowered:
                        other_ptr = f"{top_ptr}/{escape_pointer_token(lowered[folded])}"
                        duplicates.append((ptr, key, key_positions[other_ptr], start, False))
                    else:
                        lowered[folded] = key
                    key_positions[ptr] = start
                    state = _COLON
                    last_comma = -1
                    continue
                if kind == _PUNCT and m.group(_PUNCT) == "}":
                    top_list, top_obj, top_ptr, lowered, state = _close(stack, trailing, last_comma)
                    last_comma = -1
                    continue
                raise self.bad_token(m, "expected a property name in double quotes or '}'")

            if state == _COLON:
                if kind == _PUNCT and m.group(_PUNCT) == ":":
                    state = _VALUE
                    continue
                raise self.bad_token(m, "expected ':' after property name")

            if state == _DONE:
                if kind == _END:
                    break
                raise self.bad_token(m, "expected end of file after the JSON value")

            # _VALUE or _VALUE_OR_CLOSE
            value: JsonValue
            if kind == _STR:
                raw = m.group(_STR)
                value = raw[1:-1] if "\\" not in raw else string(raw, m.start(_STR))
            elif kind == _NUM:
                raw = m.group(_NUM)
                if raw.isdigit() and len(raw) < 19 and (raw[0] != "0" or len(raw) == 1):
                    value = int(raw)
                else:
                    value = number(raw, m.start(_NUM))
            elif kind == _PUNCT:
                tok = m.group(_PUNCT)
                start = m.start(_PUNCT)
                if tok == "{" or tok == "[":
                    if len(stack) >= max_depth:
                        raise LimitExceeded(
                            self.source,
                            f"objects and arrays are nested more than {max_depth} levels deep",
                            where="line {}, column {}".format(*self.locate(start)),
                            hint="raise the limit with max_depth",
                        )
                    new_list: list[JsonValue] | None = [] if tok == "[" else None
                    new_obj: dict[str, JsonValue] | None = {} if tok == "{" else None
                    container: JsonValue = new_list if new_list is not None else new_obj
                    if top_list is not None:
                        top_list.append(container)
                    elif top_obj is not None:
                        top_obj[key] = container
                    else:
                        root = container
                    positions[ptr] = start
                    stack.append((top_list, top_obj, top_ptr, lowered))
                    top_list, top_obj, top_ptr, lowered = new_list, new_obj, ptr, {}
                    if new_list is not None:
                        state = _VALUE_OR_CLOSE
                        ptr = f"{ptr}/0"
                    else:
                        state = _KEY_OR_CLOSE
                    last_comma = -1
                    continue
                if tok == "]" and state == _VALUE_OR_CLOSE:
                    top_list, top_obj, top_ptr, lowered, state = _close(stack, trailing, last_comma)
                    last_comma = -1
                    continue
                raise self.bad_token(m, "expected a value")
            elif kind == _WORD and m.group(_WORD) in _WORDS:
                value = _WORDS[m.group(_WORD)]
            elif kind == _END and not stack and not positions:
                raise InputError(self.source, "file is empty", hint="expected a JSON document")
            else:
                raise self.bad_token(m, "expected a value")
            if top_list is not None:
                top_list.append(value)
                state = _COMMA_OR_CLOSE
            elif top_obj is not None:
                top_obj[key] = value
                state = _COMMA_OR_CLOSE
            else:
                root = value
                state = _DONE
            positions[ptr] = m.start(kind)
            last_comma = -1

        if stale_subtrees:
            _prune(root, positions, key_positions)
        locate = self.locate
        return ParsedJson(
            value=root,
            positions=locate.many(positions),
            key_positions=locate.many(key_positions),
            duplicate_keys=tuple(
                DuplicateKey(p, k, locate(a), locate(b), exact) for p, k, a, b, exact in duplicates
            ),
            trailing_commas=tuple(locate(o) for o in trailing),
            source=self.source,
        )


_Frame: TypeAlias = tuple["list[JsonValue] | None", "dict[str, JsonValue] | None", str, dict[str, str]]


def _close(
    stack: list[_Frame], trailing: list[int], last_comma: int
) -> tuple[list[JsonValue] | None, dict[str, JsonValue] | None, str, dict[str, str], int]:
    """Close the innermost object or array (`}` or `]`): keep its trailing comma, if any, for the
    notice, return to the enclosing container's frame, and say what may follow it."""
    if last_comma >= 0:
        trailing.append(last_comma)
    top_list, top_obj, top_ptr, lowered = stack.pop()
    return (
        top_list,
        top_obj,
        top_ptr,
        lowered,
        _DONE if top_list is None and top_obj is None else _COMMA_OR_CLOSE,
    )


def _prune(root: JsonValue, positions: dict[str, int], key_positions: dict[str, int]) -> None:
    """Drop positions of values lost to duplicate keys (one pass, however many duplicates)."""
    live: set[str] = set()
    stack: list[tuple[str, JsonValue]] = [("", root)]
    while stack:
        ptr, value = stack.pop()
        live.add(ptr)
        if isinstance(value, dict):
            stack.extend((f"{ptr}/{escape_pointer_token(k)}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{ptr}/{i}", v) for i, v in enumerate(value))
    for table in (positions, key_positions):
        for p in [p for p in table if p not in live]:
            del table[p]
