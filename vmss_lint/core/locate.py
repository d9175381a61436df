"""Where one JSON pointer's value starts in a strict-JSON text, without building a position table.

A finding needs the line of one or two pointers, while the position-keeping ARM reader (`armjson`)
records every value of the document in pure Python: for a typical model pair that was a fifth of the
whole in-process check. This walks only the path to the pointer and hops over every sibling with the
standard library's C scanner (`raw_decode`), so its cost is a few C-speed skips.

It gives the same answer as the ARM reader on any text `json.loads` accepts (a property-based test holds
it to that): line and column are 1-based, only `\\n` ends a line, and the column counts characters. With
a duplicated key the last one wins, as it does for `json.loads`.
"""

from __future__ import annotations

import json
import json.decoder
import re
from collections.abc import Callable

from vmss_lint.core.model import split_pointer

Position = tuple[int, int]

_SKIP = json.JSONDecoder().raw_decode
_STRING: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")


def _ws(text: str, idx: int) -> int:
    """The offset of the next non-whitespace character at or after `idx`."""
    return _WS.match(text, idx).end()  # type: ignore[union-attr]  # `*` always matches


def value_offset(text: str, pointer: str, *, unique_keys: bool = False) -> int | None:
    """The offset where the value at `pointer` starts in `text` (strict JSON), or None if it is absent.

    `unique_keys` says the text has no duplicated key (`has_duplicate_keys`), so the walk may stop at
    the first match instead of looking for a later one among the siblings."""
    idx = _ws(text, 0)
    for part in split_pointer(pointer):
        opener = text[idx : idx + 1]
        if opener == "{":
            found = None
            idx = _ws(text, idx + 1)
            while text[idx] == '"':
                key, idx = _STRING(text, idx + 1)
                idx = _ws(text, _ws(text, idx) + 1)  # past the colon
                if key == part:
                    found = idx
                    if unique_keys:
                        break
                idx = _ws(text, _SKIP(text, idx)[1])
                if text[idx] == ",":
                    idx = _ws(text, idx + 1)
            if found is None:
                return None
            idx = found
        elif opener == "[":
            if not part.isdigit() or (len(part) > 1 and part[0] == "0"):
                return None
            idx = _ws(text, idx + 1)
            for _ in range(int(part)):
                if text[idx] == "]":
                    return None
                idx = _ws(text, _SKIP(text, idx)[1])
                if text[idx] == ",":
                    idx = _ws(text, idx + 1)
            if text[idx] == "]":
                return None
        else:
            return None
    return idx


class _Duplicate(Exception):
    pass


def _unique_members(pairs: list[tuple[str, object]]) -> None:
    if len({key for key, _ in pairs}) != len(pairs):
        raise _Duplicate


def has_duplicate_keys(text: str) -> bool:
    """Whether any object of a strict-JSON text repeats a key: one C-speed parse with a cheap hook,
    worth it once per file so that every later lookup can stop at its key."""
    try:
        json.loads(text, object_pairs_hook=_unique_members)
    except _Duplicate:
        return True
    return False


def value_position(text: str, pointer: str, *, unique_keys: bool = False) -> Position | None:
    """(line, column) of the value at `pointer`, as `armjson.ParsedJson.positions` would give it."""
    offset = value_offset(text, pointer, unique_keys=unique_keys)
    if offset is None:
        return None
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
