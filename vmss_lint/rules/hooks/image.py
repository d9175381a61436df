"""Image and OS disk transitions: which image changes replace OS disks, and which may be rejected.

An image change is accepted on the model and reaches each VM through the upgrade policy, and that
upgrade replaces the OS disk (data disks are kept). Whether Azure accepts it depends on the transition:
a compatible SKU or a new version is fine, a Gen1 <-> Gen2 SKU switch needs a preview feature, and any
image change is refused while automatic OS image upgrade is on. The kind of image (platform, managed
image, gallery, VHD) and of OS disk (unmanaged VHDs or managed disks) are fixed where Azure has said so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit, Severity
from vmss_lint.engine.helpers import IMAGE, lower
from vmss_lint.engine.run import RuleContext

OS_DISK = "/properties/virtualMachineProfile/storageProfile/osDisk"
ID_KINDS = ("id", "sharedGalleryImageId", "communityGalleryImageId")
_IDENTITY_FIELDS = ("publisher", "offer", "sku", *ID_KINDS)

_GEN2 = re.compile(r"([-_]?gen2|[-_]?gensecond|[-_]g2)$")
_GEN1 = re.compile(r"[-_]?gen1$")


def image_generation(sku: Any) -> tuple[str, int | None]:
    """(SKU without its generation marker, 1/2 when the SKU name says so, else None).

    Marketplace SKU names mark the generation inconsistently (`22_04-lts-gen2`, `2022-datacenter-g2`,
    `server-gen1`); a SKU without a marker can be either, so it is only compared with its marked twin.
    """
    low = lower(sku)
    if _GEN2.search(low):
        return _GEN2.sub("", low), 2
    if _GEN1.search(low):
        return _GEN1.sub("", low), 1
    return low, None


def _twin(base: str) -> str:
    """Canonical writes a Gen1 SKU and its Gen2 twin with different separators (`18.04-LTS` and
    `18_04-lts-gen2`): compared without them."""
    return base.replace(".", "_")


def generation_change(old: Any, new: Any) -> tuple[int, int] | None:
    """(old, new) generation when the SKU pair clearly switches between Gen1 and Gen2."""
    old_base, old_gen = image_generation(old)
    new_base, new_gen = image_generation(new)
    if old_gen is not None and new_gen is not None:
        return (old_gen, new_gen) if old_gen != new_gen else None
    if _twin(old_base) == _twin(new_base) and (old_gen, new_gen) != (None, None):
        marked = old_gen if old_gen is not None else new_gen
        unmarked = 1 if marked == 2 else 2
        return (old_gen or unmarked, new_gen or unmarked)
    return None


def image_sku_change(ctx: RuleContext) -> Iterator[Hit]:
    """Only claims "within a generation" when both SKU names say so (`22_04-lts-gen2` ->
    `24_04-lts-gen2`); a Windows -> Linux SKU or unmarked names get no generation claim."""
    for change in ctx.changed(f"{IMAGE}/sku"):
        if change.op == "replace" and generation_change(change.old, change.new) is None:
            old_gen, new_gen = image_generation(change.old)[1], image_generation(change.new)[1]
            same = (
                f"both are Generation {old_gen}"
                if old_gen is not None and old_gen == new_gen
                else (
                    "the SKU names do not say both generations (a Gen1 <-> Gen2 switch needs the Trusted Launch path, "
                    "VMSS211)"
                )
            )
            yield Hit.of(
                change,
                message=f"image SKU {change.old} -> {change.new}: {same}; accepted when the new SKU is compatible "
                "and publisher, offer, sku and version are sent together; every OS disk is replaced when an "
                "instance takes the model.",
            )


def _unknown(value: Any) -> bool:
    return value is not None and not isinstance(value, str | list | dict | int | float | bool)


def image_kind(ref: Any, os_disk: Any = None) -> str | None:
    """Which kind of image a model names, or None when it cannot be told (an unresolved field, no image).

    Kinds: "platform" (publisher/offer/sku), "managed-image" (imageReference.id of a
    Microsoft.Compute/images resource), "gallery" (imageReference.id of an Azure Compute Gallery image or
    version), "id" (another id), "sharedGalleryImageId", "communityGalleryImageId", and "vhd" (a user VHD
    image, osDisk.image.uri, on unmanaged disks).
    """
    uri = os_disk.get("image") if isinstance(os_disk, dict) else None
    uri = uri.get("uri") if isinstance(uri, dict) else None
    if _unknown(uri):
        return None
    if lower(uri):
        return "vhd"
    if not isinstance(ref, dict):
        return None
    fields = [ref.get(k) for k in (*_IDENTITY_FIELDS,)]
    if any(_unknown(v) for v in fields):
        return None
    for kind in ("communityGalleryImageId", "sharedGalleryImageId"):
        if lower(ref.get(kind)):
            return kind
    image_id = lower(ref.get("id"))
    if image_id:
        if "/providers/microsoft.compute/galleries/" in image_id:
            return "gallery"
        if "/providers/microsoft.compute/images/" in image_id:
            return "managed-image"
        return "id"
    return "platform" if lower(ref.get("publisher")) else None


def _kinds(ctx: RuleContext) -> tuple[str, str] | None:
    """(current kind, proposed kind) when the proposed side names its image and both are known."""
    proposed = ctx.proposed.get(IMAGE)
    proposed_disk = ctx.proposed.get(OS_DISK)
    names_image = isinstance(proposed, dict) and any(lower(proposed.get(f)) for f in _IDENTITY_FIELDS)
    names_vhd = isinstance(proposed_disk, dict) and isinstance(proposed_disk.get("image"), dict)
    if not (names_image or names_vhd):
        return None  # a version-only edit keeps the kind
    old = image_kind(ctx.current.get(IMAGE), ctx.current.get(OS_DISK))
    new = image_kind(proposed, proposed_disk if names_vhd else None)
    return (old, new) if old and new and old != new else None


_REJECTED = frozenset({("platform", "managed-image"), ("platform", "gallery"), ("platform", "id")})


def image_type_rejected(old: str, new: str) -> bool:
    """Platform image <-> an imageReference.id: the switch Azure has refused with OperationNotAllowed."""
    return (old, new) in _REJECTED or (new, old) in _REJECTED


def _switch(ctx: RuleContext, kinds: tuple[str, str], verb: str, verdict: str) -> Hit:
    return Hit(
        IMAGE,
        "replace",
        ctx.current.get(IMAGE),
        ctx.proposed.get(IMAGE),
        message=f"the image {verb} from {_KIND_NAMES[kinds[0]]} to {_KIND_NAMES[kinds[1]]}{verdict}",
    )


def image_type_change(ctx: RuleContext) -> Iterator[Hit]:
    kinds = _kinds(ctx)
    if kinds is not None and image_type_rejected(*kinds):
        yield _switch(
            ctx, kinds, "switches", ": Azure refuses to change the image type of an existing scale set."
        )


def image_source_switch(ctx: RuleContext) -> Iterator[Hit]:
    """The kind switches the sources do not settle (VMSS127 takes platform <-> image id)."""
    kinds = _kinds(ctx)
    if kinds is not None and not image_type_rejected(*kinds):
        yield _switch(
            ctx,
            kinds,
            "source switches",
            '. Azure refuses a platform image <-> image id switch ("The Image type for a Virtual Machine Scale '
            'Set may not be changed."); whether this pair counts as an image type change is not settled by any '
            "source: it may be rejected, and if accepted every OS disk is replaced on upgrade.",
        )


def disk_kind(os_disk: Any) -> str | None:
    """ "unmanaged" (VHDs in storage accounts: osDisk.vhdContainers or a user VHD image), "managed", or None
    when the model does not say (no osDisk, an unresolved vhdContainers)."""
    if not isinstance(os_disk, dict):
        return None
    containers, image = os_disk.get("vhdContainers"), os_disk.get("image")
    uri = image.get("uri") if isinstance(image, dict) else None
    if _unknown(containers) or _unknown(uri):
        return None
    if (isinstance(containers, list) and containers) or lower(uri):
        return "unmanaged"
    return "managed"


def os_disk_managed_switch(ctx: RuleContext) -> Iterator[Hit]:
    """Unmanaged -> managed is the rejection on record; the other cases are warnings (see the rule)."""
    old = disk_kind(ctx.current.get(OS_DISK))
    sent = ctx.proposed.get(OS_DISK)
    if old is None or not isinstance(sent, dict):
        return
    says_unmanaged = "vhdContainers" in sent or isinstance(sent.get("image"), dict)
    new = disk_kind(sent) if says_unmanaged or isinstance(sent.get("managedDisk"), dict) else None
    dropped = f"{OS_DISK}/vhdContainers" in ctx.proposed.removed
    if (
        new is None
        and old == "unmanaged"
        and (dropped or ctx.options.get("sent_as", "deployment") == "deployment")
    ):
        yield Hit(
            f"{OS_DISK}/vhdContainers",
            "remove",
            ctx.current.get(f"{OS_DISK}/vhdContainers") or ctx.current.get(f"{OS_DISK}/image"),
            None,
            severity=Severity.WARNING,
            message="the OS disk is on unmanaged disks (VHDs in a storage account) and this deployment sends an osDisk "
            "without vhdContainers or a VHD image: if Compute keeps what is left out (its docs), nothing changes; if "
            "the deployment resets it (ARM's docs), this is a switch to managed disks, which Azure refuses "
            "(\"Changing property 'osDisk.managedDisk' is not allowed.\"). Keep vhdContainers in the template, or "
            "move to managed disks with a new scale set.",
        )
    elif old == "unmanaged" and new == "managed":
        yield Hit(
            f"{OS_DISK}/managedDisk",
            "add",
            None,
            sent.get("managedDisk"),
            message="the OS disk switches from unmanaged disks (VHDs in a storage account) to managed disks: the "
            "instances of an existing scale set cannot be migrated to managed disks, and Azure refuses the update.",
        )
    elif old == "managed" and new == "unmanaged":
        yield Hit(
            f"{OS_DISK}/vhdContainers",
            "add",
            None,
            sent.get("vhdContainers") or sent.get("image"),
            severity=Severity.WARNING,
            message="the OS disk switches from managed disks to unmanaged disks (VHDs in a storage account): no "
            "source shows it accepted or rejected (the rejection on record is the other way); treat it as fixed at "
            "creation, and note that unmanaged disks are retired.",
        )


_KIND_NAMES = {
    "platform": "a marketplace (platform) image",
    "managed-image": "a managed (custom) image id",
    "gallery": "an Azure Compute Gallery image id",
    "id": "an image id",
    "sharedGalleryImageId": "a shared gallery image",
    "communityGalleryImageId": "a community gallery image",
    "vhd": "a user VHD image (osDisk.image.uri)",
}
