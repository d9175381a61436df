"""Which Microsoft.Compute API version a comparison is judged by.

Some answers depend on it (zones may be added from 2023-03-01, passwords changed from 2017-12-01). The
version comes from `--api-version`, else from the proposed template's `apiVersion` (evaluated when it is
an expression such as `[variables('computeApiVersion')]`, or taken from the template's Azure Stack Hub
`apiProfile` when the resource has none), else the newest documented behaviour is assumed, and the report
always says which it used and where it came from (`detail`).
"""

from __future__ import annotations

import re

from vmss_lint.core.errors import InputError
from vmss_lint.core.records import Record

NEWEST_DOCUMENTED = "2026-03-01"
"""The newest stable Microsoft.Compute API version (ComputeRP/stable/2026-03-01 in Azure/azure-rest-api-specs;
Microsoft Learn requires it for automatic zone placement)."""


class FeatureGate(Record, kw_only=False):
    """A scale-set feature and the first API version that has it (the rule that judges older ones)."""

    minimum: str
    feature: str
    pointer: str
    rule: str


# Which features each version gates (vmss-change-semantics-2026.md §5 and the seed catalog §8). Below the
# minimum the property does not exist in that API version; the rule named judges a change there.
FEATURE_GATES: tuple[FeatureGate, ...] = (
    FeatureGate("2019-03-01", "scaleInPolicy", "/properties/scaleInPolicy", "VMSS116"),
    FeatureGate(
        "2020-12-01",
        "Trusted Launch",
        "/properties/virtualMachineProfile/securityProfile/securityType",
        "VMSS700",
    ),
    FeatureGate("2021-03-01", "userData", "/properties/virtualMachineProfile/userData", "VMSS161"),
    FeatureGate(
        "2022-08-01",
        "diskControllerType",
        "/properties/virtualMachineProfile/storageProfile/diskControllerType",
        "VMSS700",
    ),
    FeatureGate("2023-03-01", "zone expansion", "/zones", "VMSS102"),
    FeatureGate("2023-09-01", "instance mix", "/properties/skuProfile", "VMSS700"),
    FeatureGate(
        "2024-03-01",
        "ephemeral OS disk update",
        "/properties/virtualMachineProfile/storageProfile/osDisk/diffDiskSettings",
        "VMSS125",
    ),
    FeatureGate(
        "2024-07-01",
        "automatic zone balance",
        "/properties/resiliencyPolicy/automaticZoneRebalancingPolicy",
        "VMSS700",
    ),
    FeatureGate("2025-04-01", "placement in the model", "/placement", "VMSS700"),
    FeatureGate("2026-03-01", "automatic zone placement", "/placement", "VMSS210"),
    FeatureGate(
        "2026-03-01", "zone allocation policy", "/properties/resiliencyPolicy/zoneAllocationPolicy", "VMSS700"
    ),
)

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


# A pattern, not a compiled regex: a model pair without --api-version never matches it, and `re.match`
# compiles it on first use (and caches it), which a module-level re.compile paid on every start-up.
_VERSION = r"^\d{4}-\d{2}-\d{2}(-preview)?$"


class ApiVersion(Record, kw_only=False):
    value: str
    origin: str  # "option", "template", "assumed"
    detail: str | None = None  # how the template gave it: an expression, an apiProfile

    @property
    def assumed(self) -> bool:
        return self.origin == "assumed"


def validate(value: str, source: str = "--api-version") -> str:
    """The version as given, when it is one: API versions are dates (2024-11-01, 2017-03-30-preview), so
    a month 13 is refused here rather than printed as the version the run was judged by."""
    import datetime

    text = value.strip()
    try:
        valid = bool(re.match(_VERSION, text)) and bool(datetime.date.fromisoformat(text[:10]))
    except ValueError:
        valid = False
    if not valid:
        raise InputError(source, f"'{value}' is not an API version", hint="use the form 2024-11-01")
    return text


def choose(option: str | None, template: str | None, detail: str | None = None) -> ApiVersion:
    """The version a run is judged by, saying so when it is newer than any vmss-lint knows: every gate
    opens by then, so the newest documented behaviour is what the run can judge, and the report must not
    read as if vmss-lint knew that version."""
    if option:
        value = validate(option)
        return ApiVersion(value, "option", _newer_than_known(value))
    if template and re.match(_VERSION, template):
        newer = _newer_than_known(template)
        return ApiVersion(template, "template", "; ".join(d for d in (detail, newer) if d) or None)
    return ApiVersion(NEWEST_DOCUMENTED, "assumed", detail)


def _newer_than_known(value: str) -> str | None:
    if value[:10] <= NEWEST_DOCUMENTED:
        return None
    return (
        f"newer than {NEWEST_DOCUMENTED}, the newest version vmss-lint knows: judged by "
        f"{NEWEST_DOCUMENTED}'s documented behaviour"
    )
