"""Which Microsoft.Compute API version a comparison is judged by.

Some answers depend on it (zones may be added from 2023-03-01, passwords changed from 2017-12-01). The
version comes from `--api-version`, else from the proposed template's `apiVersion` (evaluated when it is
an expression such as `[variables('computeApiVersion')]`, or taken from the template's Azure Stack Hub
`apiProfile` when the resource has none), else the newest documented behaviour is assumed, and the report
always says which it used and where it came from (`detail`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vmss_lint.core.errors import InputError

NEWEST_DOCUMENTED = "2025-11-01"

# Microsoft.Compute API version of each Azure Stack Hub API profile ("Resource provider API versions
# supported by profiles in Azure Stack Hub", MicrosoftDocs/azure-stack-docs
# azure-stack/user/azure-stack-profiles-azure-resource-manager-versions.md; 2017-03-09-profile and
# 2018-03-01-hybrid from the earlier revisions of that article). `latest` has no fixed version.
HYBRID_PROFILES: dict[str, str] = {
    "2017-03-09-profile": "2016-03-30",
    "2018-03-01-hybrid": "2017-03-30",
    "2019-03-01-hybrid": "2017-12-01",
    "2020-09-01-hybrid": "2020-06-01",
}


def compute_version_of_profile(profile: str) -> str | None:
    """The Microsoft.Compute API version an Azure Stack Hub `apiProfile` stands for (None if unknown)."""
    return HYBRID_PROFILES.get(profile.strip().lower())


_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")


@dataclass(frozen=True)
class ApiVersion:
    value: str
    origin: str  # "option", "template", "assumed"
    detail: str | None = None  # how the template gave it: an expression, an apiProfile

    @property
    def assumed(self) -> bool:
        return self.origin == "assumed"


def validate(value: str, source: str = "--api-version") -> str:
    if not _RE.match(value.strip()):
        raise InputError(source, f"'{value}' is not an API version", hint="use the form 2024-11-01")
    return value.strip()


def choose(option: str | None, template: str | None, detail: str | None = None) -> ApiVersion:
    if option:
        return ApiVersion(validate(option), "option")
    if template and _RE.match(template):
        return ApiVersion(template, "template", detail)
    return ApiVersion(NEWEST_DOCUMENTED, "assumed", detail)
