"""The plan's steps and sentences that depend on the upgrade mode and the instance list.

Split from plan/upgrade.py, which decides which steps a change needs; this module says each of them:
reimage (in batches of the Rolling policy's batch size when the instances are known),
`update-instances`, and the summary sentence per upgrade mode and impact.
"""

from __future__ import annotations

from vmss_lint.core.findings import Impact
from vmss_lint.plan.facts import PlanFacts, ephemeral_os
from vmss_lint.plan.replace import surge_replaces
from vmss_lint.report.document import PlanStep, RollingPlan


def reimage_steps(facts: PlanFacts, names: list[str], rolling: RollingPlan | None) -> list[PlanStep]:
    """Reimage after the model is applied; on a Rolling set, in batches of its own batch size."""
    ids = facts.targets
    verb = "takes" if len(names) == 1 else "take"
    detail = (
        f"{', '.join(names)} {verb} effect only when the OS disk is rebuilt; updating the model is not "
        "enough. Reimage replaces the OS disk: data on it and on the temporary disk is lost, data disks are kept."
    )
    size = rolling.batch_size if rolling and rolling.batch_size else None
    if not ids or size is None or size >= len(ids):
        if size and not ids:
            detail += f" To keep the set serving, reimage no more than {size} instance(s) at a time."
        elif size is None:
            detail += " To keep the set serving, reimage a few instances at a time."
        return [
            PlanStep(
                action="reimage",
                title="Reimage the instances so the change lands in the guest",
                detail=detail,
                commands=facts.target.command("reimage", ids),
                instance_ids=ids,
            )
        ]
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    return [
        PlanStep(
            action="reimage",
            title=f"Reimage batch {n} of {len(chunks)} so the change lands in the guest",
            detail=detail if n == 1 else "Wait until the previous batch is healthy again.",
            commands=facts.target.command("reimage", chunk),
            instance_ids=chunk,
        )
        for n, chunk in enumerate(chunks, 1)
    ]


def update_step(facts: PlanFacts, title: str, *, running: bool) -> PlanStep:
    """`update-instances` on the plan's targets; while they run, a hint to go a few at a time."""
    ids = facts.targets
    detail = (
        "Each instance restarts when it gets the new model; to keep serving, run it on a few instances at a "
        "time (a list of ids instead of '*')."
        if running
        else ""
    )
    return PlanStep(
        action="update-instances",
        title=title,
        detail=detail,
        commands=facts.target.command("update-instances", ids),
        instance_ids=ids,
    )


def summary(facts: PlanFacts, impact: Impact, rolling: RollingPlan | None) -> str:
    """The plan's one-sentence summary: how the change reaches the VMs in this upgrade mode."""
    if impact == Impact.DEALLOCATE and surge_replaces(facts, rolling):
        return (
            "Rolling upgrade mode with maxSurge: once deployed, the platform rolls the change out by creating "
            "new VMs from the new model in batches and deleting the old ones; nothing is deallocated."
        )
    if impact == Impact.DEALLOCATE and ephemeral_os(facts):
        return (
            f"{facts.mode} upgrade mode; this change would need the instances deallocated, which Azure refuses "
            "for ephemeral OS disks: replace the instances instead."
        )
    if impact == Impact.DEALLOCATE:
        return (
            f"{facts.mode} upgrade mode; this change needs the instances deallocated first: deallocate, "
            "deploy, update the instances, start them."
        )
    if facts.mode == "Manual":
        return (
            "Manual upgrade mode: nothing reaches the running VMs until you run the steps below; VMs created "
            "by a scale-out get the new model at once, so the fleet is mixed until then."
        )
    if facts.mode == "Rolling":
        assert rolling is not None
        batches = f"in {rolling.batches} batch(es)" if rolling.batches else "in batches"
        return f"Rolling upgrade mode: once deployed, the platform rolls the change out {batches} (rollingUpgradePolicy)."
    return (
        "Automatic upgrade mode: once deployed, the platform upgrades all instances at once, in no particular "
        "order: every instance may restart at the same time."
    )
