"""A template about to be deployed, against the scale set as it runs now (a model on the other side).

The template must deploy that very scale set: one named otherwise is `OtherScaleSet` (exit 2 in file mode,
a notice in git mode, which compares every changed file with the live scale set). Split from `pairing`
(which dispatches on the kinds of the two files) and `template_pairs` (two templates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vmss_lint.arm.files import InputFile
from vmss_lint.core import records
from vmss_lint.core.errors import InputError
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.inputs.template_pairs import Pair, scan_side

if TYPE_CHECKING:
    from vmss_lint.arm.template_options import TemplateParams


class OtherScaleSet(InputError):
    """The template compared with a live scale set does not declare it; `declares` says what it does."""

    def __init__(self, source: str, problem: str, *, hint: str, declares: str) -> None:
        super().__init__(source, problem, hint=hint)
        self.declares = declares


def live_vs_template(
    live: ScaleSetModel,
    template: InputFile,
    role: str,
    params: TemplateParams,
    notices: list[str],
    *,
    live_first: bool,
) -> tuple[list[Pair], list[str]]:
    """The template that is about to be deployed, against the scale set as it runs now.

    The deployment goes to the live scale set's subscription and resource group, so resourceGroup() and
    subscription() take those unless --context says otherwise; what stays a placeholder (the resource
    group's location, the deployment name) becomes unknown rather than a guessed value.
    """
    from vmss_lint.arm.template_model import model_from_found

    ctx = records.replace(params.context)
    if ctx.subscription is None and live.subscription:
        ctx.subscription = {"subscriptionId": live.subscription}
    if (ctx.resource_group is None or "name" not in ctx.resource_group) and live.resource_group:
        ctx.resource_group = {**(ctx.resource_group or {}), "name": live.resource_group}
    found = scan_side(template, role, params, ctx, notices).scale_sets
    name = (live.name or "").lower()
    chosen = [f for f in found if isinstance(f.name, str) and f.name.lower() == name]
    if not chosen and len(found) == 1:
        only = found[0]
        if isinstance(only.name, str) and live.name:
            raise OtherScaleSet(
                template.path,
                f"the template's scale set is '{only.name}', the live one is '{live.name}': deploying it creates "
                f"'{only.name}' and leaves '{live.name}' running, so there is nothing to compare",
                hint=f"pass the live model of '{only.name}', or the parameters that name it '{live.name}'",
                declares=f"declares the scale set '{only.name}'",
            )
        chosen = found
        if live.name:
            notices.append(
                f"{template.path}: the name of its scale set {only.display_name} is unknown offline "
                f"({getattr(only.name, 'reason', 'unknown')}); compared with the live '{live.name}' as the "
                "same one. If the names differ once deployed, ARM creates a new scale set instead"
            )
    if not chosen and not found:
        raise OtherScaleSet(
            template.path,
            "this template deploys no Microsoft.Compute/virtualMachineScaleSets resource, so there is nothing "
            f"to compare with '{live.name}'",
            hint="pass the template that deploys the scale set",
            declares="declares no scale set",
        )
    if not chosen:
        names = ", ".join(f.display_name for f in found)
        raise OtherScaleSet(
            template.path,
            f"no scale set named '{live.name}' in this template (it declares: {names})",
            hint="pass the live model of one of those, or the parameters that name it (--parameters)",
            declares=f"declares no scale set named '{live.name}' (it declares: {names})",
        )
    others = [f.display_name for f in found if f is not chosen[0]]
    if others:
        notices.append(
            f"{template.path}: also declares {', '.join(others)}; not compared (no live model given)"
        )
    model = model_from_found(chosen[0], ctx)
    return ([(live, model)] if live_first else [(model, live)]), notices
