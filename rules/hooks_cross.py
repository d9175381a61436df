"""Cross-property rules: constraints between properties of the proposed model as a whole.

Each rule judges the effective proposed model (proposed value if specified, else current: Azure keeps
what a PATCH or an incremental deployment leaves out) and fires only when the change under review makes
the violation: the same check on the current model passes. A scale set that already breaks a
constraint (Azure's rules changed since it was created, or the live model is read with another API
version) is not this change's fault, and an error there would block every unrelated change to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from vmss_lint.engine import RuleContext
from vmss_lint.findings import Hit

PROPS = "/properties"
VMP = "/properties/virtualMachineProfile"
MODE = "/properties/upgradePolicy/mode"
AOSU = "/properties/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade"
REPAIRS = "/properties/automaticRepairsPolicy/enabled"
PROBE = f"{VMP}/networkProfile/healthProbe/id"
EXTENSIONS = f"{VMP}/extensionProfile/extensions"
IMAGE = f"{VMP}/storageProfile/imageReference"
OS_TYPE = f"{VMP}/storageProfile/osDisk/osType"
WINDOWS = f"{VMP}/osProfile/windowsConfiguration"
MAX_SURGE = "/properties/upgradePolicy/rollingUpgradePolicy/maxSurge"
OVERPROVISION = "/properties/overprovision"
FAULT_DOMAINS = "/properties/platformFaultDomainCount"
SPG = "/properties/singlePlacementGroup"
CAPACITY = "/sku/capacity"
HOST_GROUP = "/properties/hostGroup/id"
CRG = f"{VMP}/capacityReservation/capacityReservationGroup/id"
ORCHESTRATION = "/properties/orchestrationMode"

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


def _extensions(get: Getter) -> list[dict[str, Any]]:
    value = get(EXTENSIONS)
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _ext_props(ext: dict[str, Any]) -> dict[str, Any]:
    props = ext.get("properties")
    return props if isinstance(props, dict) else {}


def has_health_extension(get: Getter) -> bool:
    """The Application Health extension (Linux or Windows) is in the extension profile."""
    for ext in _extensions(get):
        props = _ext_props(ext)
        if lower(props.get("publisher")) == HEALTH_PUBLISHER and lower(props.get("type")) in HEALTH_TYPES:
            return True
    return False


def has_service_fabric(get: Getter) -> bool:
    return any(lower(_ext_props(e).get("publisher")) == SERVICE_FABRIC_PUBLISHER for e in _extensions(get))


def has_health_probe(get: Getter) -> bool:
    return bool(lower(get(PROBE)))


def is_flexible(get: Getter) -> bool:
    return lower(get(ORCHESTRATION)) == "flexible"


def has_health_signal(get: Getter, *, probe_counts: bool = True) -> bool:
    return has_health_extension(get) or (probe_counts and has_health_probe(get))


def _views(ctx: RuleContext) -> tuple[Getter, Getter]:
    return ctx.current.get, ctx.effective


def _introduced(ctx: RuleContext, violated: Callable[[Getter], bool]) -> bool:
    """The proposed model breaks the constraint and the current one does not."""
    current, proposed = _views(ctx)
    return violated(proposed) and not violated(current)


def _hit(ctx: RuleContext, pointer: str, message: str) -> Hit:
    """A finding on the pointer the user can fix, with the current and effective values."""
    return Hit(pointer, None, ctx.current.get(pointer), ctx.effective(pointer), message=message)


def _rolling_without_health(get: Getter) -> bool:
    if lower(get(MODE)) != "rolling":
        return False
    return not has_health_signal(get, probe_counts=not is_flexible(get))


def rolling_without_health(ctx: RuleContext) -> Iterator[Hit]:
    """Rolling mode needs a health signal: an LB probe (Uniform) or the Application Health extension."""
    if _introduced(ctx, _rolling_without_health):
        where = (
            "the Application Health extension (a Flexible set cannot use a load balancer probe for this)"
            if is_flexible(ctx.effective)
            else "a load balancer health probe (networkProfile.healthProbe.id) or the Application Health extension"
        )
        yield _hit(
            ctx,
            MODE,
            f"upgradePolicy.mode is Rolling but the proposed model has no health signal: Rolling needs {where}. "
            "A PATCH that does not re-send healthProbe is rejected the same way.",
        )


def _repairs_without_health(get: Getter) -> bool:
    return truthy(get(REPAIRS)) and not has_health_signal(get)


def automatic_repairs_without_health(ctx: RuleContext) -> Iterator[Hit]:
    """Automatic instance repairs decide on the health signal, so they need one."""
    if _introduced(ctx, _repairs_without_health):
        yield _hit(
            ctx,
            REPAIRS,
            "automatic repairs are enabled but the proposed model has neither a load balancer health probe "
            "(networkProfile.healthProbe.id) nor the Application Health extension, which repairs depend on.",
        )


def _aosu_without_health(get: Getter) -> bool:
    return truthy(get(AOSU)) and not has_service_fabric(get) and not has_health_signal(get)


def automatic_os_upgrade_without_health(ctx: RuleContext) -> Iterator[Hit]:
    """Automatic OS image upgrades roll by health (Service Fabric sets use the cluster's own signal)."""
    if _introduced(ctx, _aosu_without_health):
        yield _hit(
            ctx,
            AOSU,
            "automatic OS image upgrade is enabled but the proposed model has neither a load balancer health "
            "probe nor the Application Health extension; Azure needs one to judge each upgraded batch.",
        )


def _sf_not_automatic(get: Getter) -> bool:
    mode = lower(get(MODE)) or "manual"
    return has_service_fabric(get) and mode != "automatic"


def service_fabric_needs_automatic(ctx: RuleContext) -> Iterator[Hit]:
    """Service Fabric manages its own upgrade domains; the scale set must use Automatic mode."""
    if _introduced(ctx, _sf_not_automatic):
        mode = ctx.effective(MODE) or "Manual (default)"
        yield _hit(
            ctx,
            MODE,
            f"the scale set runs the Service Fabric extension (publisher Microsoft.Azure.ServiceFabric) but "
            f"upgradePolicy.mode would be {mode}; Service Fabric scale sets support Automatic only.",
        )


def is_platform_image(get: Getter) -> bool:
    return bool(lower(get(f"{IMAGE}/publisher"))) and not lower(get(f"{IMAGE}/id"))


def _aosu_pinned(get: Getter) -> bool:
    if not truthy(get(AOSU)):
        return False
    if is_platform_image(get):
        version = lower(get(f"{IMAGE}/version"))
        return bool(version) and version != "latest"
    return "/versions/" in lower(get(f"{IMAGE}/id"))


def automatic_os_upgrade_pinned_image(ctx: RuleContext) -> Iterator[Hit]:
    """A pinned image version leaves nothing for automatic OS upgrade to move to."""
    if _introduced(ctx, _aosu_pinned):
        if is_platform_image(ctx.effective):
            pointer, what = f"{IMAGE}/version", f"image version {ctx.effective(f'{IMAGE}/version')}"
        else:
            pointer, what = f"{IMAGE}/id", "a gallery image id that names one image version"
        yield _hit(
            ctx,
            pointer,
            f"automatic OS image upgrade is enabled with {what}: it needs version 'latest' (or a gallery "
            "image definition id without /versions/).",
        )


def is_windows(get: Getter) -> bool:
    return lower(get(OS_TYPE)) == "windows" or isinstance(get(WINDOWS), dict)


def _aosu_windows_updates(get: Getter) -> bool:
    return truthy(get(AOSU)) and is_windows(get) and truthy(get(f"{WINDOWS}/enableAutomaticUpdates"))


def automatic_os_upgrade_windows_updates(ctx: RuleContext) -> Iterator[Hit]:
    """Windows Update inside the guest and image upgrades from outside must not both patch the OS.

    Only an explicit `enableAutomaticUpdates: true` fires: an absent value is left to Azure.
    """
    if _introduced(ctx, _aosu_windows_updates):
        yield _hit(
            ctx,
            f"{WINDOWS}/enableAutomaticUpdates",
            "automatic OS image upgrade is enabled on a Windows scale set whose "
            "windowsConfiguration.enableAutomaticUpdates is true; it must be false (API 2019-03-01 and later).",
        )


def _patch_mode(get: Getter) -> str:
    for os_key in ("windowsConfiguration", "linuxConfiguration"):
        mode = lower(get(f"{VMP}/osProfile/{os_key}/patchSettings/patchMode"))
        if mode:
            return mode
    return ""


def _aosu_platform_patching(get: Getter) -> bool:
    return truthy(get(AOSU)) and _patch_mode(get) == "automaticbyplatform"


def automatic_os_upgrade_patch_mode(ctx: RuleContext) -> Iterator[Hit]:
    """Image upgrades and platform-orchestrated guest patching are two owners for the same OS."""
    if _introduced(ctx, _aosu_platform_patching):
        yield _hit(
            ctx,
            AOSU,
            "automatic OS image upgrade is enabled while patchSettings.patchMode is AutomaticByPlatform; "
            "the two cannot be combined.",
        )


def _surge_with_overprovision(get: Getter) -> bool:
    return truthy(get(MAX_SURGE)) and truthy(get(OVERPROVISION))


def max_surge_with_overprovision(ctx: RuleContext) -> Iterator[Hit]:
    """Surge creates extra VMs per batch; overprovisioning creates and deletes extras of its own.

    Only an explicit `overprovision: true` fires (the REST GET of a Uniform set always carries it).
    """
    if _introduced(ctx, _surge_with_overprovision):
        yield _hit(
            ctx,
            MAX_SURGE,
            "rollingUpgradePolicy.maxSurge is true while overprovision is true; MaxSurge needs overprovision false.",
        )


def zone_set(value: Any) -> set[str]:
    return {str(z).strip() for z in value} if isinstance(value, list) else set()


def zones_added(ctx: RuleContext) -> set[str]:
    return zone_set(ctx.effective("/zones")) - zone_set(ctx.current.get("/zones"))


def zones_added_fault_domains(ctx: RuleContext) -> Iterator[Hit]:
    """Zone expansion is only possible for sets spread with 1 (max spreading) or 5 fault domains.

    An absent platformFaultDomainCount is not judged: the default depends on the API version and mode.
    """
    added = zones_added(ctx)
    count = ctx.effective(FAULT_DOMAINS)
    if not added or count is None or str(count).strip() in ("1", "5"):
        return
    yield Hit(
        "/zones",
        None,
        ctx.current.get("/zones"),
        ctx.effective("/zones"),
        message=f"zones {', '.join(sorted(added))} are added but platformFaultDomainCount is {count}; "
        "adding availability zones requires platformFaultDomainCount 1 or 5, which cannot be changed on an "
        "existing scale set.",
    )


def zones_added_unsupported(ctx: RuleContext) -> Iterator[Hit]:
    """Zone expansion is not available for dedicated hosts, Service Fabric, AKS node pools or CRGs."""
    added = zones_added(ctx)
    if not added:
        return
    get = ctx.effective
    blockers = []
    if lower(get(HOST_GROUP)):
        blockers.append("it is placed on a dedicated host group")
    if has_service_fabric(get):
        blockers.append("it runs Service Fabric")
    if lower(get(CRG)):
        blockers.append("it is associated with a capacity reservation group")
    tags = get("/tags")
    if isinstance(tags, dict) and any(str(k).lower().startswith("aks-managed-") for k in tags):
        blockers.append("it is an AKS node pool (aks-managed-* tags)")
    if blockers:
        yield Hit(
            "/zones",
            None,
            ctx.current.get("/zones"),
            ctx.effective("/zones"),
            message=f"zones {', '.join(sorted(added))} are added but {'; '.join(blockers)}: zone expansion "
            "is not supported for such scale sets.",
        )


def image_version_latest(ctx: RuleContext) -> Iterator[Hit]:
    """`latest` is resolved when a VM is created or reimaged, never in the background."""
    for change in ctx.changed(f"{IMAGE}/version"):
        if change.op != "remove" and lower(change.new) == "latest" and lower(change.old) != "latest":
            aosu = truthy(ctx.effective(AOSU))
            tail = (
                "automatic OS image upgrade is enabled, so the platform rolls new images out."
                if aosu
                else "to keep VMs current, enable automatic OS image upgrade or reimage/upgrade on a schedule."
            )
            yield Hit(
                change.pointer,
                change.op,
                change.old,
                change.new,
                message="image version 'latest' is resolved only when a VM is created, scaled out or reimaged: "
                "running VMs keep their image and newer VMs may get a newer one (a mixed fleet); " + tail,
            )


def _over_spg_limit(get: Getter) -> bool:
    capacity = get(CAPACITY)
    try:
        count = int(str(capacity).strip()) if capacity is not None else 0
    except ValueError:
        return False
    return truthy(get(SPG)) and count > 100


def single_placement_group_over_100(ctx: RuleContext) -> Iterator[Hit]:
    """One placement group holds at most 100 VMs."""
    if _introduced(ctx, _over_spg_limit):
        yield _hit(
            ctx,
            CAPACITY,
            f"sku.capacity {ctx.effective(CAPACITY)} with singlePlacementGroup true: a single placement group "
            "holds at most 100 VMs; set singlePlacementGroup to false to go beyond 100.",
        )


def _spg_with_crg(get: Getter) -> bool:
    return truthy(get(SPG)) and bool(lower(get(CRG)))


def single_placement_group_with_reservation(ctx: RuleContext) -> Iterator[Hit]:
    """Capacity reservations need the set spread over several placement groups."""
    if _introduced(ctx, _spg_with_crg):
        yield _hit(
            ctx,
            CRG,
            "the scale set is associated with a capacity reservation group while singlePlacementGroup is "
            "true; capacity reservation needs singlePlacementGroup false.",
        )
