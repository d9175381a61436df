"""Build (current, proposed) scale-set pairs from any two inputs; a side may be missing.

Inputs may be models, templates (with parameters per side) or one what-if result. Scale sets are matched
across two templates by type and resolved name (case-insensitive), else by the unresolved name
expression, else by symbolic name, and when each side has exactly one they are paired. One that leaves
the template is "no longer managed" (an incremental deployment does not delete it, VMSS004, info); a new
one is a creation (VMSS005, info); `vmss_lint.pipeline` gives such a pair its meta finding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from vmss_lint.core.errors import InputError
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.inputs.read import InputFile, kind_of, model_from

if TYPE_CHECKING:
    # The template reader and the expression evaluator are imported where a template is met: two
    # plain models never need them (about 40 ms of a cold start).
    from vmss_lint.arm.template_options import TemplateContext, TemplateParams
    from vmss_lint.arm.templates import FoundResource
    from vmss_lint.engine.suppress import Suppression
    from vmss_lint.inputs.params import ParameterValues

Pair = tuple[ScaleSetModel | None, ScaleSetModel | None]


def pairs_from_files(
    current: InputFile | None, proposed: InputFile | None, params: TemplateParams
) -> tuple[list[Pair], list[str]]:
    """Pairs plus notices (which parameters file was used, what could not be followed).

    `current` None means the file does not exist on the base side (everything in `proposed` is created);
    `proposed` None means it was deleted (everything is no longer managed), unless `current` is a what-if
    result, which holds both sides.
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
        return [(model_from(current), model_from(proposed))], notices
    if cur_kind == "model" and proposed is not None and prop_kind == "template":
        assert current is not None
        return _live_vs_template(model_from(current), proposed, "proposed", params, notices, live_first=True)
    if cur_kind == "template" and proposed is not None and prop_kind == "model":
        assert current is not None
        return _live_vs_template(model_from(proposed), current, "current", params, notices, live_first=False)
    if "model" in (cur_kind, prop_kind):
        raise InputError(files[0].path, "missing the other side to compare this model with")
    cur_sets = _scan(current, "current", params, params.context, notices) if current is not None else []
    prop_sets = _scan(proposed, "proposed", params, params.context, notices) if proposed is not None else []
    pairs = _pair_found(cur_sets, prop_sets, notices)
    return [(_model(c, params.context), _model(p, params.context)) for c, p in pairs], notices


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
    """The parameter values of one side: its files, else the conventional file next to the template."""
    from vmss_lint.inputs.params import discover_parameters, load_parameters

    paths = params.files_for(role)
    if not paths and params.discover:
        found = discover_parameters(file.path)
        if found is not None:
            paths = [found]
            notices.append(f"{role} template {file.path}: parameters from {found} (found next to it)")
    values = load_parameters(paths)
    declared = file.value.get("parameters") if isinstance(file.value, dict) else None
    names = {n.lower() for n in declared} if isinstance(declared, dict) else set()
    extra = sorted(n for n in values.values if n not in names)
    if extra and paths:
        notices.append(
            f"{role} template {file.path}: the parameters file sets {', '.join(extra)}, which the template does "
            "not declare (Azure rejects that deployment)"
        )
    return values


def _scan(
    file: InputFile, role: str, params: TemplateParams, context: TemplateContext, notices: list[str]
) -> list[FoundResource]:
    from vmss_lint.arm.templates import scan_template

    values = side_parameters(file, role, params, notices)
    scan = scan_template(file, values, context, params)
    notices.extend(scan.notices)
    return scan.scale_sets


def _model(found: FoundResource | None, context: TemplateContext) -> ScaleSetModel | None:
    from vmss_lint.arm.template_model import model_from_found

    return model_from_found(found, context) if found is not None else None


def _pair_found(
    current: list[FoundResource], proposed: list[FoundResource], notices: list[str]
) -> list[tuple[FoundResource | None, FoundResource | None]]:
    pairs: list[tuple[FoundResource | None, FoundResource | None]] = []
    cur, prop = list(current), list(proposed)
    keys: list[Callable[[FoundResource], object]] = [_name_key, _text_key, _symbol_key]
    for key in keys:
        for p in list(prop):
            k = key(p)
            if k is None:
                continue
            matches = [c for c in cur if key(c) == k]
            if len(matches) == 1:
                pairs.append((matches[0], p))
                cur.remove(matches[0])
                prop.remove(p)
    if len(cur) == 1 and len(prop) == 1:
        c, p = cur.pop(), prop.pop()
        if isinstance(c.name, str) and isinstance(p.name, str):
            notices.append(
                f"scale set '{c.name}' is renamed to '{p.name}': ARM would create a new scale set and leave the "
                "old one; compared as the same one because each side declares exactly one"
            )
        pairs.append((c, p))
    pairs.extend((c, None) for c in cur)
    pairs.extend((None, p) for p in prop)
    return pairs


def _path(found: FoundResource) -> tuple[str, ...]:
    """Where the scale set is deployed (a nested deployment may target another subscription or group);
    the deployment names themselves do not matter to ARM, so moving a scale set into a module keeps it."""
    return found.origin.target


def _name_key(found: FoundResource) -> object:
    return (_path(found), found.name.lower()) if isinstance(found.name, str) else None


def _text_key(found: FoundResource) -> object:
    return (_path(found), found.name_text)


def _symbol_key(found: FoundResource) -> object:
    return found.symbolic.lower() if found.symbolic else None


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
    from vmss_lint.arm.template_model import mark_placeholders, model_from_found

    ctx = dataclasses.replace(params.context)
    if ctx.subscription is None and live.subscription:
        ctx.subscription = {"subscriptionId": live.subscription}
    if (ctx.resource_group is None or "name" not in ctx.resource_group) and live.resource_group:
        ctx.resource_group = {**(ctx.resource_group or {}), "name": live.resource_group}
    found = _scan(template, role, params, ctx, notices)
    name = (live.name or "").lower()
    chosen = [f for f in found if isinstance(f.name, str) and f.name.lower() == name]
    if not chosen and len(found) == 1:
        chosen = found
        if isinstance(found[0].name, str) and live.name:
            notices.append(
                f"{template.path}: its scale set '{found[0].name}' is compared with the live '{live.name}' "
                "because the template declares exactly one"
            )
    if not chosen:
        names = ", ".join(f.display_name for f in found) or "none"
        raise InputError(
            template.path,
            f"no scale set named '{live.name}' in this template (it declares: {names})",
            hint="pass the live model of one of those, or the parameters that name it (--parameters)",
        )
    others = [f.display_name for f in found if f is not chosen[0]]
    if others:
        notices.append(
            f"{template.path}: also declares {', '.join(others)}; not compared (no live model given)"
        )
    model = model_from_found(chosen[0], ctx)
    used = mark_placeholders(model)
    if used:
        notices.append(
            f"{template.path}: values built from {', '.join(used)} are treated as unknown; pass --context to "
            "resolve them"
        )
    return ([(live, model)] if live_first else [(model, live)]), notices
