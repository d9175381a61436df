"""Build (current, proposed) scale-set pairs from any two inputs; a side may be missing.

Inputs may be models, templates (with parameters per side) or one what-if result. Scale sets are matched
across two templates the way ARM identifies a resource: by where it is deployed, its type and its resolved
name (case-insensitive; a copy loop's names include the copy index). A scale set whose name changed is a
new scale set: ARM creates it and leaves the old one running, so a rename is "created" (VMSS005) plus
"no longer managed" (VMSS004), never a comparison of two different scale sets. Where a name is unknown
offline the same expression on both sides still pairs (it resolves alike in one deployment); otherwise
a lone unknown-named scale set on each side is compared as the same one and a notice says that this is an
assumption. A scale set whose `condition` is false is not deployed: if the other side deploys it, it is
"no longer managed" (or created). A run whose templates declare scale sets but deploy none says why.
Both meta rules are info, and `--select/--ignore` apply to them; `vmss_lint.pipeline` gives such a pair
its meta finding.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from vmss_lint.arm.files import InputFile
from vmss_lint.core.errors import InputError
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.inputs.read import kind_of, model_from

if TYPE_CHECKING:
    # The template reader and the expression evaluator are imported where a template is met: two
    # plain models never need them (about 40 ms of a cold start).
    from vmss_lint.arm.template_options import TemplateContext, TemplateParams
    from vmss_lint.arm.templates import FoundResource, NotDeployed, Scan
    from vmss_lint.core.policy import Weakening
    from vmss_lint.engine.suppress import Suppression
    from vmss_lint.inputs.params import ParameterValues

Pair = tuple[ScaleSetModel | None, ScaleSetModel | None]


class OtherScaleSet(InputError):
    """The template compared with a live scale set does not declare it; `declares` says what it does."""

    def __init__(self, source: str, problem: str, *, hint: str, declares: str) -> None:
        super().__init__(source, problem, hint=hint)
        self.declares = declares


CONDITION_FALSE_NOTE = "not deployed: its condition is false:"


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
        assert current is not None
        try:
            return _live_vs_template(
                model_from(current), proposed, "proposed", params, notices, live_first=True
            )
        except OtherScaleSet as exc:
            if not other_scale_set_ok:
                raise
            return [], [*notices, f"{proposed.path}: {exc.declares}; not compared with {current.path}"]
    if cur_kind == "template" and proposed is not None and prop_kind == "model":
        assert current is not None
        return _live_vs_template(model_from(proposed), current, "current", params, notices, live_first=False)
    if "model" in (cur_kind, prop_kind):
        raise InputError(files[0].path, "missing the other side to compare this model with")
    cur_scan = _scan(current, "current", params, params.context, notices) if current is not None else None
    prop_scan = _scan(proposed, "proposed", params, params.context, notices) if proposed is not None else None
    cur_sets = cur_scan.scale_sets if cur_scan is not None else []
    prop_sets = prop_scan.scale_sets if prop_scan is not None else []
    pairs = pair_found(cur_sets, prop_sets, notices)
    skipped = [*(cur_scan.not_deployed if cur_scan else []), *(prop_scan.not_deployed if prop_scan else [])]
    if not pairs and skipped:
        notices.append(nothing_deployed_notice(skipped))
    return [_model_pair(c, p, params.context, prop_scan) for c, p in pairs], notices


def _model_pair(
    current: FoundResource | None,
    proposed: FoundResource | None,
    context: TemplateContext,
    prop_scan: Scan | None,
) -> Pair:
    cur, prop = _model(current, context), _model(proposed, context)
    if cur is not None and prop is not None:
        cur.meta_hits = []  # an undecidable condition is reported once, for the side being deployed
    if cur is not None and prop is None and prop_scan is not None and current is not None:
        skipped = _skipped_match(current, prop_scan.not_deployed)
        if skipped is not None:
            cur.notes.append(f"{CONDITION_FALSE_NOTE} {skipped.condition_text}")
    return cur, prop


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


def side_parameters(
    file: InputFile, role: str, params: TemplateParams, notices: list[str]
) -> ParameterValues:
    """The parameter values of one side: its files, else the conventional file next to the template.

    Names the template does not declare are a notice (Azure rejects such a deployment); a file the user
    named in file mode of which not one name is declared is another template's: exit 2, not a verdict."""
    from vmss_lint.inputs.params import discover_parameters, load_parameters

    paths = params.files_for(role)
    # File mode with files the user named for this pair: one that fits nowhere is refused below. Git mode
    # (discover off: it passes every side's files itself, conventional ones included, and one --parameters
    # for every changed template) keeps the notice, so one stale file never stops a commit's other files.
    named = bool(paths) and params.discover
    if not paths and params.discover:
        found = discover_parameters(file.path)
        if found is not None:
            paths = [found]
            notices.append(f"{role} template {file.path}: parameters from {found} (found next to it)")
    values = load_parameters(paths)
    declared = file.value.get("parameters") if isinstance(file.value, dict) else None
    names = {n.lower() for n in declared} if isinstance(declared, dict) else set()
    extra = sorted(n for n in values.values if n not in names)
    if named and extra and len(extra) == len(values.values):
        # Not one name fits: the file is another template's. Judging this template with its defaults
        # would be a verdict on a deployment nobody runs (and Azure rejects this one).
        raise InputError(
            paths[-1],
            f"none of its parameters ({', '.join(extra[:5])}{', ...' if len(extra) > 5 else ''}) is declared "
            f"by the {role} template {file.path}: a parameters file of another template",
            hint="pass this template's own parameters file, or one per side with --current-parameters/--proposed-parameters",
        )
    if extra and paths:
        notices.append(
            f"{role} template {file.path}: the parameters file sets {', '.join(extra)}, which the template does "
            "not declare (Azure rejects that deployment)"
        )
    return values


def _scan(
    file: InputFile, role: str, params: TemplateParams, context: TemplateContext, notices: list[str]
) -> Scan:
    from vmss_lint.arm.templates import scan_template

    values = side_parameters(file, role, params, notices)
    scan = scan_template(file, values, context, params)
    notices.extend(scan.notices)
    return scan


def _model(found: FoundResource | None, context: TemplateContext) -> ScaleSetModel | None:
    from vmss_lint.arm.template_model import model_from_found

    return model_from_found(found, context) if found is not None else None


def pair_found(
    current: list[FoundResource], proposed: list[FoundResource], notices: list[str]
) -> list[tuple[FoundResource | None, FoundResource | None]]:
    """Pair scale sets by identity (deployment target, type, name); renames are not pairs.

    Returns the pairs in a stable order and appends to `notices` what a reviewer must know: a rename
    (the old scale set keeps running) and any pairing assumed because a name is unknown offline.
    """
    pairs: list[tuple[FoundResource | None, FoundResource | None]] = []
    cur, prop = list(current), list(proposed)
    for p in list(prop):
        k = identity(p)
        matches = [c for c in cur if identity(c) == k]
        if len(matches) == 1:
            pairs.append((matches[0], p))
            cur.remove(matches[0])
            prop.remove(p)
    unknown_cur = [c for c in cur if not isinstance(c.name, str)]
    unknown_prop = [p for p in prop if not isinstance(p.name, str)]
    if len(cur) == 1 and len(prop) == 1 and (unknown_cur or unknown_prop):
        c, p = cur.pop(), prop.pop()
        why = next(str(getattr(x.name, "reason", "")) for x in (p, c) if not isinstance(x.name, str))
        notices.append(
            f"cannot tell whether scale set {c.display_name} and {p.display_name} are the same one: the name is "
            f"unknown offline ({why}); compared as the same scale set. If the names differ once deployed, ARM "
            "creates a new scale set and leaves the old one running; pass --parameters/--context to resolve it"
        )
        pairs.append((c, p))
    elif unknown_cur or unknown_prop:
        names = ", ".join(x.display_name for x in [*unknown_cur, *unknown_prop])
        notices.append(
            f"the name of {names} is unknown offline, so it is not paired with a scale set on the other side; "
            "pass --parameters/--context to resolve it"
        )
    renamed_from = [c for c in cur if isinstance(c.name, str)]
    renamed_to = [p for p in prop if isinstance(p.name, str)]
    if renamed_from and renamed_to:
        old = ", ".join(f"'{c.name}'" for c in renamed_from)
        new = ", ".join(f"'{p.name}'" for p in renamed_to)
        notices.append(
            f"scale set {old} is no longer declared and {new} is new: ARM identifies a scale set by its name, so "
            f"this deployment creates {new} and leaves {old} running (incremental mode); a rename is not an "
            "update"
        )
    pairs.extend((c, None) for c in cur)
    pairs.extend((None, p) for p in prop)
    return pairs


def identity(found: FoundResource) -> tuple[tuple[str, str], str, object]:
    """What ARM identifies a resource by: target subscription and group, type, name (case-insensitive).

    An unknown name is identified by its expression (an equal `Unknown` resolves alike on both sides);
    the deployment names around it do not matter to ARM, so moving a scale set into a module keeps it.
    """
    name: object = found.name.lower() if isinstance(found.name, str) else found.name
    return (found.origin.target, found.type, name)


def _skipped_match(found: FoundResource, skipped: list[NotDeployed]) -> NotDeployed | None:
    key = identity(found)[2]
    return next((n for n in skipped if (n.name.lower() if isinstance(n.name, str) else n.name) == key), None)


def nothing_deployed_notice(skipped: list[NotDeployed]) -> str:
    """Why a run over templates that declare scale sets compares none (never "0 passed" without a word)."""
    names = ", ".join(sorted({f"{n.display_name} (condition {n.condition_text})" for n in skipped}))
    return (
        f"the templates declare scale sets but deploy none: {names} is false on both sides, so ARM skips "
        "it and nothing is compared"
    )


def _live_vs_template(
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

    ctx = dataclasses.replace(params.context)
    if ctx.subscription is None and live.subscription:
        ctx.subscription = {"subscriptionId": live.subscription}
    if (ctx.resource_group is None or "name" not in ctx.resource_group) and live.resource_group:
        ctx.resource_group = {**(ctx.resource_group or {}), "name": live.resource_group}
    found = _scan(template, role, params, ctx, notices).scale_sets
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
