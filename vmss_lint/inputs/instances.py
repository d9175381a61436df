"""Read the scale set's instance list (`--instances FILE`) so the plan can name real instances.

People save the list in three shapes, all handled here: `az vmss list-instances` (a JSON array with the
`properties` envelope flattened), a REST list (`{"value": [...]}`, instance id at the top, the rest under
`properties`) and `Get-AzVmssVM | ConvertTo-Json` (PascalCase; a single VM is an object, not an array;
Windows PowerShell writes dates as `/Date(ms)/`). A single REST GET of one VM (or its x-ms-examples file)
is accepted as a one-element list.

Only what the plan needs is kept, in one flat, documented shape (`Instance.as_dict()`), so nothing else
from the file (OS profile, user data, ...) can ever reach an output.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vmss_lint.core.errors import InputError
from vmss_lint.core.instances import SCALE_IN_RULES as SCALE_IN_RULES
from vmss_lint.core.instances import Instance as Instance
from vmss_lint.core.instances import id_key as id_key
from vmss_lint.core.instances import opt_str
from vmss_lint.core.instances import scale_in_candidates as scale_in_candidates
from vmss_lint.core.instances import sort_ids as sort_ids

_VM_ID = re.compile(
    r"(?i)/virtualMachineScaleSets/(?P<vmss>[^/]+)/virtualMachines/(?P<vm>[^/]+)$",
)
_MS_DATE = re.compile(r"^/?Date\((?P<ms>-?\d+)(?:[+-]\d{4})?\)/?$")


def load_instances(path: str | Path) -> list[dict[str, Any]]:
    """Read an instance list file in any of the three shapes; bad input is an InputError naming the file."""
    from vmss_lint.arm.files import read_file

    file = read_file(path, role="instances")
    return [i.as_dict() for i in parse_instances(file.value, file.path)]


def parse_instances(value: Any, source: str) -> list[Instance]:
    items = _items(value, source)
    out: list[Instance] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"instance {index}"
        if not isinstance(item, dict):
            raise InputError(source, f"expected a VM object, found {type(item).__name__}", where=where)
        inst = _instance(item, source, where)
        key = (inst.instance_id or inst.name or "").lower()
        if key in seen:
            raise InputError(source, f"instance '{key}' is listed twice", where=where)
        seen.add(key)
        out.append(inst)
    return out


def _items(value: Any, source: str) -> list[Any]:
    hint = (
        'pass `az vmss list-instances -g RG -n NAME` output, a REST list ({"value": [...]}), '
        "or Get-AzVmssVM -ResourceGroupName RG -VMScaleSetName NAME | ConvertTo-Json -Depth 10"
    )
    if isinstance(value, dict) and isinstance(value.get("responses"), dict):
        from vmss_lint.core.shapes import unwrap_document

        value = unwrap_document(value, source)
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        listed = _get(value, "value")
        if isinstance(listed, list):
            return listed
        if _looks_like_vm(value):
            return [value]
        keys = ", ".join(sorted(value)[:8]) or "none"
        raise InputError(source, f"this JSON is not an instance list (top-level keys: {keys})", hint=hint)
    raise InputError(source, f"expected a list of VMs, found {type(value).__name__}", hint=hint)


def _looks_like_vm(obj: dict[str, Any]) -> bool:
    props = _get(obj, "properties")
    inner = props if isinstance(props, dict) else {}
    return _get(obj, "instanceId") is not None or _get(inner, "latestModelApplied") is not None


def _instance(item: dict[str, Any], source: str, where: str) -> Instance:
    props = _get(item, "properties")
    props = props if isinstance(props, dict) else {}

    def field(name: str) -> Any:
        value = _get(item, name)
        return _get(props, name) if value is None else value

    resource_id = opt_str(field("id"))
    match = _VM_ID.search(resource_id or "")
    instance_id = opt_str(field("instanceId")) or (match.group("vm") if match else None)
    name = opt_str(field("name"))
    if instance_id is None and name is None:
        raise InputError(source, "a VM has neither an instanceId nor a name", where=where)
    policy = field("protectionPolicy")
    policy = policy if isinstance(policy, dict) else {}
    zones = field("zones")
    zone = None
    if isinstance(zones, list) and len(zones) == 1:
        zone = opt_str(zones[0])
    elif isinstance(zones, str) and zones:
        zone = zones
    label = f"{where} ({instance_id or name})"
    return Instance(
        instance_id=instance_id,
        name=name,
        latest_model_applied=_bool(field("latestModelApplied"), source, label, "latestModelApplied"),
        protect_from_scale_in=_bool(_get(policy, "protectFromScaleIn"), source, label, "protectFromScaleIn")
        is True,
        protect_from_scale_set_actions=_bool(
            _get(policy, "protectFromScaleSetActions"), source, label, "protectFromScaleSetActions"
        )
        is True,
        zone=zone,
        created=_timestamp(field("timeCreated"), source, label),
        scale_set=match.group("vmss") if match else None,
    )


def _get(obj: dict[str, Any], name: str) -> Any:
    """A key whatever its casing: az and REST say `latestModelApplied`, PowerShell `LatestModelApplied`."""
    if name in obj:
        return obj[name]
    low = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == low:
            return value
    return None


def _bool(value: Any, source: str, where: str, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InputError(source, f"'{name}' must be true or false, found {value!r}", where=where)


def _timestamp(value: Any, source: str, where: str) -> str | None:
    """An ISO 8601 UTC string; Windows PowerShell's `/Date(ms)/` is converted."""
    if value is None:
        return None
    if isinstance(value, dict):  # ConvertTo-Json of a DateTime with -Depth: {"value": "/Date(..)/", ...}
        value = _get(value, "value") or _get(value, "DateTime")
    if isinstance(value, str):
        ms = _MS_DATE.match(value.strip())
        if ms:
            return datetime.fromtimestamp(int(ms.group("ms")) / 1000, tz=UTC).isoformat()
        try:
            parsed = datetime.fromisoformat(_trim_fraction(value.strip()))
        except ValueError:
            raise InputError(source, f"'timeCreated' is not a date: {value[:40]!r}", where=where) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).isoformat()
    raise InputError(
        source, f"'timeCreated' must be a date string, found {type(value).__name__}", where=where
    )


def _trim_fraction(text: str) -> str:
    """.NET writes 7 fractional digits; Python's fromisoformat takes at most 6 before 3.11's relaxed form."""
    text = text.replace("Z", "+00:00")
    return re.sub(r"(\.\d{6})\d+", r"\1", text)
