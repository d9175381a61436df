"""Turn what the user passed on the command line into pairs of scale-set models (`InputSet`).

Inputs come in several forms: two models, a model plus a JSON Patch or planned `az vmss update`
commands, two templates, a live model and a template, a what-if result. Each form only decides how
the (current, proposed) pairs are built; `vmss_lint.pipeline` lints them the same way for all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vmss_lint.arm.files import InputFile, read_file
from vmss_lint.core.errors import InputError
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.inputs.pairs import InputSet, ModelPair
from vmss_lint.inputs.read import kind_of, model_from

__all__ = [
    "apply_az_update",
    "apply_patch",
    "apply_patch_file",
    "from_files",
]  # apply_patch* live in json_patch

if TYPE_CHECKING:
    from vmss_lint.arm.template_options import TemplateParams


def from_files(
    current: str | InputFile | None,
    proposed: str | InputFile | None,
    *,
    patch: str | None = None,
    az_updates: list[str] | None = None,
    params: TemplateParams | None = None,
    untrusted: str | None = None,
) -> InputSet:
    """The `check CURRENT PROPOSED` inputs: read the files and build the pairs, linting nothing.

    `params` carries the template options (--parameters, --context, ...); templates and what-if results
    are paired by `vmss_lint.inputs.pairing.pairs_from_files`, which git mode calls directly. `untrusted`
    (why the run is on an untrusted event) keeps only the template `metadata` suppressions CURRENT
    already has.
    """
    az_updates = az_updates or []
    if current is None:
        raise InputError(
            "check",
            "missing CURRENT",
            hint="usage: vmss-lint check CURRENT PROPOSED (or --patch/--az-update)",
        )
    edits_given = patch is not None or bool(az_updates)
    if edits_given and proposed is not None:
        raise InputError("check", "give either PROPOSED or edits (--patch/--az-update), not both")
    current_file = current if isinstance(current, InputFile) else read_file(current, role="current")
    if not edits_given and proposed is None and not _holds_both_sides(current_file):
        raise InputError(
            "check",
            "missing PROPOSED",
            hint="give a proposed model or template, --patch FILE or --az-update CMD (or one what-if result or "
            "Terraform plan JSON)",
        )
    if edits_given:
        cur = _as_model(current_file)
        prop = cur
        if patch is not None:
            prop = apply_patch_file(current_file, patch)
        for i, command in enumerate(az_updates, 1):
            prop = apply_az_update(prop, command, i, len(az_updates))
        edit_notices = _unused_parameters(params, [current_file])
        if az_updates:
            from vmss_lint.inputs.edits.emulate import emulated_behaviour

            edit_notices.append(emulated_behaviour())
        return InputSet(pairs=[ModelPair(cur, prop)], notices=edit_notices)
    from vmss_lint.arm.template_options import TemplateParams
    from vmss_lint.inputs.pairing import pairs_from_files, trusted_suppressions

    proposed_file = read_file(proposed, role="proposed") if isinstance(proposed, str) else proposed
    found, notices = pairs_from_files(current_file, proposed_file, params or TemplateParams())
    _refuse_no_scale_set(found, notices, current_file, proposed_file)
    suppressions, weakenings = trusted_suppressions(current_file, proposed_file, untrusted)
    notices = _unused_parameters(params, [current_file, proposed_file]) + notices
    if proposed_file is not None:
        from vmss_lint.inputs.swap import swap_notice

        swapped = swap_notice(
            current_file.value,
            proposed_file.value,
            kind_of(current_file.value),
            current_file.path,
            proposed_file.path,
        )
        notices = [swapped, *notices] if swapped else notices
    return InputSet(
        pairs=[ModelPair(c, p) for c, p in found],
        notices=notices,
        suppressions=suppressions,
        weakenings=weakenings,
    )


def _unused_parameters(params: TemplateParams | None, files: list[InputFile | None]) -> list[str]:
    """A notice when parameters files were given but no side is an ARM template: they are not read, and
    the user should know their values played no part (QA: they were dropped without a word)."""
    if params is None:
        return []
    given = [*params.parameters, *(params.current_parameters or []), *(params.proposed_parameters or [])]
    if not given or any(f is not None and kind_of(f.value) == "template" for f in files):
        return []
    return [f"{', '.join(dict.fromkeys(given))}: not used, no side of this check is an ARM template"]


def _holds_both_sides(file: InputFile) -> bool:
    """A what-if result or a Terraform plan: one file that knows the current and the proposed model."""
    from vmss_lint.inputs.terraform import is_terraform_plan
    from vmss_lint.inputs.whatif import is_whatif

    return is_whatif(file.value) or is_terraform_plan(file.value)


def _as_model(file: InputFile) -> ScaleSetModel:
    kind = kind_of(file.value)
    if kind == "model":
        return model_from(file)
    if kind == "patch":
        raise InputError(
            file.path, "this is a JSON Patch, not a scale-set model", hint="pass it with --patch"
        )
    if kind in ("template", "parameters", "what-if"):
        raise InputError(
            file.path,
            f"--patch and --az-update edit a scale-set model, not a {kind} file",
            hint="compare two templates as CURRENT PROPOSED, or pass the live model as CURRENT",
        )
    return model_from(file)  # raises the "not a scale set" message with the keys it found


def apply_patch_file(current_file: InputFile, patch_path: str) -> ScaleSetModel:
    """`--patch FILE` on CURRENT (`vmss_lint.inputs.json_patch`, imported only when a patch is given)."""
    from vmss_lint.inputs.json_patch import apply_patch_file as apply

    return apply(current_file, patch_path)


def apply_patch(current_file: InputFile, ops: Any, patch_path: str) -> ScaleSetModel:
    """Parsed patch operations on CURRENT (`vmss_lint.inputs.json_patch`); tests and the fuzzer call it."""
    from vmss_lint.inputs.json_patch import apply_patch as apply

    return apply(current_file, ops, patch_path)


def apply_az_update(current: ScaleSetModel, command: str, number: int, total: int) -> ScaleSetModel:
    """Apply one planned `az vmss update` as azure-cli 2.91 sends it (`vmss_lint.inputs.edits.emulate`)."""
    from vmss_lint.inputs.edits.emulate import proposed_after

    return proposed_after(current, command, number, total)


def _refuse_no_scale_set(
    found: list[Any], notices: list[str], current: InputFile, proposed: InputFile | None
) -> None:
    """Two templates named on the command line that deploy no scale set are an input error, not a pass.

    Git mode skips such files (a repository holds many templates that are not about scale sets), but a
    user who names two files expects them judged: "0 scale sets ... passed" would hide a wrong path. A
    template whose scale sets are all skipped by a false `condition` says so in a notice instead.
    """
    if found or proposed is None or any(n.startswith("the templates declare scale sets") for n in notices):
        return
    if kind_of(current.value) != "template" or kind_of(proposed.value) != "template":
        return
    if any(_mentions_type(f.value, _MAY_HOLD_SCALE_SET) for f in (current, proposed)):
        return  # a scale set behind a deployment that could not be followed: its notice says so
    raise InputError(
        proposed.path,
        f"neither {current.path} nor this file deploys a Microsoft.Compute/virtualMachineScaleSets resource, "
        "so there is nothing to judge",
        hint="pass the templates that deploy the scale set; git mode skips such files by itself",
    )


_MAY_HOLD_SCALE_SET = ("microsoft.resources/deployments", "microsoft.compute/virtualmachinescalesets")


def _mentions_type(value: object, types: tuple[str, ...], depth: int = 0) -> bool:
    """Whether a template names one of `types` anywhere (a nested or linked deployment may hold a scale
    set that could not be followed offline). Bounded by the JSON depth the reader already enforces."""
    if depth > 200:
        return True
    if isinstance(value, dict):
        kind = value.get("type")
        if isinstance(kind, str) and kind.strip().lower() in types:
            return True
        return any(_mentions_type(v, types, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_type(v, types, depth + 1) for v in value)
    return False
