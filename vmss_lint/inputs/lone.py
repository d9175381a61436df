"""A scale set on one side of a pair only, and what that means, by the input that said so.

The inputs know why a side is missing: a template that newly declares a scale set creates it; a
Terraform plan or a what-if result can say it is deleted; a template that no longer declares it (or
whose condition is now false) leaves it running under an incremental deployment. Each case is one meta
finding of its own rule (VMSS005 created, VMSS004 deleted or no longer managed), which the pipeline
attaches to the lone model; this module only decides which, and says so in the inputs' words.
"""

from __future__ import annotations

from vmss_lint.core.findings import Hit, Severity
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import Record
from vmss_lint.report.document import ResultStatus

UNMANAGED_RULE = "VMSS004"
CREATED_RULE = "VMSS005"
UNNAMED = "<unnamed scale set>"


class LoneSide(Record):
    """The meta finding a lone side gets (its rule and hit) and the status its result shows."""

    rule: str
    hit: Hit
    status: ResultStatus


def created(proposed: ScaleSetModel) -> LoneSide:
    """Only the proposed side: the deployment creates the scale set."""
    hit = Hit(
        "",
        message=f"{display_name(proposed)} is created by this deployment: there is no current "
        "model to compare with, so only the new model's own settings apply",
    )
    return LoneSide(rule=CREATED_RULE, hit=hit, status="created")


def gone(current: ScaleSetModel) -> LoneSide:
    """Only the current side: deleted (a plan or what-if says so), else no longer managed by the template."""
    from vmss_lint.inputs.terraform.plan import DELETED_NOTE as PLAN_DELETED
    from vmss_lint.inputs.whatif import DELETED_NOTE

    if PLAN_DELETED in current.notes:
        message = f"the Terraform plan deletes {display_name(current)}: every VM in it goes"
        return _deleted(message)
    if DELETED_NOTE in current.notes:
        message = (
            f"what-if says {display_name(current)} is deleted (a complete-mode deployment "
            "deletes what the template no longer declares): every VM in it goes"
        )
        return _deleted(message)
    from vmss_lint.inputs.pairing import CONDITION_FALSE_NOTE

    skipped = next((n for n in current.notes if n.startswith(CONDITION_FALSE_NOTE)), None)
    why = (
        f"is not deployed by the proposed template (its condition "
        f"{skipped[len(CONDITION_FALSE_NOTE) :].strip()} is false)"
        if skipped is not None
        else "is no longer in the template"
    )
    hit = Hit(
        "",
        message=f"{display_name(current)} {why}; an incremental deployment leaves it as it is "
        "and it keeps running (a complete-mode deployment would delete it)",
    )
    return LoneSide(rule=UNMANAGED_RULE, hit=hit, status="unmanaged")


def display_name(model: ScaleSetModel | None) -> str:
    """The resolved name, or the name expression as written when it cannot be resolved."""
    name = model.doc.get("name") if model is not None else None
    if isinstance(name, str):
        return name
    text = getattr(name, "text", None)
    return text if isinstance(text, str) else UNNAMED


def _deleted(message: str) -> LoneSide:
    return LoneSide(
        rule=UNMANAGED_RULE, hit=Hit("", message=message, severity=Severity.WARNING), status="deleted"
    )
