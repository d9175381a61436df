"""Message templates of data rules: `str.format` placeholders with a few domain formats.

A rule's `message` may use:

- `{pointer}`: the pointer of the finding;
- `{old}` / `{new}`: the value before / after, as JSON text (strings as they are, absent as "(not set)");
- `{old!s}`: the value as plain text (`True`, `128`), absent as "(not set)";
- `{old:secret}`: a harmless description of a secret ("<secret: 12 bytes after base64 decoding>"),
  "not set" when absent;
- `{old:last}`: the last segment of a resource id ("(no id)" when absent);
- `{old:or TEXT}`: TEXT when the value is absent (None or a blank string), else the value;
- `{item[KEY]}`: a key of the list element the rule's first `*` matched (a data disk, an extension),
  with the same formats (`{item[name]:or (unnamed)}`);
- `{field}`: the pointer below that element, without a leading `properties/` (`managedDisk/caching`);
- `{current[POINTER]}` / `{proposed[POINTER]}`: another property of the current / the effective
  proposed model (`{proposed[/properties/platformFaultDomainCount]}`), redacted like the finding;
- `{added}` / `{removed}`: for a list value (zones), the elements only the new / only the old list has,
  sorted and joined by ", ".

Values are already redacted the way every finding is; only `secret` sees the raw value, and it prints
nothing of it. Formatting lives here, not in the hooks, so that a rule pack cannot print a secret by
choosing a format.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from vmss_lint.core.redact import describe_secret
from vmss_lint.core.values import is_unknown


def absent(value: Any) -> bool:
    """Not set: missing, null, or a blank string (ARM and the clients treat them alike)."""
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: Any) -> str:
    """A value as a message quotes it: strings as written, the rest as JSON, absent as "(not set)"."""
    if value is None:
        return "(not set)"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=_unresolved)


def _unresolved(value: Any) -> str:
    """A template value vmss-lint could not resolve, nested in a block a rule quotes (an extension's
    settings with one `[reference(...)]` in them): quoted as the expression, never as a made-up value."""
    if is_unknown(value):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def last_segment(resource_id: Any) -> str:
    """A readable name for a resource id (or a `{"id": ...}` reference): its last segment."""
    if isinstance(resource_id, dict):
        resource_id = resource_id.get("id")
    return str(resource_id).rstrip("/").rsplit("/", 1)[-1] if resource_id else "(no id)"


class Shown:
    """One value as a template sees it: `shown` is the printable (redacted) form, `raw` the model's."""

    __slots__ = ("raw", "shown")

    def __init__(self, shown: Any, raw: Any = None) -> None:
        self.shown = shown
        self.raw = raw

    def __format__(self, spec: str) -> str:
        if not spec:
            return show(self.shown)
        if spec == "secret":
            return describe_secret(self.raw) or "not set"
        if spec == "last":
            return last_segment(self.shown)
        if spec.startswith("or "):
            return spec[3:] if absent(self.shown) else show(self.shown)
        raise ValueError(f"unknown format '{spec}' (use secret, last or 'or TEXT')")

    def __str__(self) -> str:
        return "(not set)" if self.shown is None else str(self.shown)


class Item(Mapping[str, Shown]):
    """The list element a rule matched, for `{item[KEY]}`; a missing key is an absent value."""

    def __init__(self, element: Any) -> None:
        self._element = element if isinstance(element, dict) else {}

    def __getitem__(self, key: str) -> Shown:
        value = self._element.get(key)
        return Shown(value, value)

    def __iter__(self) -> Any:
        return iter(self._element)

    def __len__(self) -> int:
        return len(self._element)


class Model(Mapping[str, Shown]):
    """One side of the change for `{current[POINTER]}` / `{proposed[POINTER]}`: `get` looks a pointer up
    and returns the printable (redacted) value."""

    def __init__(self, get: Callable[[str], Any] | None = None) -> None:
        self._get = get or (lambda pointer: None)

    def __getitem__(self, pointer: str) -> Shown:
        value = self._get(pointer)
        return Shown(value, None)

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


def render(
    template: str,
    pointer: str,
    old: Shown,
    new: Shown,
    item: Any = None,
    field: str = "",
    added: str = "",
    removed: str = "",
    models: tuple[Model, Model] = (Model(), Model()),
) -> str:
    return template.format(
        pointer=pointer,
        old=old,
        new=new,
        item=Item(item),
        field=field,
        added=added,
        removed=removed,
        current=models[0],
        proposed=models[1],
    )


def check(template: str) -> str | None:
    """Why a template cannot be rendered, or None: rule files are checked when they load."""
    try:
        render(template, "", Shown("x", "x"), Shown(None), {}, "")
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
        return (
            "message may only use {pointer}, {old}, {new}, {item[KEY]}, {field}, {added}, {removed}, "
            "{current[POINTER]} and {proposed[POINTER]}: "
            f"{exc}"
        )
    return None
