"""The one helper library for rule hooks, and the facts the data conditions ask about a model.

This is the public hook API (see docs/writing-rules.md): a hook is `def hook(ctx: RuleContext) ->
Iterable[Hit]`, and everything a built-in hook uses to decide lives here, so a third-party pack answers
"is there a health source?" exactly as the built-in rules and the TOML conditions do.

Predicates that judge a model side take a `Getter` (a pointer -> value function): `ctx.current.get` for
the live model, `proposed_view(ctx)` for the effective proposed one (proposed value if specified, else
current: Azure keeps what a PATCH or an incremental deployment leaves out).

Two rules where the former helper modules disagreed, settled by the reference semantics:
- `truthy`: only `true` and the string "true" (any case) are true. ARM parameters and `az --set`
  turn "true" into a boolean; a number or a non-empty object is not a boolean to the API.
- The Application Health extension is publisher Microsoft.ManagedServices with type
  ApplicationHealthLinux or ApplicationHealthWindows; an extension whose publisher or type is an
  unresolved template value counts as one, because vmss-lint never reports an error on a value it
  could not resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from vmss_lint.core.findings import Change, Hit, Impact, Op, Severity
from vmss_lint.core.model import split_pointer
from vmss_lint.core.values import is_unknown
from vmss_lint.engine.context import RuleContext
from vmss_lint.engine.template import last_segment

__all__ = [
    "Change",
    "Getter",
    "Hit",
    "Impact",
    "RuleContext",
    "Severity",
    "added_zones",
    "effective_extensions",
    "extension_type",
    "falsy",
    "has_health_extension",
    "has_health_probe",
    "has_health_signal",
    "has_service_fabric",
    "hit_on",
    "introduced",
    "is_flexible",
    "is_health_extension",
    "is_windows",
    "is_zonal",
    "last_segment",
    "leaf_changes",
    "list_items",
    "lower",
    "parent_item",
    "proposed_view",
    "truthy",
    "zone_set",
]

PROPS = "/properties"
VMP = "/properties/virtualMachineProfile"
MODE = "/properties/upgradePolicy/mode"
AOSU = "/properties/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade"
REPAIRS = "/properties/automaticRepairsPolicy/enabled"
PROBE = f"{VMP}/networkProfile/healthProbe/id"
EXTENSIONS = f"{VMP}/extensionProfile/extensions"
IMAGE = f"{VMP}/storageProfile/imageReference"
OS_TYPE = f"{VMP}/storageProfile/osDisk/osType"
EPHEMERAL = f"{VMP}/storageProfile/osDisk/diffDiskSettings/option"
WINDOWS = f"{VMP}/osProfile/windowsConfiguration"
LINUX = f"{VMP}/osProfile/linuxConfiguration"
ORCHESTRATION = "/properties/orchestrationMode"
CAPACITY = "/sku/capacity"
SPG = "/properties/singlePlacementGroup"
FAULT_DOMAINS = "/properties/platformFaultDomainCount"
HOST_GROUP = "/properties/hostGroup/id"
CRG = f"{VMP}/capacityReservation/capacityReservationGroup/id"

HEALTH_PUBLISHER = "microsoft.managedservices"
HEALTH_TYPES = frozenset({"applicationhealthlinux", "applicationhealthwindows"})
SERVICE_FABRIC_PUBLISHER = "microsoft.azure.servicefabric"

Getter = Callable[[str], Any]


def truthy(value: Any) -> bool:
    """ARM coerces "true"/"True" to a boolean; anything else (absent included) is false."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def falsy(value: Any) -> bool:
    """Explicitly false (absent is not false: the caller decides what a default means)."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def lower(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


# ---- one model side ---------------------------------------------------------------------------------


def proposed_view(ctx: RuleContext) -> Getter:
    """A getter over the effective proposed model, for the predicates below."""

    def get(pointer: str) -> Any:
        return ctx.effective(pointer)

    return get


def _extensions(get: Getter) -> list[Any]:
    value = get(EXTENSIONS)
    return [e for e in value if isinstance(e, dict) or is_unknown(e)] if isinstance(value, list) else []


def effective_extensions(ctx: RuleContext) -> list[dict[str, Any]]:
    return [e for e in _extensions(proposed_view(ctx)) if isinstance(e, dict)]


def _ext_props(ext: Any) -> dict[str, Any]:
    props = ext.get("properties") if isinstance(ext, dict) else None
    return props if isinstance(props, dict) else {}


def extension_type(ext: Any) -> str:
    value = _ext_props(ext).get("type")
    return str(value) if value is not None else ""


def is_health_extension(ext: Any) -> bool | None:
    """True/False for one extension; None when its publisher or type is unresolved."""
    props = _ext_props(ext)
    publisher, kind = props.get("publisher"), props.get("type")
    if is_unknown(ext) or is_unknown(publisher) or is_unknown(kind):
        return None
    return lower(publisher) == HEALTH_PUBLISHER and lower(kind) in HEALTH_TYPES


def health_extension_state(get: Getter) -> bool | None:
    """Whether the extension profile has the Application Health extension; None if it cannot be told."""
    if is_unknown(get(EXTENSIONS)):
        return None
    states = [is_health_extension(e) for e in _extensions(get)]
    return True if True in states else None if None in states else False


def has_health_extension(get: Getter) -> bool:
    """The Application Health extension is (or may be: unresolved) in the extension profile."""
    return health_extension_state(get) is not False


def has_service_fabric(get: Getter) -> bool:
    return any(lower(_ext_props(e).get("publisher")) == SERVICE_FABRIC_PUBLISHER for e in _extensions(get))


def has_extension_publisher(get: Getter, publishers: Iterable[str]) -> bool:
    wanted = {p.lower() for p in publishers}
    return any(lower(_ext_props(e).get("publisher")) in wanted for e in _extensions(get))


def health_probe_state(get: Getter) -> bool | None:
    probe = get(PROBE)
    return None if is_unknown(probe) else bool(lower(probe))


def has_health_probe(get: Getter) -> bool:
    return health_probe_state(get) is not False


def is_flexible(get: Getter) -> bool:
    return lower(get(ORCHESTRATION)) == "flexible"


def has_health_signal(get: Getter, *, probe_counts: bool = True) -> bool:
    return has_health_extension(get) or (probe_counts and has_health_probe(get))


def is_windows(get: Getter) -> bool:
    return lower(get(OS_TYPE)) == "windows" or isinstance(get(WINDOWS), dict)


def os_type(get: Getter) -> str | None:
    """ "windows" or "linux" as the model says it (osType, else the OS configuration block), or None."""
    if is_windows(get):
        return "windows"
    if lower(get(OS_TYPE)) == "linux" or isinstance(get(LINUX), dict):
        return "linux"
    return None


def zone_set(value: Any) -> set[str]:
    return {str(z).strip() for z in value} if isinstance(value, list) else set()


def is_zonal(ctx: RuleContext) -> bool:
    return bool(zone_set(ctx.effective("/zones")))


def added_zones(ctx: RuleContext) -> set[str]:
    """Zones the effective proposed model has that the current one does not."""
    return zone_set(ctx.effective("/zones")) - zone_set(ctx.current.get("/zones"))


# ---- constraints ------------------------------------------------------------------------------------


def introduced(ctx: RuleContext, violated: Callable[[Getter], bool]) -> bool:
    """The proposed model breaks the constraint and the current one does not."""
    return violated(proposed_view(ctx)) and not violated(ctx.current.get)


def hit_on(ctx: RuleContext, pointer: str, message: str | None = None, op: Op | None = None) -> Hit:
    """A finding on the pointer the user can fix, with the current and effective values."""
    return Hit(pointer, op, ctx.current.get(pointer), ctx.effective(pointer), message=message)


# ---- changes ----------------------------------------------------------------------------------------


def list_items(ctx: RuleContext, list_glob: str) -> Iterator[tuple[str, Op, Any, Change]]:
    """(pointer of the element, op, element, change) for every element added to or removed from a list.

    Keyed lists reach a rule in two forms: per element (`.../dataDisks/2`, when both sides have the list)
    or as the whole list (`.../dataDisks`, when one side has none at all or an edit removed the key).
    """
    for change in ctx.changed(list_glob):
        if change.op == "add" and isinstance(change.new, list):
            for i, item in enumerate(change.new):
                yield f"{change.pointer}/{i}", "add", item, change
        elif change.op == "remove" and isinstance(change.old, list):
            for i, item in enumerate(change.old):
                yield f"{change.pointer}/{i}", "remove", item, change
    for change in ctx.changed(list_glob + "/*"):
        if change.op == "add":
            yield change.pointer, "add", change.new, change
        elif change.op == "remove":
            yield change.pointer, "remove", change.old, change


def leaf_changes(ctx: RuleContext, base_glob: str, leaves: Iterable[str]) -> list[Change]:
    """Resolved changes at `base_glob/<leaf>` or below it, for each leaf (a leaf may have several segments)."""
    out: list[Change] = []
    for leaf in leaves:
        out.extend(ctx.changed(f"{base_glob}/{leaf}"))
        out.extend(ctx.changed(f"{base_glob}/{leaf}/**"))
    seen: set[str] = set()
    unique = []
    for change in out:
        if change.pointer not in seen:
            seen.add(change.pointer)
            unique.append(change)
    return unique


def parent_item(ctx: RuleContext, change: Change, depth: int) -> dict[str, Any]:
    """The list element `depth` segments into a change's pointer, on the side that holds it."""
    parts = split_pointer(change.pointer)[:depth]
    pointer = "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)
    side = ctx.current if change.op == "remove" else ctx.proposed
    value = side.get(pointer)
    if not isinstance(value, dict):
        value = ctx.current.get(pointer)
    return value if isinstance(value, dict) else {}
