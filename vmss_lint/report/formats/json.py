"""`--format json`: the report's dump, stable key order, the public contract.

The text is exactly `json.dumps(dump, indent=2, ensure_ascii=False)` (a property test holds it to
that). It is written by `pretty` below because the standard library falls back to its pure-Python,
generator-based encoder whenever `indent` is set, which was a seventh of an in-process check; here
strings still go through the C escaper and the structure is a plain recursive join.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from enum import Enum
from typing import Any

from vmss_lint.core.records import record_keys
from vmss_lint.report.document import Report

_ESCAPE: Callable[[str], str] = json.encoder.encode_basestring
_FLOAT = json.encoder.JSONEncoder(ensure_ascii=False).iterencode  # the stdlib's own float spelling


def render(report: Report, **_: Any) -> str:
    return pretty(report) + "\n"


def pretty(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` for JSON data (dict keys are strings), where
    a record is written as its dump (`records.to_json`) without building that dump first."""
    out: list[str] = []
    _write(value, "\n", out)
    return "".join(out)


def _write(value: Any, newline: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_ESCAPE(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append("".join(_FLOAT(value)))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        for key, item in value.items():
            kind = type(item)
            if kind is str:  # the common leaves inline: a report is mostly short strings and nulls
                out.append(f"{sep}{_ESCAPE(key)}: {_ESCAPE(item)}")
            elif item is None:
                out.append(f"{sep}{_ESCAPE(key)}: null")
            else:
                out.append(f"{sep}{_ESCAPE(key)}: ")
                _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            if type(item) is str:  # inline, as in a dict: lists of pointers, zones, instance ids
                out.append(sep + _ESCAPE(item))
            else:
                out.append(sep)
                _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif isinstance(value, Enum):
        _write(value.value, newline, out)
    else:
        keys = record_keys(value)
        if keys is None:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        attrs = value.__dict__  # records and dataclasses keep their fields there
        _write({key: attrs[attr] for attr, key in keys}, newline, out)
