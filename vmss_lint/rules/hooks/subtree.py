"""Rules on a whole settings block (a policy, a plan, the edge zone): one finding per block, not per leaf.

Adding a block such as `plan` or `spotRestorePolicy` changes several leaves at once; reporting each
leaf would repeat the same sentence three times. A single changed leaf is still reported on its own
pointer, so the location points at the exact line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from vmss_lint.core.findings import Hit, Op
from vmss_lint.engine.run import RuleContext

Hook = Callable[[RuleContext], Iterator[Hit]]

OS_DISK = "/properties/virtualMachineProfile/storageProfile/osDisk"


def block_hits(ctx: RuleContext, root: str) -> Iterator[Hit]:
    """One hit for the block at `root` (or for its only changed leaf)."""
    changes = ctx.changed(f"{root}/**")
    if len(changes) == 1:
        c = changes[0]
        yield Hit(c.pointer, c.op, c.old, c.new)
    elif changes:
        old, new = ctx.current.get(root), ctx.proposed.get(root)
        op: Op = "add" if old is None else "remove" if all(c.op == "remove" for c in changes) else "replace"
        yield Hit(root, op, old, new)


def block_rule(*roots: str) -> Hook:
    """A hook reporting changes under any of `roots`, one finding per block."""

    def hook(ctx: RuleContext) -> Iterator[Hit]:
        for root in roots:
            yield from block_hits(ctx, root)

    return hook


edge_zone_change = block_rule("/extendedLocation")
host_group_change = block_rule("/properties/hostGroup")
plan_change = block_rule("/plan")
ephemeral_os_disk_change = block_rule(f"{OS_DISK}/diffDiskSettings")
confidential_os_disk_change = block_rule(f"{OS_DISK}/managedDisk/securityProfile")
zone_placement_change = block_rule("/placement", "/properties/placement")
spot_restore_policy_change = block_rule("/properties/spotRestorePolicy")
sku_profile_change = block_rule("/properties/skuProfile")
scale_in_policy_change = block_rule("/properties/scaleInPolicy")
automatic_repairs_change = block_rule("/properties/automaticRepairsPolicy")
priority_mix_policy_change = block_rule("/properties/priorityMixPolicy")
resiliency_policy_change = block_rule("/properties/resiliencyPolicy")
