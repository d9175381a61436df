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

The tokens, decoding and error wording are in `vmss_lint.arm.json_tokens`, the value rules in
`vmss_lint.arm.json_values`; this module is the grammar. It is past 300 lines because the parser
loop is one function on purpose: its state lives in locals, which is what makes it fast.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from vmss_lint.arm.json_tokens import (
    END,
    NUM,
    PUNCT,
    STR,
    TOKEN,
    WORD,
    WORDS,
    Locator,
    decode,
    number_value,
    string_value,
    token_problem,
)
from vmss_lint.arm.json_values import (
    JsonValue,
    Position,
    escape_pointer_token,
    number_problem,
    prune_positions,
    value_problem,
)
from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.limits import INPUT_MAX_BYTES, JSON_MAX_DEPTH
from vmss_lint.core.records import Record

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


MAX_DEPTH = JSON_MAX_DEPTH
"""Deepest allowed nesting of objects and arrays (the root container is depth 1)."""

MAX_BYTES = INPUT_MAX_BYTES
"""Largest accepted input, in bytes of UTF-8. ARM itself caps templates at 4 MB."""


class DuplicateKey(Record):
    """A key that appeared twice in one object; `exact` is False when only the case differs."""

    pointer: str
    """Pointer of the later member (for exact duplicates, the member that won)."""
    key: str
    first: Position
    second: Position
    exact: bool


class ParsedJson(Record):
    """A parsed document plus the positions needed to point findings at source lines."""

    value: JsonValue
    positions: dict[str, Position]
    """JSON pointer of every value (root is "") -> (line, column) where the value starts."""
    key_positions: dict[str, Position]
    """JSON pointer of every object member -> (line, column) of its key."""
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    trailing_commas: tuple[Position, ...] = ()
    source: str = ""


# Parser states.
_VALUE = 0  # a value must follow (root, after ':')
_VALUE_OR_CLOSE = 1  # after '[' or after ',' in an array (trailing comma allowed)
_KEY_OR_CLOSE = 2  # after '{' or after ',' in an object (trailing comma allowed)
_COLON = 3
_COMMA_OR_CLOSE = 4
_DONE = 5


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
    text = decode(data, source, max_bytes)
    return _Parser(text, source, max_depth).parse()


class _Parser:
    def __init__(self, text: str, source: str, max_depth: int) -> None:
        self.text = text
        self.source = source
        self.max_depth = max_depth
        self.locate = Locator(text)

    def fail(self, problem: str, offset: int, hint: str | None = None) -> InputError:
        line, col = self.locate(offset)
        return InputError(self.source, problem, where=f"line {line}, column {col}", hint=hint)

    def bad_token(self, m: re.Match[str], expected: str) -> InputError:
        """Explain the token at `m` that did not fit; `expected` says what would have."""
        return self.fail(*token_problem(self.text, m, expected))

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
        fail = self.fail

        for m in TOKEN.finditer(self.text):
            kind = m.lastindex or 0  # never 0: exactly one token group matches
            if state == _COMMA_OR_CLOSE:
                if kind == PUNCT:
                    tok = m.group(PUNCT)
                    if tok == ",":
                        last_comma = m.start(PUNCT)
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
                if kind == STR:
                    start = m.start(STR)
                    raw = m.group(STR)
                    key = raw[1:-1] if "\\" not in raw else string_value(raw, start, fail)
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
                if kind == PUNCT and m.group(PUNCT) == "}":
                    top_list, top_obj, top_ptr, lowered, state = _close(stack, trailing, last_comma)
                    last_comma = -1
                    continue
                raise self.bad_token(m, "expected a property name in double quotes or '}'")

            if state == _COLON:
                if kind == PUNCT and m.group(PUNCT) == ":":
                    state = _VALUE
                    continue
                raise self.bad_token(m, "expected ':' after property name")

            if state == _DONE:
                if kind == END:
                    break
                raise self.bad_token(m, "expected end of file after the JSON value")

            # _VALUE or _VALUE_OR_CLOSE
            value: JsonValue
            if kind == STR:
                raw = m.group(STR)
                value = raw[1:-1] if "\\" not in raw else string_value(raw, m.start(STR), fail)
            elif kind == NUM:
                raw = m.group(NUM)
                if raw.isdigit() and len(raw) < 19 and (raw[0] != "0" or len(raw) == 1):
                    value = int(raw)
                else:
                    value = number_value(raw, m.start(NUM), fail)
            elif kind == PUNCT:
                tok = m.group(PUNCT)
                start = m.start(PUNCT)
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
            elif kind == WORD and m.group(WORD) in WORDS:
                value = WORDS[m.group(WORD)]
            elif kind == END and not stack and not positions:
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
            prune_positions(root, positions, key_positions)
        locate = self.locate
        return ParsedJson(
            value=root,
            positions=locate.many(positions),
            key_positions=locate.many(key_positions),
            duplicate_keys=tuple(
                DuplicateKey(pointer=p, key=k, first=locate(a), second=locate(b), exact=exact)
                for p, k, a, b, exact in duplicates
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
