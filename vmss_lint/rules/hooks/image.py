"""Image and OS disk transitions: which image changes replace OS disks, and which may be rejected.

An image change is accepted on the model and reaches each VM through the upgrade policy, and that
upgrade replaces the OS disk (data disks are kept). Whether Azure accepts it depends on the transition:
a compatible SKU or a new version is fine, a Gen1 <-> Gen2 SKU switch needs a preview feature, and any
image change is refused while automatic OS image upgrade is on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit
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


def generation_change(old: Any, new: Any) -> tuple[int, int] | None:
    """(old, new) generation when the SKU pair clearly switches between Gen1 and Gen2."""
    old_base, old_gen = image_generation(old)
    new_base, new_gen = image_generation(new)
    if old_gen is not None and new_gen is not None:
        return (old_gen, new_gen) if old_gen != new_gen else None
    if old_base == new_base and (old_gen, new_gen) != (None, None):
        marked = old_gen if old_gen is not None else new_gen
        unmarked = 1 if marked == 2 else 2
        return (old_gen or unmarked, new_gen or unmarked)
    return None


def image_sku_change(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(f"{IMAGE}/sku"):
        if change.op == "replace" and generation_change(change.old, change.new) is None:
            yield Hit.of(change)


def image_generation_change(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(f"{IMAGE}/sku"):
        gens = generation_change(change.old, change.new) if change.op == "replace" else None
        if gens is not None:
            yield Hit.of(
                change,
                message=f"image SKU {change.old} -> {change.new} switches from Gen{gens[0]} to Gen{gens[1]}. "
                "Without the preview feature ImageSkuGenUpdateWithVMSS (Trusted Launch upgrade of a Uniform "
                "set) Azure refuses it with \"Changing property 'imageReference.sku' is not allowed.\"; the "
                "VM size must also support the new generation.",
            )


def image_kind(ref: Any) -> str | None:
    """Which kind of image a reference names: platform (marketplace), custom/gallery id, shared, community."""
    if not isinstance(ref, dict):
        return None
    for kind in ("communityGalleryImageId", "sharedGalleryImageId", "id"):
        if lower(ref.get(kind)):
            return kind
    return "platform" if lower(ref.get("publisher")) else None


def image_source_switch(ctx: RuleContext) -> Iterator[Hit]:
    """Only judged when the proposed imageReference names its image (a version-only edit keeps the kind)."""
    proposed = ctx.proposed.get(IMAGE)
    if not isinstance(proposed, dict) or not any(lower(proposed.get(f)) for f in _IDENTITY_FIELDS):
        return
    old, new = image_kind(ctx.current.get(IMAGE)), image_kind(proposed)
    if old and new and old != new:
        yield Hit(
            IMAGE,
            "replace",
            ctx.current.get(IMAGE),
            proposed,
            message=f"the image source switches from {_KIND_NAMES[old]} to {_KIND_NAMES[new]}. Microsoft documents "
            "updating a custom image by its id and changing marketplace versions/SKUs, but not switching between "
            "kinds of image source; it may be rejected, and if accepted every OS disk is replaced on upgrade.",
        )


_KIND_NAMES = {
    "platform": "a marketplace (platform) image",
    "id": "a custom or Azure Compute Gallery image id",
    "sharedGalleryImageId": "a shared gallery image",
    "communityGalleryImageId": "a community gallery image",
}
