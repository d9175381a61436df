"""Plans that replace instances where a deallocation is either refused or not needed.

Two facts of the 2026 addendum (section 3, R1 and R2): Azure refuses `deallocate` for instances with an
ephemeral OS disk ("Operation 'deallocate' is not supported for VMs or VM Scale Set instances using an
ephemeral OS disk."), and under Rolling with maxSurge the platform delivers a model change, a VM size
included, as new VMs created in batches from the new model while the old ones are deleted. In both cases
the plan replaces instances instead of deallocating them.
"""

from __future__ import annotations

from vmss_lint.plan.facts import PlanFacts, ephemeral_os, rolling_text
from vmss_lint.report.document import PlanStep, RollingPlan

DEALLOCATE_REFUSED = (
    "Operation 'deallocate' is not supported for VMs or VM Scale Set instances using an ephemeral OS disk."
)
SURGE_CAVEAT = (
    "The new VMs count toward the regional core quota (one extra batch), get new IP addresses and need free "
    "addresses in the subnet; on Uniform sets a replacement may land in a different update domain. Azure "
    "checks the quota before each batch: if that check fails the upgrade falls back to in place, and a size "
    "the current hardware cannot host then needs the VMs deallocated"
)


def surge_replaces(facts: PlanFacts, rolling: RollingPlan | None) -> bool:
    """Rolling with maxSurge: each batch is new VMs from the new model (virtual-machine-scale-sets-maxsurge)."""
    return facts.mode == "Rolling" and rolling is not None and rolling.max_surge


def replace_steps(facts: PlanFacts, why: list[str], rolling: RollingPlan | None) -> list[PlanStep]:
    needed = ", ".join(why) or "this change"
    if surge_replaces(facts, rolling):
        assert rolling is not None
        fallback = (
            " (with ephemeral OS disks deallocation is refused too: keep quota free so the surge can proceed)"
            if ephemeral_os(facts)
            else ""
        )
        return [
            PlanStep(
                action="rolling-upgrade",
                title="Deploy the change: the rolling upgrade replaces the instances in batches (maxSurge)",
                detail=f"{needed} would need a deallocation on an in-place upgrade; with maxSurge each batch "
                f"creates new VMs from the new model (for a size change: VMs of the new size) and deletes the "
                f"old ones once the new ones are healthy. {rolling_text(rolling)} {SURGE_CAVEAT}{fallback}.",
                instance_ids=facts.targets,
                batches=rolling.batches,
            )
        ]
    t = facts.target
    return [
        PlanStep(action="deploy", title="Deploy the proposed model (PUT/PATCH of the scale set)"),
        PlanStep(
            action="replace",
            title="Replace the instances instead of deallocating them (ephemeral OS disks)",
            detail=f"{needed} would need the instances deallocated, and Azure refuses that for ephemeral OS "
            f'disks: "{DEALLOCATE_REFUSED}" Replace them instead: switch to Rolling with maxSurge and let a '
            "rolling upgrade create new VMs from the new model; or scale out by the instance count (new VMs get "
            "the new model) and then scale back in with scaleInPolicy OldestVM so the old VMs go; or, for "
            "changes a fresh OS disk picks up, update the instances and reimage them (whether a reimage applies "
            "each of these changes is inferred). Alternatively migrate the set to persistent OS disks first "
            "(API 2024-03-01 or later, `az vmss update --ephemeral-os-disk false`).",
            commands=t.command("update-instances", facts.targets),
            instance_ids=facts.targets,
        ),
    ]
