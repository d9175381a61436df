"""Build (current, proposed) scale-set pairs from any two inputs; a side may be missing.

Inputs may be models, templates (with parameters per side), one what-if result or one Terraform plan; this
module decides by the kinds of the two files which reader pairs them (`template_pairs` for two templates,
`live_template` for a model against a template, `whatif`, `terraform.plan`), and reads the suppressions a
template declares. The meta rules a pair may carry (created, no longer managed) are info, `--select/--ignore`
apply to them, and `vmss_lint.pipeline` gives such a pair its meta finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vmss_lint.arm.files import InputFile
from vmss_lint.core.errors import InputError
from vmss_lint.inputs.read import kind_of, model_from
from vmss_lint.inputs.template_pairs import CONDITION_FALSE_NOTE, Pair, side_parameters

if TYPE_CHECKING:
    # The template reader and the expression evaluator are imported where a template is met: two
    # plain models never need them (about 40 ms of a cold start).
    from vmss_lint.arm.template_options import TemplateParams
    from vmss_lint.core.policy import Weakening
    from vmss_lint.engine.suppress import Suppression

__all__ = [  # CONDITION_FALSE_NOTE and side_parameters moved to `template_pairs`; imported from here too
    "CONDITION_FALSE_NOTE",
    "Pair",
    "pairs_from_files",
    "side_parameters",
    "template_suppressions",
    "trusted_suppressions",
]


def pairs_from_files(
    current: InputFile | None,
    proposed: InputFile | None,
    params: TemplateParams,
    *,
    other_scale_set_ok: bool = False,
) -> tuple[list[Pair], list[str]]:
    """Pairs plus notices (which parameters file was used, what could not be followed).

    `current` None means the file does not exist on the base side (everything in `proposed` is created);
    `proposed` None means it was deleted (everything is no longer managed), unless `current` is a what-if
    result, which holds both sides. `other_scale_set_ok`: `current` is a live scale set that git mode
    compares with every changed file, so a file about another scale set is a notice, not an error.
    """
    notices: list[str] = []
    files = [f for f in (current, proposed) if f is not None]
    if not files:
        raise InputError("check", "nothing to compare")
    whatifs = [f for f in files if _may_be_whatif(f.value) and _is_whatif(f.value)]
    if whatifs:
        from vmss_lint.inputs.whatif import pairs_from_whatif

        if len(files) > 1:
            raise InputError(whatifs[0].path, "a what-if result holds both sides; pass it alone")
        return pairs_from_whatif(whatifs[0])
    plans = [f for f in files if _is_terraform_plan(f.value)]
    if plans:
        from vmss_lint.inputs.terraform.plan import pairs_from_plan

        if len(files) > 1:
            raise InputError(plans[0].path, "a Terraform plan holds both sides; pass it alone")
        return pairs_from_plan(plans[0])
    kinds = {id(f): _kind(f) for f in files}
    cur_kind = kinds[id(current)] if current is not None else None
    prop_kind = kinds[id(proposed)] if proposed is not None else None
    if current is not None and proposed is not None and cur_kind == "model" and prop_kind == "model":
        pair = (model_from(current), model_from(proposed))
        if other_scale_set_ok and (pair[0].name or "").lower() != (pair[1].name or "").lower():
            return [], [f"{proposed.path}: scale set '{pair[1].name}', not {current.path}; not compared"]
        return [pair], notices
    if cur_kind == "model" and proposed is not None and prop_kind == "template":
        from vmss_lint.inputs.live_template import OtherScaleSet, live_vs_template

        assert current is not None
        try:
            return live_vs_template(
                model_from(current), proposed, "proposed", params, notices, live_first=True
            )
        except OtherScaleSet as exc:
            if not other_scale_set_ok:
                raise
            return [], [*notices, f"{proposed.path}: {exc.declares}; not compared with {current.path}"]
    if cur_kind == "template" and proposed is not None and prop_kind == "model":
        from vmss_lint.inputs.live_template import live_vs_template

        assert current is not None
        return live_vs_template(model_from(proposed), current, "current", params, notices, live_first=False)
    if "model" in (cur_kind, prop_kind):
        raise InputError(files[0].path, "missing the other side to compare this model with")
    from vmss_lint.inputs.template_pairs import template_pairs

    return template_pairs(current, proposed, params, notices)


def template_suppressions(current: InputFile | None, proposed: InputFile | None) -> list[Suppression]:
    """The suppressions a template declares in its `metadata`, from the file that findings point into.

    That is the proposed template, or the current one when the proposed side is gone; the other side's
    suppressions would only ever be reported as unused.
    """
    file = proposed if proposed is not None else current
    if file is None or not isinstance(file.value, dict) or kind_of(file.value) != "template":
        return []
    metadata = file.value.get("metadata")
    if not isinstance(metadata, dict):
        return []
    from vmss_lint.engine.suppress import suppressions_from_metadata

    pos = file.parsed.key_positions.get("/metadata")
    return suppressions_from_metadata(metadata, file.path, line=pos[0] if pos else 1)


def trusted_suppressions(
    current: InputFile | None, proposed: InputFile | None, untrusted: str | None
) -> tuple[list[Suppression], list[Weakening]]:
    """`template_suppressions`, and on an untrusted event (`untrusted` says why) only those the current
    side (the base revision) already declares: each one the proposed template adds is refused, as a
    `Weakening` (VMSS011) naming it."""
    suppressions = template_suppressions(current, proposed)
    if untrusted is None or not suppressions:
        return suppressions, []
    before = {s.spec.model_dump_json() for s in template_suppressions(current, None)} if current else set()
    from vmss_lint.core.policy import Weakening

    kept, refused = [], []
    for sup in suppressions:
        if sup.spec.model_dump_json() in before:
            kept.append(sup)
        else:
            value = sup.spec.phrase()
            refused.append(Weakening("metadata.vmss-lint.suppress", value, sup.source, sup.line, untrusted))
    return kept, refused


def _is_terraform_plan(value: object) -> bool:
    from vmss_lint.inputs.terraform import is_terraform_plan

    return is_terraform_plan(value)


def _may_be_whatif(value: object) -> bool:
    """False when `value` cannot be a what-if result (it has no `changes` key, bare or under
    `properties`), so two models never import the what-if reader and the template machinery behind it."""
    if not isinstance(value, dict):
        return False
    props = value.get("properties")
    return "changes" in value or (isinstance(props, dict) and "changes" in props)


def _is_whatif(value: object) -> bool:
    from vmss_lint.inputs.whatif import is_whatif

    return is_whatif(value)


def _kind(file: InputFile) -> str:
    kind = kind_of(file.value)
    if kind == "parameters":
        raise InputError(
            file.path,
            "this is a parameters file, not a template or a model",
            hint="pass it with --parameters (or --current-parameters/--proposed-parameters)",
        )
    if kind == "patch":
        raise InputError(
            file.path, "this is a JSON Patch, not a scale-set model", hint="pass it with --patch"
        )
    if kind not in ("model", "template"):
        model_from(file)  # raises the "not a scale set" message naming the keys it found
    return kind
