"""A scale set that its deployment tool replaces (Terraform's delete+create) instead of updating.

The change is judged as if it were sent in place; then the findings that say "Azure rejects this in
place" (errors with impact recreate) are what make the replacement necessary. They are not errors of the
plan, because Terraform never sends that update: they are folded into one VMSS008 finding that names them,
and that finding says the replacement is avoidable when there are none.
"""

from __future__ import annotations

from vmss_lint.core.findings import Finding, Hit, Impact, Severity


def fold_replacement(reason: str, findings: list[Finding]) -> tuple[Hit, list[Finding]]:
    """The VMSS008 hit for a replaced scale set, and the findings that remain beside it."""
    rejected = [f for f in findings if f.severity == Severity.ERROR and f.impact == Impact.RECREATE]
    kept = [f for f in findings if f not in rejected]
    if rejected:
        names = ", ".join(sorted({f"{f.rule} {f.name}" for f in rejected}))
        message = (
            f"the plan replaces this scale set ({reason}): every VM is deleted and a new scale set created. "
            f"Azure would reject this change in place ({names}), so the replacement is needed"
        )
    else:
        message = (
            f"the plan replaces this scale set ({reason}), deleting every VM, but Azure would accept this "
            "change in place: the replacement (and the outage) is avoidable"
        )
    return Hit("", message=message), kept
