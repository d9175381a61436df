"""The scale sets of two templates, paired the way ARM identifies a resource, and each side's parameters.

Scale sets are matched by where they are deployed, their type and their resolved name (case-insensitive; a
copy loop's names include the copy index). A scale set whose name changed is a new scale set: ARM creates it
and leaves the old one running, so a rename is "created" (VMSS005) plus "no longer managed" (VMSS004), never
a comparison of two different scale sets. Where a name is unknown offline the same expression on both sides
still pairs (it resolves alike in one deployment); otherwise a lone unknown-named scale set on each side is
compared as the same one and a notice says that this is an assumption. A scale set whose `condition` is
false is not deployed: if the other side deploys it, it is "no longer managed" (or created). A run whose
templates declare scale sets but deploy none says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vmss_lint.arm.files import InputFile
from vmss_lint.core.errors import InputError
from vmss_lint.core.model import ScaleSetModel

if TYPE_CHECKING:
    from vmss_lint.arm.template_options import TemplateContext, TemplateParams
    from vmss_lint.arm.templates import FoundResource, NotDeployed, Scan
    from vmss_lint.inputs.params import ParameterValues

Pair = tuple[ScaleSetModel | None, ScaleSetModel | None]

CONDITION_FALSE_NOTE = "not deployed: its condition is false:"


def template_pairs(
    current: InputFile | None, proposed: InputFile | None, params: TemplateParams, notices: list[str]
) -> tuple[list[Pair], list[str]]:
    """The scale sets of two templates (a side None: the file is absent there), paired by identity."""
    cur_scan = scan_side(current, "current", params, params.context, notices) if current is not None else None
    prop_scan = (
        scan_side(proposed, "proposed", params, params.context, notices) if proposed is not None else None
    )
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


def scan_side(
    file: InputFile, role: str, params: TemplateParams, context: TemplateContext, notices: list[str]
) -> Scan:
    """One side's template scanned with its parameters; what the scan learnt joins `notices`."""
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
