"""Cross-property rules about where VMs may go: zone expansion and placement-group limits.

Same contract as the `[[constraint]]` rules: judged on the effective proposed model, and a constraint fires only
when this change introduces the violation (the current model satisfies it).
"""

from __future__ import annotations

from collections.abc import Iterator

from vmss_lint.core.findings import Hit
from vmss_lint.engine.helpers import (
    CRG,
    HOST_GROUP,
    added_zones,
    has_service_fabric,
    lower,
    proposed_view,
)
from vmss_lint.engine.run import RuleContext


def zones_added_unsupported(ctx: RuleContext) -> Iterator[Hit]:
    """Zone expansion is not available for dedicated hosts, Service Fabric, AKS node pools or CRGs."""
    added = added_zones(ctx)
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
            message=f"new zones {', '.join(sorted(added))}, but {'; '.join(blockers)}: zone expansion "
            "is not supported for such scale sets.",
        )
