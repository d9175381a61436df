"""JSON values as every reader of user input must hold them: the value type, RFC 6901 pointer tokens,
and what no JSON output can carry (numbers past a double's range, lone surrogates).

Split from `vmss_lint.arm.reader` because these rules are shared by readers that are not the ARM
parser (`--set` values, `json.loads` of a command line): they depend on nothing, so any module may
import them without the parser. `vmss_lint.arm.reader` re-exports them under their old names.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

JsonValue: TypeAlias = dict[str, "JsonValue"] | list["JsonValue"] | str | int | float | bool | None
Position: TypeAlias = tuple[int, int]
"""(line, column), both 1-based; columns count characters."""


@functools.cache
def surrogates() -> re.Pattern[str]:
    """Finds half of a UTF-16 pair on its own: no UTF-8 output can carry it. Compiled on first use
    (only a string with escapes, or a value from another reader, needs it): compiling it at import
    cost a template run 2.6 M instructions."""
    return re.compile("[\ud800-\udfff]")


_FLOAT_MAX = 1.7976931348623157e308


def escape_pointer_token(token: str) -> str:
    """RFC 6901 escaping, shared so every module builds identical pointers."""
    if "~" in token:
        token = token.replace("~", "~0")
    if "/" in token:
        token = token.replace("/", "~1")
    return token


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
    lone_surrogate = surrogates().search
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            if lone_surrogate(node):
                return "holds half of a character (a lone surrogate)"
        elif isinstance(node, int | float) and not isinstance(node, bool):
            problem = number_problem(node)
            if problem is not None:
                return f"holds a number that {problem}"
    return None


def prune_positions(root: JsonValue, positions: dict[str, int], key_positions: dict[str, int]) -> None:
    """Drop from the pointer -> offset tables the values no longer in the tree at `root` (lost to
    duplicate keys, whose later value replaced an earlier container): one pass, however many."""
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
