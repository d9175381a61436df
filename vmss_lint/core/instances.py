"""One VM of a scale set as the plan and the rules see it, and which VMs a scale-in most likely deletes.

The data type lives low (`core`) because the plan, the rules and the instance-list reader
(`vmss_lint.inputs.instances`) all use it; only the reader knows the file shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vmss_lint.core.records import Record

if TYPE_CHECKING:
    from datetime import datetime


class Instance(Record):
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
            instance_id=opt_str(data.get("instanceId")),
            name=opt_str(data.get("name")),
            latest_model_applied=data.get("latestModelApplied")
            if isinstance(data.get("latestModelApplied"), bool)
            else None,
            protect_from_scale_in=data.get("protectFromScaleIn") is True,
            protect_from_scale_set_actions=data.get("protectFromScaleSetActions") is True,
            zone=opt_str(data.get("zone")),
            created=opt_str(data.get("timeCreated")),
            scale_set=opt_str(data.get("scaleSet")),
        )

    def key(self, flexible: bool) -> str:
        """What a command takes for this VM: instance name on Flexible sets, instance id on Uniform."""
        if flexible:
            return self.name or self.instance_id or "?"
        return self.instance_id or self.name or "?"


def opt_str(value: Any) -> str | None:
    """A scalar as text (booleans as JSON writes them); anything else, or empty, is unknown."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | str):
        text = str(value)
        return text if text else None
    return None


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
    from datetime import UTC, datetime  # only a scale-in with NewestVM/OldestVM needs it

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
