"""Turn any of the three shapes Azure hands out into one canonical scale-set model.

Users paste what they have: a REST GET/PUT body (or an ARM resource), `az vmss show` output (every
`properties` envelope flattened, `resourceGroup` sprinkled next to ids, acronym casing that depends on
the CLI version), or `Get-AzVmss | ConvertTo-Json` (flattened, PascalCase, enums as numbers). All of them
become the REST shape with REST key casing, so that pointers in findings are the same whatever came in,
and so that "the same scale set in three shapes" compares equal. Which shape a document is, and the
containers it may come in, is `core.shapes`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from vmss_lint.core.errors import InputError
from vmss_lint.core.model import Shape
from vmss_lint.core.package_files import package_files

# Keys that stay on the resource envelope; everything else of a flattened object goes under `properties`.
ENVELOPES: dict[str, frozenset[str]] = {
    "root": frozenset(
        {
            "id",
            "name",
            "type",
            "location",
            "tags",
            "sku",
            "plan",
            "identity",
            "zones",
            "etag",
            "systemData",
            "extendedLocation",
            "placement",
            "resourceGroup",
        }
    ),
    "nic": frozenset({"name", "id", "tags"}),
    "ipconfig": frozenset({"name", "id"}),
    "pip": frozenset({"name", "sku", "tags"}),
    "ext": frozenset({"name", "id"}),
}
# Canonical key -> the kind of sub-resource its value holds (a list of them, or one).
CHILD_KIND = {
    "networkInterfaceConfigurations": "nic",
    "ipConfigurations": "ipconfig",
    "publicIPAddressConfiguration": "pip",
    "extensions": "ext",
}
# User-owned free-form maps: copied verbatim, never renamed or pruned.
FREE_FORM = frozenset({"tags", "settings", "protectedSettings", "protectedSettingsFromKeyVault"})

# Server-populated fields: never compared (dropped wherever they appear outside free-form maps).
_READ_ONLY_ANYWHERE = frozenset(
    {
        "provisioningState",
        "timeCreated",
        "uniqueId",
        "exactVersion",
        "etag",
        "systemData",
        "instanceView",
        "statuses",
        "statusesSummary",
        "resourceGroup",
        "resourceGroupName",
        "requestId",
        "statusCode",
        "enableVMAgentPlatformUpdates",
        "latestModelApplied",
        "vmId",
        "modelDefinitionApplied",
    }
)
_READ_ONLY_LOWER = frozenset(k.lower() for k in _READ_ONLY_ANYWHERE)
_READ_ONLY_ROOT = frozenset({"id", "type"})

# Keys whose value must be a list / an object; anything else is a wrong-typed input.
_LIST_KEYS = frozenset(
    {
        "zones",
        "networkInterfaceConfigurations",
        "ipConfigurations",
        "extensions",
        "dataDisks",
        "loadBalancerBackendAddressPools",
        "loadBalancerInboundNatPools",
        "applicationGatewayBackendAddressPools",
        "applicationSecurityGroups",
        "publicKeys",
        "secrets",
        "vaultCertificates",
        "listeners",
        "additionalUnattendContent",
        "galleryApplications",
        "ipTags",
        "dnsServers",
        "provisionAfterExtensions",
        "vmSizes",
    }
)
_OBJECT_KEYS = frozenset(
    {
        "properties",
        "virtualMachineProfile",
        "osProfile",
        "storageProfile",
        "networkProfile",
        "extensionProfile",
        "upgradePolicy",
        "imageReference",
        "osDisk",
        "managedDisk",
        "subnet",
        "rollingUpgradePolicy",
        "automaticOSUpgradePolicy",
        "linuxConfiguration",
        "windowsConfiguration",
        "hardwareProfile",
        "securityProfile",
        "diagnosticsProfile",
        "plan",
        "identity",
    }
)
# Keys whose value `_canon_value` must look at even when it is a scalar (to reject it, or keep it raw).
_CHECKED = FREE_FORM | _LIST_KEYS | _OBJECT_KEYS

# Get-AzVmss | ConvertTo-Json writes some enums as their numeric value.
_PS_ENUMS: dict[str, dict[int, str]] = {
    "mode": {0: "Automatic", 1: "Manual", 2: "Rolling"},
    "caching": {0: "None", 1: "ReadOnly", 2: "ReadWrite"},
    "osType": {0: "Windows", 1: "Linux"},
}


@cache
def _name_map() -> dict[str, str]:
    raw = package_files("vmss_lint.data").joinpath("property_names.json").read_text(encoding="utf-8")
    names: list[str] = json.loads(raw)["names"]
    return {n.lower(): n for n in names}


_CANONICAL: dict[str, str] = {}


def canonical_key(key: str) -> str:
    """The REST spelling of a key, matched case-insensitively; unknown keys are kept as written."""
    found = _CANONICAL.get(key)
    if found is None:
        found = _name_map().get(key.lower(), key)
        if len(_CANONICAL) < 100_000:  # keys repeat across documents; random keys must not grow it forever
            _CANONICAL[key] = found
    return found


def canonical_key_alias(key: str) -> str:
    """Like `canonical_key`, plus the SDK spellings that lost the REST name entirely."""
    low = key.lower()
    if low in ("typepropertiestype", "type1"):
        return "type"
    return canonical_key(key)


def normalize(doc: dict[str, Any], source: str, shape: Shape) -> dict[str, Any]:
    """The canonical REST-shaped copy of `doc`; the input is never modified."""
    sku = next((v for k, v in doc.items() if k.lower() == "sku"), None)
    if sku is not None and not isinstance(sku, dict):
        raise InputError(source, f"'sku' must be an object, found {_type_name(sku)}", where="/sku")
    out = _canon_object(doc, "root", source, "")
    for key in _READ_ONLY_ROOT:
        out.pop(key, None)
    identity = out.get("identity")
    if isinstance(identity, dict):
        identity.pop("principalId", None)
        identity.pop("tenantId", None)
        uai = identity.get("userAssignedIdentities")
        if isinstance(uai, dict):
            for entry in uai.values():
                if isinstance(entry, dict):
                    entry.pop("principalId", None)
                    entry.pop("clientId", None)
    _move_deprecated_automatic_os_upgrade(out)
    if shape == "powershell":
        _fix_powershell_enums(out)
    return out


def _move_deprecated_automatic_os_upgrade(doc: dict[str, Any]) -> None:
    """`upgradePolicy.automaticOSUpgrade` (API 2017-03-30 to 2018-06-01) is the same setting as
    `upgradePolicy.automaticOSUpgradePolicy.enableAutomaticOSUpgrade` (2018-10-01 on): the model holds
    the new name, so a template rewritten from one to the other with the same value is no change, and a
    real toggle is judged the same way under either name. Where both are written the new one wins."""
    props = doc.get("properties")
    policy = props.get("upgradePolicy") if isinstance(props, dict) else None
    if not isinstance(policy, dict):
        return
    old_key = next((k for k in policy if k.lower() == "automaticosupgrade"), None)
    if old_key is None:
        return
    value = policy.pop(old_key)
    nested = policy.setdefault("automaticOSUpgradePolicy", {})
    if isinstance(nested, dict) and nested.get("enableAutomaticOSUpgrade") is None:
        nested["enableAutomaticOSUpgrade"] = value


def _canon_object(obj: dict[str, Any], kind: str, source: str, where: str) -> dict[str, Any]:
    envelope = ENVELOPES.get(kind)
    if envelope is None:
        return _canon_plain(obj, source, where)
    flat: dict[str, Any] = {}
    for raw_key, value in obj.items():
        key = canonical_key_alias(raw_key) if kind == "ext" else canonical_key(raw_key)
        if key == "properties" and envelope is not None and isinstance(value, dict):
            for inner_key, inner in value.items():
                flat[canonical_key_alias(inner_key) if kind == "ext" else canonical_key(inner_key)] = inner
            continue
        # The extension resource's own type ("Microsoft.Compute/.../extensions") is read-only;
        # a bare "CustomScript" here is az's flattened properties.type.
        if kind == "ext" and raw_key.lower() == "type" and isinstance(value, str) and "/" in value:
            continue
        flat[key] = value
    result: dict[str, Any] = {}
    props: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None or _read_only(key):
            continue
        if kind == "ext" and key == "id":
            continue
        target = result if key in envelope else props
        if key in _CHECKED or isinstance(value, (dict, list)):
            target[key] = _canon_value(key, value, source, f"{where}/{key}")
        else:
            target[key] = value  # a scalar under an unchecked key is kept as it is (the common case)
    if props:
        result["properties"] = props
    return result


def _canon_plain(obj: dict[str, Any], source: str, where: str) -> dict[str, Any]:
    """`_canon_object` for the objects without a resource envelope (most of a model), in one pass."""
    result: dict[str, Any] = {}
    for raw_key, value in obj.items():
        key, read_only = _KEY_INFO.get(raw_key) or _key_info(raw_key)
        if value is None:
            result.pop(key, None)  # a later spelling of a key wins, even when it is null
        elif read_only:
            continue
        elif key in _CHECKED or isinstance(value, (dict, list)):
            result[key] = _canon_value(key, value, source, f"{where}/{key}")
        else:
            result[key] = value
    return result


_KEY_INFO: dict[str, tuple[str, bool]] = {}


def _key_info(raw_key: str) -> tuple[str, bool]:
    """(canonical spelling, read-only?) of a key as written, remembered like `canonical_key`."""
    key = canonical_key(raw_key)
    info = (key, _read_only(key))
    if len(_KEY_INFO) < 100_000:
        _KEY_INFO[raw_key] = info
    return info


def _read_only(key: str) -> bool:
    return key.lower() in _READ_ONLY_LOWER


def _canon_value(key: str, value: Any, source: str, where: str) -> Any:
    """The canonical form of the value under `key`: a wrong-typed value is bad input, an object is
    canonicalised as the sub-resource `CHILD_KIND` says (most are plain objects: `_canon_plain` directly,
    which saves two calls per object, about a fifth of a normalization), a list element by element."""
    if key in FREE_FORM:
        return value
    if isinstance(value, dict):
        if key in _LIST_KEYS:
            raise InputError(source, f"'{key}' must be a list, found {_type_name(value)}", where=where or "/")
        if key == "userAssignedIdentities":
            return {
                k: _canon_plain(v, source, f"{where}/{k}") if isinstance(v, dict) else v
                for k, v in value.items()
            }
        kind = CHILD_KIND.get(key)
        return (
            _canon_plain(value, source, where) if kind is None else _canon_object(value, kind, source, where)
        )
    if isinstance(value, list):
        if key in _OBJECT_KEYS:
            raise InputError(
                source, f"'{key}' must be an object, found {_type_name(value)}", where=where or "/"
            )
        kind = CHILD_KIND.get(key)
        if kind is None:
            return [
                _canon_plain(item, source, f"{where}/{i}") if isinstance(item, dict) else item
                for i, item in enumerate(value)
                if item is not None
            ]
        return [
            _canon_object(item, kind, source, f"{where}/{i}") if isinstance(item, dict) else item
            for i, item in enumerate(value)
            if item is not None
        ]
    if key in _LIST_KEYS:
        raise InputError(source, f"'{key}' must be a list, found {_type_name(value)}", where=where or "/")
    if key in _OBJECT_KEYS:
        raise InputError(source, f"'{key}' must be an object, found {_type_name(value)}", where=where or "/")
    return value


def _fix_powershell_enums(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FREE_FORM:
                continue
            if key in _PS_ENUMS and isinstance(value, int) and not isinstance(value, bool):
                node[key] = _PS_ENUMS[key].get(value, value)
            else:
                _fix_powershell_enums(value)
    elif isinstance(node, list):
        for item in node:
            _fix_powershell_enums(item)


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
