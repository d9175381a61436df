"""Hooks for the rules the product exists for: zones, subnets and VM sizes.

Hooks are pure functions of the rule context (both models, the changes, the API version): no I/O, no
globals, so they are as testable as the declarative rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit, Impact
from vmss_lint.engine.helpers import lower, zone_set
from vmss_lint.engine.run import RuleContext

ZONES = "/zones"


PLACEMENT_POLICY = "/placement/zonePlacementPolicy"


def migrates_to_zone_placement(ctx: RuleContext) -> bool:
    """Clearing zones while the same request sets placement.zonePlacementPolicy auto, at API 2026-03-01
    or later: the documented migration to automatic zone placement (no instance moves), not a removal.
    Below 2026-03-01 placement is a property the API lacks, so the zones are removed as before."""
    return (
        ctx.api.value[:10] >= "2026-03-01"
        and lower(ctx.effective(PLACEMENT_POLICY)) == "auto"
        and lower(ctx.current.get(PLACEMENT_POLICY)) != "auto"
        and not zone_set(ctx.effective(ZONES))
    )


def zones_removed(ctx: RuleContext) -> Iterator[Hit]:
    """Any zone that disappears (including zonal → regional) is rejected, except the migration above."""
    if migrates_to_zone_placement(ctx):
        return  # VMSS711 reports the migration
    for change in ctx.changed(ZONES):
        old, new = zone_set(change.old), zone_set(change.new)
        gone = sorted(old - new)
        if gone and change.op != "add":
            after = f"zones {', '.join(sorted(old))} -> " + (", ".join(sorted(new)) or "none, regional")
            yield Hit.of(
                change,
                message=f"{'zone' if len(gone) == 1 else 'zones'} {', '.join(gone)} would be removed ({after}); "
                "Azure never removes or replaces zones of an existing scale set.",
            )


_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.Network/"
    r"virtualNetworks/(?P<vnet>[^/]+)/subnets/(?P<subnet>[^/]+)/?$",
    re.IGNORECASE,
)
SUBNETS = "/properties/virtualMachineProfile/networkProfile/networkInterfaceConfigurations/*/properties/ipConfigurations/*/properties/subnet/id"


def vnet_of(subnet_id: Any) -> tuple[str, str, str] | None:
    """(subscription, resource group, virtual network) as written; compare with `same_vnet`."""
    if not isinstance(subnet_id, str):
        return None
    match = _ID.match(subnet_id.strip())
    if not match:
        return None
    return match.group("sub"), match.group("rg"), match.group("vnet")


def same_vnet(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """Azure resource ids ignore case."""
    return tuple(x.lower() for x in a) == tuple(x.lower() for x in b)


def subnet_other_vnet(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(SUBNETS):
        old, new = vnet_of(change.old), vnet_of(change.new)
        if change.op == "replace" and old and new and not same_vnet(old, new):
            yield Hit.of(
                change,
                message=f"the subnet moves from virtual network '{old[2]}' (resource group {old[1]}) to "
                f"'{new[2]}' (resource group {new[1]}); a scale set's NICs can only move to another "
                "subnet of the same virtual network.",
            )


def subnet_same_vnet(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(SUBNETS):
        old, new = vnet_of(change.old), vnet_of(change.new)
        if change.op == "replace" and old and new and same_vnet(old, new):
            yield Hit.of(change)
        elif change.op == "replace" and (old is None or new is None):
            yield Hit.of(
                change,
                message="the subnet changes, but one of the ids is not a full subnet resource id, so vmss-lint "
                "cannot tell whether it stays in the same virtual network.",
            )


_SIZE = re.compile(
    r"^(?:standard|basic)_(?P<family>[a-z]+)(?P<cpus>\d+)(?:-\d+)?(?P<extras>[a-z]*)(?:_(?P<acc>(?!v\d)[a-z]+\d+))?(?:_(?P<version>v\d+))?",
    re.IGNORECASE,
)


def size_family(size: Any) -> tuple[str, str] | None:
    """(family letters, generation) of an Azure VM size name, e.g. Standard_D4s_v5 → ("D", "v5").

    The heuristic: a resize within the same family and generation usually lands on the same hardware
    cluster, so an update-instances restart does it; another family or generation often needs
    hardware the current cluster does not have, so plan for a deallocation.
    """
    if not isinstance(size, str):
        return None
    match = _SIZE.match(size.strip())
    if not match:
        return None
    return match.group("family").upper(), (match.group("version") or "v1").lower()


def _is_instance_mix(size: Any) -> bool:
    """sku.name "Mix" marks instance mix (the sizes are in skuProfile.vmSizes): it is not a VM size."""
    return isinstance(size, str) and size.strip().casefold() == "mix"


def vm_size_change(ctx: RuleContext) -> Iterator[Hit]:
    """A resize, judged by size family. Entering or leaving instance mix is no resize: enabling it is
    model-only and resizes nothing (2026 catalogue C21/N1; VMSS216, VMSS702 judge it), leaving it has no
    source (VMSS725), so neither is planned as a deallocation here."""
    for change in ctx.changed("/sku/name"):
        if change.op != "replace" or _is_instance_mix(change.old) or _is_instance_mix(change.new):
            continue
        old, new = size_family(change.old), size_family(change.new)
        if old is not None and old == new:
            yield Hit.of(
                change,
                impact=Impact.UPDATE_INSTANCES,
                message=f"VM size {change.old} -> {change.new} stays in family {old[0]} {old[1]}: each instance "
                "restarts when it gets the new model; if the current hardware cluster lacks capacity "
                "(single placement group), the update can still fail with an allocation error.",
            )
        else:
            fam = f"{old[0]} {old[1]} -> {new[0]} {new[1]}" if old and new else "unrecognised size family"
            yield Hit.of(
                change,
                impact=Impact.DEALLOCATE,
                message=f"VM size {change.old} -> {change.new} changes family or generation ({fam}): the new "
                "size may not be available on the current hardware cluster, so instances may have to "
                "be deallocated before they can be resized.",
            )
