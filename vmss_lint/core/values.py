"""How Azure compares single values: the canonical form of a scalar, and what an unresolved value is.

Both `vmss_lint.compare` (which changes are effective) and the engine (what a data rule's `old`/`new`
filters match) judge values this way, so they live below both of them.
"""

from __future__ import annotations

from typing import Any

# String values Azure matches without regard to case (enums, names, SKUs, image coordinates).
_CASELESS_KEYS = frozenset(
    {
        "mode",
        "caching",
        "createOption",
        "storageAccountType",
        "osType",
        "priority",
        "evictionPolicy",
        "orchestrationMode",
        "securityType",
        "patchMode",
        "assessmentMode",
        "rules",
        "protocol",
        "publicIPAddressVersion",
        "privateIPAddressVersion",
        "deleteOption",
        "repairAction",
        "diskControllerType",
        "securityEncryptionType",
        "option",
        "placement",
        "name",
        "tier",
        "publisher",
        "offer",
        "sku",
        "type",
        "licenseType",
        "zonePlacementPolicy",
        "rebootSetting",
        "auxiliaryMode",
        "auxiliarySku",
        "ipTagType",
        "networkApiVersion",
        "allocationStrategy",
        "rebalanceStrategy",
        "rebalanceBehavior",
        "version",
    }
)


def is_unknown(value: Any) -> bool:
    """An unresolved template value (see `vmss_lint.arm.expressions.api.Unknown`)."""
    return type(value).__name__ == "Unknown" and hasattr(value, "reason")


def canonical_scalar(key: str, value: Any) -> Any:
    """The value as Azure would compare it: ARM coerces `"true"` and `"3"`, ids and enums ignore case."""
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        if low.lstrip("-").isdigit() and low.isascii() and len(low) < 19:  # "²".isdigit() is True
            return int(low)
        if key == "location":
            return low.replace(" ", "")
        if key == "id" or key.endswith("Id") or key.endswith("Uri") or low.startswith("/subscriptions/"):
            return low.rstrip("/")
        if key in _CASELESS_KEYS:
            return low
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
