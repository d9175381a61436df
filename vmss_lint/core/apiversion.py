"""Which Microsoft.Compute API version a comparison is judged by.

Some answers depend on it (zones may be added from 2023-03-01, passwords changed from 2017-12-01). The
version comes from `--api-version`, else from the proposed template's `apiVersion`, else the newest
documented behaviour is assumed, and the report always says which it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vmss_lint.core.errors import InputError

NEWEST_DOCUMENTED = "2025-11-01"
_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")


@dataclass(frozen=True)
class ApiVersion:
    value: str
    origin: str  # "option", "template", "assumed"

    @property
    def assumed(self) -> bool:
        return self.origin == "assumed"


def validate(value: str, source: str = "--api-version") -> str:
    if not _RE.match(value.strip()):
        raise InputError(source, f"'{value}' is not an API version", hint="use the form 2024-11-01")
    return value.strip()


def choose(option: str | None, template: str | None) -> ApiVersion:
    if option:
        return ApiVersion(validate(option), "option")
    if template and _RE.match(template):
        return ApiVersion(template, "template")
    return ApiVersion(NEWEST_DOCUMENTED, "assumed")
