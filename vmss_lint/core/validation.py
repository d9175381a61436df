"""A pydantic validation error as one line naming the key and the problem, for every validated file.

Config files and a template's suppressions (`metadata`) are validated by pydantic models; whoever reads
them turns the first problem into one `InputError` here, so both say it the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from vmss_lint.core.errors import InputError

if TYPE_CHECKING:
    from pydantic import ValidationError


def validation_error(
    exc: ValidationError,
    source: str,
    *,
    prefix: str = "",
    known_keys: Callable[[list[str], str], str | None] | None = None,
) -> InputError:
    """One `InputError` for the first problem pydantic found, with the key path written as in TOML.

    `known_keys(table path, unknown key)` may name the keys that table takes (the config file's does).
    """
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    kind = first["type"]
    if kind == "extra_forbidden":
        key = loc[-1]
        problem = f"unknown key '{key}'"
        hint = known_keys(loc[:-1], key) if known_keys is not None else None
    elif kind == "missing":
        key = loc[-1]
        problem = f"'{key}' is required"
        hint = "a suppression needs a reason: say why the finding is accepted" if key == "reason" else None
        loc = loc[:-1]
    else:
        problem = str(first["msg"]).removeprefix("Value error, ")
        hint = None
    if kind == "extra_forbidden":
        loc = loc[:-1]
    where = _toml_path(prefix, loc)
    more = len(exc.errors()) - 1
    if more:
        hint = f"{hint}; " if hint else ""
        hint += f"{more} more problem(s) in this file"
    return InputError(source, problem, where=where or None, hint=hint)


def _toml_path(prefix: str, loc: list[str]) -> str:
    text = prefix
    for part in loc:
        if part.isdigit():
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
