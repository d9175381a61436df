"""Verdicts corrected by the 2024–2026 sources (image offer/sku, Trusted Launch, ephemeral OS disks).

The seed catalog read several image and OS-disk changes as create-time. Microsoft's current docs show
them applied to the existing set through the upgrade policy: a same-publisher offer change (the Ubuntu
focal -> jammy example of "Modify a scale set"), the Trusted Launch upgrade of a Uniform set (GA), and
ephemeral <-> persistent OS disks from API 2024-03-01. What still fails is what a source shows failing:
any imageReference change of a marketplace image that carries a purchase `plan`, and an ephemeral
placement change without a size change. These hooks exist only where the verdict depends on the rest
of the model (the plan, the publisher, the API version), which a TOML match cannot say.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit, Impact, Severity
from vmss_lint.engine.helpers import IMAGE, ORCHESTRATION, VMP, effective_extensions, leaf_changes, lower
from vmss_lint.engine.run import RuleContext
from vmss_lint.rules.hooks import image

PLAN = "/plan"
OS_DISK = f"{VMP}/storageProfile/osDisk"
DIFF_DISK = f"{OS_DISK}/diffDiskSettings"
SECURITY = f"{VMP}/securityProfile"
SERVICE_FABRIC_TYPES = frozenset({"servicefabricnode", "servicefabriclinuxnode"})
MOD_EXAMPLE = (
    'current Microsoft docs ("Modify a scale set", Example 1: Ubuntu Server 20.04 -> 22.04) show it accepted '
    "when publisher, offer, sku and version are sent in one call"
)


def has_plan(ctx: RuleContext) -> bool:
    """A marketplace image published with a purchase plan: its imageReference is refused in place."""
    plan = ctx.current.get(PLAN)
    return isinstance(plan, dict) and any(lower(plan.get(k)) for k in ("name", "product", "publisher"))


def flexible(ctx: RuleContext) -> bool:
    return lower(ctx.effective(ORCHESTRATION)) == "flexible"


def image_offer_change(ctx: RuleContext) -> Iterator[Hit]:
    """Same publisher, no plan: accepted, OS disks replaced. A publisher change is VMSS103's error."""
    if ctx.changed(f"{IMAGE}/publisher"):
        return
    for change in ctx.changed(f"{IMAGE}/offer"):
        if change.op != "replace" or lower(change.old) == lower(change.new):
            continue
        if has_plan(ctx):
            yield Hit.of(
                change,
                severity=Severity.ERROR,
                impact=Impact.RECREATE,
                message=f"image offer {change.old} -> {change.new} on a marketplace image with a purchase plan: "
                "Azure refuses imageReference changes of plan images (even a SKU change is answered "
                "PropertyChangeNotAllowed \"Changing property 'imageReference.sku' is not allowed.\"), and the "
                "seed catalog lists the offer as create-time.",
            )
            continue
        alone = (
            ""
            if ctx.changed(f"{IMAGE}/sku")
            else (
                " The SKU is not changed in the same request: SKU names belong to an offer, so send the new "
                "offer's sku and version together with it."
            )
        )
        yield Hit.of(
            change,
            message=f"image offer {change.old} -> {change.new} within publisher "
            f"{ctx.effective(IMAGE + '/publisher') or '(not set)'} (no marketplace plan): the seed catalog lists "
            f"the offer as create-time, while {MOD_EXAMPLE}. Each instance's OS disk is replaced with one built "
            "from the new image when it takes the model (data disks are kept)." + alone,
        )


def image_sku_change(ctx: RuleContext) -> Iterator[Hit]:
    """A SKU change is refused for an image with a purchase plan (Azure/azure-powershell#11911)."""
    for hit in image.image_sku_change(ctx):
        if has_plan(ctx):
            yield Hit(
                hit.pointer,
                hit.op,
                hit.old,
                hit.new,
                severity=Severity.ERROR,
                impact=Impact.RECREATE,
                message=f"image SKU {hit.old} -> {hit.new} of a marketplace image with a purchase plan: Azure "
                "answers PropertyChangeNotAllowed (409) \"Changing property 'imageReference.sku' is not "
                'allowed." Marketplace images are published with a plan; only images without one (platform '
                "and endorsed Linux images) take a SKU change.",
            )
        else:
            yield hit


def image_generation_change(ctx: RuleContext) -> Iterator[Hit]:
    """Gen1 -> Gen2 is the documented (GA) Trusted Launch upgrade when TrustedLaunch comes with it."""
    tl = lower(ctx.effective(f"{SECURITY}/securityType")) == "trustedlaunch"
    for change in ctx.changed(f"{IMAGE}/sku"):
        gens = image.generation_change(change.old, change.new) if change.op == "replace" else None
        if gens is None:
            continue
        if gens == (1, 2) and tl and lower(ctx.current.get(f"{SECURITY}/securityType")) != "trustedlaunch":
            continue  # part of the Trusted Launch upgrade: VMSS254 reports it
        yield Hit.of(
            change,
            message=f"image SKU {change.old} -> {change.new} switches from Gen{gens[0]} to Gen{gens[1]}. Microsoft "
            "documents a Gen1 -> Gen2 SKU change only as part of the Trusted Launch upgrade (securityType "
            'TrustedLaunch in the same update); otherwise Azure has answered "Changing property '
            "'imageReference.sku' is not allowed.\", and the VM size must support the new generation.",
        )


def security_type_changed(ctx: RuleContext) -> Iterator[Hit]:
    """Standard -> TrustedLaunch: GA on Uniform, preview on Flexible; the OS disks are recreated."""
    changes = leaf_changes(
        ctx, SECURITY, ("securityType", "uefiSettings/secureBootEnabled", "uefiSettings/vTpmEnabled")
    )
    type_changes = [c for c in changes if c.pointer == f"{SECURITY}/securityType"]
    for change in type_changes or changes:  # one finding per upgrade: UEFI flags ride along with the type
        old = lower(ctx.current.get(f"{SECURITY}/securityType")) or "standard"
        new = lower(ctx.effective(f"{SECURITY}/securityType")) or "standard"
        field = change.pointer[len(SECURITY) + 1 :]
        if (old, new) in (("standard", "trustedlaunch"), ("trustedlaunch", "standard")):
            yield Hit.of(change, message=_trusted_launch_text(ctx, field, old, new))
        else:
            yield Hit.of(
                change,
                impact=Impact.RECREATE,
                message=f"{field} {change.old} -> {change.new}: Microsoft documents only Standard <-> TrustedLaunch "
                "on an existing scale set; no source shows this security type change accepted (treat it as "
                "fixed at creation).",
            )


def _trusted_launch_text(ctx: RuleContext, field: str, old: str, new: str) -> str:
    if new == "standard":
        return (
            "securityType TrustedLaunch -> Standard: the documented roll-back of a Trusted Launch upgrade (send "
            "uefiSettings as null); each instance's OS disk is recreated when it takes the model."
        )
    notes = []
    if flexible(ctx):
        notes.append("on Flexible scale sets it is still in preview")
    if any(lower(_type(e)) in SERVICE_FABRIC_TYPES for e in effective_extensions(ctx)):
        notes.append('Service Fabric scale sets are "currently not supported"')
    disks = ctx.effective(f"{VMP}/storageProfile/dataDisks")
    surge = lower(str(ctx.effective("/properties/upgradePolicy/rollingUpgradePolicy/maxSurge")))
    if (
        isinstance(disks, list)
        and disks
        and not (lower(ctx.effective("/properties/upgradePolicy/mode")) == "rolling" and surge == "true")
    ):
        notes.append('with data disks it "requires upgrade mode set to Rolling upgrade with max surge"')
    sku = ctx.effective(f"{IMAGE}/sku")
    if image.image_generation(sku)[1] == 1:
        notes.append(
            f"image SKU {sku} is Gen1: a Trusted Launch-supported Gen2 SKU of the same offer is required"
        )
    extra = (" Note: " + "; ".join(notes) + ".") if notes else ""
    return (
        f"{field}: Standard -> TrustedLaunch is the documented Trusted Launch upgrade of an existing scale set "
        "(generally available for Uniform sets; needs a Trusted Launch-supported Gen2 image of the same publisher "
        "and offer and API 2020-12-01 or later). Each instance's OS disk is recreated from the image when it "
        "takes the model: data on the OS disk is lost." + extra
    )


def _type(ext: dict[str, Any]) -> str:
    props = ext.get("properties")
    return str(props.get("type") or "") if isinstance(props, dict) else ""


def ephemeral_os_disk_change(ctx: RuleContext) -> Iterator[Hit]:
    """Ephemeral <-> persistent in place from API 2024-03-01; placement only together with a size change."""
    changes = ctx.changed(f"{DIFF_DISK}/**") or ctx.changed(DIFF_DISK)
    if not changes:
        return
    raw_old, raw_new = ctx.current.get(DIFF_DISK), ctx.effective(DIFF_DISK)
    old: dict[str, Any] = raw_old if isinstance(raw_old, dict) else {}
    new: dict[str, Any] = raw_new if isinstance(raw_new, dict) else {}
    old_on, new_on = lower(old.get("option")) == "local", lower(new.get("option")) == "local"
    first = changes[0]
    if ctx.api.value[:10] < "2024-03-01":
        yield Hit(
            DIFF_DISK,
            first.op,
            raw_old,
            raw_new,
            impact=Impact.RECREATE,
            message=(
                f"the ephemeral OS disk settings change, and API {ctx.api.value} has no diffDiskSettings on the scale-set "
                "update model (added in 2024-03-01): treat them as fixed at creation, or judge the request by a "
                "newer API version."
            ),
        )
        return
    if old_on != new_on:
        kind = "persistent -> ephemeral" if new_on else "ephemeral -> persistent"
        yield Hit(
            DIFF_DISK,
            first.op,
            raw_old,
            raw_new,
            message=(
                f"OS disk {kind}: accepted in place from API 2024-03-01 (az vmss update --ephemeral-os-disk); each "
                "instance's OS disk is replaced when it takes the model (inferred), so data on it is lost."
            ),
        )
        return
    if old_on and new_on and lower(old.get("placement")) != lower(new.get("placement")):
        if any(c.op == "replace" for c in ctx.changed("/sku/name")):
            yield Hit(
                f"{DIFF_DISK}/placement",
                "replace",
                old.get("placement"),
                new.get("placement"),
                message=(
                    "ephemeral OS disk placement changes together with the VM size: accepted (az vmss update --vm-sku "
                    "... --ephemeral-os-disk-placement); instances get the new placement when they take the model."
                ),
            )
        else:
            yield Hit(
                f"{DIFF_DISK}/placement",
                "replace",
                old.get("placement"),
                new.get("placement"),
                severity=Severity.ERROR,
                message=(
                    "ephemeral OS disk placement changes without a VM size change: Azure answers (OperationNotAllowed) "
                    "\"The 'Placement' option override for the ephemeral OS disk is not supported.Please upgrade the VM "
                    'Size with desired placement option for provisioning the Ephemeral OS disk."'
                ),
            )
        return
    yield from (Hit.of(c) for c in changes)
