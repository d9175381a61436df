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

from vmss_lint.compare import is_unknown
from vmss_lint.core.findings import Hit
from vmss_lint.engine.run import RuleContext

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


def _extensions(get: Getter) -> list[Any]:
    value = get(EXTENSIONS)
    return [e for e in value if isinstance(e, dict) or is_unknown(e)] if isinstance(value, list) else []


def _ext_props(ext: Any) -> dict[str, Any]:
    props = ext.get("properties") if isinstance(ext, dict) else None
    return props if isinstance(props, dict) else {}


def has_health_extension(get: Getter) -> bool:
    """The Application Health extension (Linux or Windows) is in the extension profile.

    An extension whose publisher or type is an unresolved template value counts as one: vmss-lint never
    reports an error on a value it could not resolve.
    """
    for ext in _extensions(get):
        props = _ext_props(ext)
        publisher, kind = props.get("publisher"), props.get("type")
        if is_unknown(publisher) or is_unknown(kind) or is_unknown(ext):
            return True
        if lower(publisher) == HEALTH_PUBLISHER and lower(kind) in HEALTH_TYPES:
            return True
    return is_unknown(get(EXTENSIONS))


def has_service_fabric(get: Getter) -> bool:
    return any(lower(_ext_props(e).get("publisher")) == SERVICE_FABRIC_PUBLISHER for e in _extensions(get))


def has_health_probe(get: Getter) -> bool:
    probe = get(PROBE)
    return bool(lower(probe)) or is_unknown(probe)


def is_flexible(get: Getter) -> bool:
    return lower(get(ORCHESTRATION)) == "flexible"


def has_health_signal(get: Getter, *, probe_counts: bool = True) -> bool:
    return has_health_extension(get) or (probe_counts and has_health_probe(get))


def proposed_view(ctx: RuleContext) -> Getter:
    """A getter over the effective proposed model, for the predicates below."""

    def get(pointer: str) -> Any:
        return ctx.effective(pointer)

    return get


def _views(ctx: RuleContext) -> tuple[Getter, Getter]:
    return ctx.current.get, proposed_view(ctx)


def introduced(ctx: RuleContext, violated: Callable[[Getter], bool]) -> bool:
    """The proposed model breaks the constraint and the current one does not."""
    current, proposed = _views(ctx)
    return violated(proposed) and not violated(current)


def hit_on(ctx: RuleContext, pointer: str, message: str) -> Hit:
    """A finding on the pointer the user can fix, with the current and effective values."""
    return Hit(pointer, None, ctx.current.get(pointer), ctx.effective(pointer), message=message)


def _rolling_without_health(get: Getter) -> bool:
    if lower(get(MODE)) != "rolling":
        return False
    return not has_health_signal(get, probe_counts=not is_flexible(get))


def rolling_without_health(ctx: RuleContext) -> Iterator[Hit]:
    """Rolling mode needs a health signal: an LB probe (Uniform) or the Application Health extension."""
    if introduced(ctx, _rolling_without_health):
        where = (
            "the Application Health extension (a Flexible set cannot use a load balancer probe for this)"
            if is_flexible(proposed_view(ctx))
            else "a load balancer health probe (networkProfile.healthProbe.id) or the Application Health extension"
        )
        yield hit_on(
            ctx,
            MODE,
            f"upgradePolicy.mode is Rolling but the proposed model has no health signal: Rolling needs {where}. "
            "A PATCH that does not re-send healthProbe is rejected the same way.",
        )


def _repairs_without_health(get: Getter) -> bool:
    return truthy(get(REPAIRS)) and not has_health_signal(get)


def automatic_repairs_without_health(ctx: RuleContext) -> Iterator[Hit]:
    """Automatic instance repairs decide on the health signal, so they need one."""
    if introduced(ctx, _repairs_without_health):
        yield hit_on(
            ctx,
            REPAIRS,
            "automatic repairs are enabled but the proposed model has neither a load balancer health probe "
            "(networkProfile.healthProbe.id) nor the Application Health extension, which repairs depend on.",
        )


def _aosu_without_health(get: Getter) -> bool:
    return truthy(get(AOSU)) and not has_service_fabric(get) and not has_health_signal(get)


def automatic_os_upgrade_without_health(ctx: RuleContext) -> Iterator[Hit]:
    """Automatic OS image upgrades roll by health (Service Fabric sets use the cluster's own signal)."""
    if introduced(ctx, _aosu_without_health):
        yield hit_on(
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
    if introduced(ctx, _sf_not_automatic):
        mode = ctx.effective(MODE) or "Manual (default)"
        yield hit_on(
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
    image_id = lower(get(f"{IMAGE}/id"))
    return "/versions/" in image_id or MANAGED_IMAGE in image_id


MANAGED_IMAGE = "/providers/microsoft.compute/images/"


def automatic_os_upgrade_pinned_image(ctx: RuleContext) -> Iterator[Hit]:
    """A pinned image version leaves nothing for automatic OS upgrade to move to."""
    if introduced(ctx, _aosu_pinned):
        if is_platform_image(proposed_view(ctx)):
            pointer, what = f"{IMAGE}/version", f"image version {ctx.effective(f'{IMAGE}/version')}"
        elif MANAGED_IMAGE in lower(ctx.effective(f"{IMAGE}/id")):
            pointer, what = f"{IMAGE}/id", "a managed (non-gallery) custom image, which has no newer versions"
        else:
            pointer, what = f"{IMAGE}/id", "a gallery image id that names one image version"
        yield hit_on(
            ctx,
            pointer,
            f"automatic OS image upgrade is enabled with {what}: it needs a platform image with version "
            "'latest' or an Azure Compute Gallery image definition id without /versions/.",
        )


def is_windows(get: Getter) -> bool:
    return lower(get(OS_TYPE)) == "windows" or isinstance(get(WINDOWS), dict)


def _aosu_windows_updates(get: Getter) -> bool:
    return truthy(get(AOSU)) and is_windows(get) and truthy(get(f"{WINDOWS}/enableAutomaticUpdates"))


def automatic_os_upgrade_windows_updates(ctx: RuleContext) -> Iterator[Hit]:
    """Windows Update inside the guest and image upgrades from outside must not both patch the OS.

    Only an explicit `enableAutomaticUpdates: true` fires: an absent value is left to Azure.
    """
    if introduced(ctx, _aosu_windows_updates):
        yield hit_on(
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
    if introduced(ctx, _aosu_platform_patching):
        yield hit_on(
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
    if introduced(ctx, _surge_with_overprovision):
        yield hit_on(
            ctx,
            MAX_SURGE,
            "rollingUpgradePolicy.maxSurge is true while overprovision is true; MaxSurge needs overprovision false.",
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
            yield Hit.of(
                change,
                message="image version 'latest' is resolved only when a VM is created, scaled out or reimaged: "
                "running VMs keep their image and newer VMs may get a newer one (a mixed fleet); " + tail,
            )
