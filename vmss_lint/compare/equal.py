"""When two values are the same to Azure, and how Azure identifies the elements of a list.

`compare` walks the models with these; the engine's data rules read `KEYED_LISTS` to know which lists
pair their elements by key; `left_out` pairs list elements the same way.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.core.normalize import FREE_FORM
from vmss_lint.core.values import canonical_scalar, is_unknown

# Lists whose elements Azure identifies by a key, not by position.
KEYED_LISTS: dict[str, str] = {
    "networkInterfaceConfigurations": "name",
    "ipConfigurations": "name",
    "extensions": "name",
    "dataDisks": "lun",
    "loadBalancerBackendAddressPools": "id",
    "loadBalancerInboundNatPools": "id",
    "applicationGatewayBackendAddressPools": "id",
    "applicationSecurityGroups": "id",
    "galleryApplications": "packageReferenceId",
}
# Lists that Azure treats as sets or whose order carries no meaning: one change for the whole list.
SET_LISTS = frozenset(
    {
        "zones",
        "publicKeys",
        "secrets",
        "vaultCertificates",
        "listeners",
        "ipTags",
        "dnsServers",
        "provisionAfterExtensions",
        "rules",
        "vmSizes",
        "includeZones",
        "excludeZones",
        "additionalUnattendContent",
    }
)


def same(key: str, old: Any, new: Any) -> bool:
    """Equal for Azure: recursive, with the scalar coercions above and key-insensitive list order."""
    if isinstance(old, dict) and isinstance(new, dict):
        if key in FREE_FORM:
            return old == new
        keys = set(old) | set(new)
        return all(same(k, old.get(k), new.get(k)) for k in keys)
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return False
        if key in KEYED_LISTS or key in SET_LISTS:
            return sorted(map(_fingerprint, [(key, x) for x in old])) == sorted(
                map(_fingerprint, [(key, x) for x in new])
            )
        return all(same(key, a, b) for a, b in zip(old, new, strict=True))
    if _empty(old) and _empty(new):
        return True
    return bool(canonical_scalar(key, old) == canonical_scalar(key, new))


def _fingerprint(item: tuple[str, Any]) -> str:
    key, value = item
    return repr(_canonical_tree(key, value))


def _canonical_tree(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        if key in FREE_FORM:
            return sorted((k, repr(v)) for k, v in value.items())
        return sorted((k, repr(_canonical_tree(k, v))) for k, v in value.items() if not _empty(v))
    if isinstance(value, list):
        items = [repr(_canonical_tree(key, v)) for v in value]
        return sorted(items) if key in KEYED_LISTS or key in SET_LISTS else items
    return canonical_scalar(key, value)


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _item_key(field: str, item: Any) -> Any:
    if not isinstance(item, dict):
        return repr(item)
    value = item.get(field)
    if is_unknown(value):
        return None  # paired by order in _walk_keyed
    if isinstance(value, dict | list):  # a malformed key (`"name": []`) must not crash the dict lookup
        return repr(value)
    # As values compare: ARM coerces "TRUE" to true, and true equals 1 (a boolean `lun` is invalid input
    # that Azure rejects; here it pairs like 1, consistently with how the two values compare).
    return canonical_scalar(field, value) if value is not None else None


def _unknown_id(value: Any) -> tuple[Any, Any]:
    """Two unknowns are the same value when written alike and derived alike (text and basis), names
    that ARM reads without case folded (`identity`, where the expression evaluator set one)."""
    identity = getattr(value, "identity", "")
    if identity:
        return identity, None
    return getattr(value, "text", None), getattr(value, "basis", None)


def _key_value(field: str, item: Any) -> Any:
    return item.get(field) if isinstance(item, dict) else None


def _element_keys(field: str, items: list[Any]) -> list[tuple[Any, int]]:
    counts: dict[Any, int] = {}
    keys = []
    for item in items:
        k = _item_key(field, item)
        counts[k] = counts.get(k, 0) + 1
        keys.append((k, counts[k]))
    return keys
