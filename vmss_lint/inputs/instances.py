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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vmss_lint.core.errors import InputError

_VM_ID = re.compile(
    r"(?i)/virtualMachineScaleSets/(?P<vmss>[^/]+)/virtualMachines/(?P<vm>[^/]+)$",
)
_MS_DATE = re.compile(r"^/?Date\((?P<ms>-?\d+)(?:[+-]\d{4})?\)/?$")


@dataclass(frozen=True)
class Instance:
    """One VM of the scale set, as the plan sees it.

    `instance_id` is what Uniform scale-set actions take; `name` is what Flexible ones take. `created` is
    an ISO 8601 UTC timestamp (for NewestVM/OldestVM scale-in), `zone` the VM's single zone if any.
    """

    instance_id: str | None
    name: str | None
    latest_model_applied: bool | None = None
    protect_from_scale_in: bool = False
    protect_from_scale_set_actions: bool = False
    zone: str | None = None
    created: str | None = None
    scale_set: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The flat shape `LintOptions.instances` carries (and rules see as `ctx.instances`)."""
        return {
            "instanceId": self.instance_id,
            "name": self.name,
            "latestModelApplied": self.latest_model_applied,
            "protectFromScaleIn": self.protect_from_scale_in,
            "protectFromScaleSetActions": self.protect_from_scale_set_actions,
            "zone": self.zone,
            "timeCreated": self.created,
            "scaleSet": self.scale_set,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Instance:
        return cls(
            instance_id=_opt_str(data.get("instanceId")),
            name=_opt_str(data.get("name")),
            latest_model_applied=data.get("latestModelApplied")
            if isinstance(data.get("latestModelApplied"), bool)
            else None,
            protect_from_scale_in=data.get("protectFromScaleIn") is True,
            protect_from_scale_set_actions=data.get("protectFromScaleSetActions") is True,
            zone=_opt_str(data.get("zone")),
            created=_opt_str(data.get("timeCreated")),
            scale_set=_opt_str(data.get("scaleSet")),
        )

    def key(self, flexible: bool) -> str:
        """What a command takes for this VM: instance name on Flexible sets, instance id on Uniform."""
        if flexible:
            return self.name or self.instance_id or "?"
        return self.instance_id or self.name or "?"


def load_instances(path: str | Path) -> list[dict[str, Any]]:
    """Read an instance list file in any of the three shapes; bad input is an InputError naming the file."""
    from vmss_lint.inputs.read import read_file

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
        from vmss_lint.core.normalize import unwrap_document

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

    resource_id = _opt_str(field("id"))
    match = _VM_ID.search(resource_id or "")
    instance_id = _opt_str(field("instanceId")) or (match.group("vm") if match else None)
    name = _opt_str(field("name"))
    if instance_id is None and name is None:
        raise InputError(source, "a VM has neither an instanceId nor a name", where=where)
    policy = field("protectionPolicy")
    policy = policy if isinstance(policy, dict) else {}
    zones = field("zones")
    zone = None
    if isinstance(zones, list) and len(zones) == 1:
        zone = _opt_str(zones[0])
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


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | str):
        text = str(value)
        return text if text else None
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


SCALE_IN_RULES = ("Default", "NewestVM", "OldestVM")


def scale_in_candidates(instances: list[Instance], remove: int, rule: str) -> list[Instance]:
    """The VMs a scale-in by `remove` most likely deletes, in deletion order.

    Azure's documented order: regional (non-zonal) VMs first after a zone expansion, then keep zones
    balanced (take from the zone with the most VMs), then within that choice `Default` deletes the highest
    instance id, `NewestVM` the newest and `OldestVM` the oldest VM (by creation time when known, else by
    instance id). Fault-domain balancing is best effort and not modelled, hence "most likely". VMs
    protected from scale-in or from scale-set actions are never chosen.
    """
    eligible = [i for i in instances if not (i.protect_from_scale_in or i.protect_from_scale_set_actions)]
    zonal = any(i.zone for i in instances)
    left = list(instances)
    chosen: list[Instance] = []
    while len(chosen) < remove:
        pool = [i for i in eligible if i not in chosen]
        if not pool:
            break
        if zonal:
            regional = [i for i in pool if i.zone is None]
            if regional:
                pool = regional
            else:
                counts: dict[str | None, int] = {}
                for inst in left:
                    counts[inst.zone] = counts.get(inst.zone, 0) + 1
                most = max(counts.get(i.zone, 0) for i in pool)
                pool = [i for i in pool if counts.get(i.zone, 0) == most]
        pick = _first_deleted(pool, rule)
        chosen.append(pick)
        left.remove(pick)
    return chosen


def _first_deleted(pool: list[Instance], rule: str) -> Instance:
    low = rule.lower()
    if low == "oldestvm":
        return min(pool, key=lambda i: (i.created is None, _when(i), _id_number(i)))
    if low == "newestvm":
        return max(pool, key=lambda i: (i.created is not None, _when(i), _id_number(i)))
    return max(pool, key=_id_number)


def _when(inst: Instance) -> datetime:
    if inst.created is None:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(inst.created)


def _id_number(inst: Instance) -> tuple[int, int, str]:
    """Order of instance ids: names below numbers, numbers by value ("10" above "9")."""
    text = inst.instance_id or inst.name or ""
    return (1, int(text), "") if text.isascii() and text.isdigit() else (0, 0, text)


def id_key(text: str) -> tuple[int, int, str]:
    """Sort key for instance ids: numbers by value ("2" before "10"), then names alphabetically."""
    return (0, int(text), "") if text.isascii() and text.isdigit() else (1, 0, text)


def sort_ids(ids: list[str]) -> list[str]:
    return sorted(ids, key=id_key)
