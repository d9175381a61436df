"""Cross-property rules about where VMs may go: zone expansion and placement-group limits.

Same contract as `hooks_cross`: judged on the effective proposed model, and a constraint fires only
when this change introduces the violation (the current model satisfies it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit
from vmss_lint.engine.run import RuleContext

from .cross import (
    CAPACITY,
    CRG,
    FAULT_DOMAINS,
    HOST_GROUP,
    SPG,
    Getter,
    has_service_fabric,
    hit_on,
    introduced,
    lower,
    proposed_view,
    truthy,
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
    get = proposed_view(ctx)
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


def _over_spg_limit(get: Getter) -> bool:
    capacity = get(CAPACITY)
    try:
        count = int(str(capacity).strip()) if capacity is not None else 0
    except ValueError:
        return False
    return truthy(get(SPG)) and count > 100


def single_placement_group_over_100(ctx: RuleContext) -> Iterator[Hit]:
    """One placement group holds at most 100 VMs."""
    if introduced(ctx, _over_spg_limit):
        yield hit_on(
            ctx,
            CAPACITY,
            f"sku.capacity {ctx.effective(CAPACITY)} with singlePlacementGroup true: a single placement group "
            "holds at most 100 VMs; set singlePlacementGroup to false to go beyond 100.",
        )


def _spg_with_crg(get: Getter) -> bool:
    return truthy(get(SPG)) and bool(lower(get(CRG)))


def single_placement_group_with_reservation(ctx: RuleContext) -> Iterator[Hit]:
    """Capacity reservations need the set spread over several placement groups."""
    if introduced(ctx, _spg_with_crg):
        yield hit_on(
            ctx,
            CRG,
            "the scale set is associated with a capacity reservation group while singlePlacementGroup is "
            "true; capacity reservation needs singlePlacementGroup false.",
        )
