"""The JSON dump of the report's records: the public output contract and the snapshot format.

The records (findings, plans, results, the report) are frozen dataclasses rather than pydantic models.
vmss-lint builds them itself and never parses them from users, so validation would buy nothing, while
importing pydantic and building a dozen models cost about half the start-up time of a model-pair check,
and the check runs on every commit. pydantic stays where users write the input: config files,
suppressions and third-party rule files.

The dump is deliberately simple and stable: keys are the camelCase form of the field names, in
declaration order; `None` values are kept (a missing key and a null mean different things to jq users);
enums become their values; nested records, lists and dicts are dumped recursively.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

_KEYS: dict[type, tuple[tuple[str, str], ...]] = {}


def camel(name: str) -> str:
    """`instance_ids` -> `instanceIds`: the JSON key of a record field."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def record_keys(value: Any) -> tuple[tuple[str, str], ...] | None:
    """(attribute, JSON key) of each field when `value` is a record (a dataclass instance), else None."""
    cls = type(value)
    keys = _KEYS.get(cls)
    if keys is None:
        if not is_dataclass(value) or isinstance(value, type):
            return None
        keys = _KEYS[cls] = tuple((f.name, camel(f.name)) for f in fields(value))
    return keys


def to_json(value: Any) -> Any:
    """Plain JSON data (dict, list, str, int, float, bool, None) for a record or any value inside one."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    keys = record_keys(value)
    if keys is None:
        raise TypeError(f"{type(value).__name__} is not JSON data")
    return {key: to_json(getattr(value, attr)) for attr, key in keys}
