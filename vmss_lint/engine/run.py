"""Run the rules over the changes between two models and turn what they say into findings.

Rules state facts (this pointer changed, Azure rejects it); the engine adds what is the same for every
rule: ids and names, severities, messages, secret redaction, source locations, the API-version gate and
the one `info` for a change that could not be resolved offline (engine/finding.py turns one hit into a
finding). Sorting is stable, so the same input always gives the same output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from vmss_lint.compare import compare
from vmss_lint.core.apiversion import ApiVersion
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Change, Finding, Hit
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.engine.context import RuleContext, glob_match
from vmss_lint.engine.finding import EngineOptions, make_finding
from vmss_lint.engine.matching import data_hits
from vmss_lint.engine.spec import LoadedRule
from vmss_lint.engine.triggers import triggers_for

__all__ = [
    "EngineOptions",
    "RuleContext",
    "glob_match",
    "make_finding",
    "rule_selected",
    "run",
    "sort_findings",
]

UNRESOLVED_RULE = "VMSS001"
UNCLASSIFIED_RULE = "VMSS701"
REPLACEMENT_RULE = "VMSS008"


def unknown_selector(rules: list[LoadedRule], selector: str) -> str | None:
    """Why `selector` (a --select/--ignore entry or a suppression's rule) names no rule, with the nearest
    ones, or None when it names one. A typo must not switch a check off silently (ruff rejects them too)."""
    low = selector.lower()
    names = {r.spec.id.lower() for r in rules} | {r.spec.name for r in rules}
    names |= {a.lower() for r in rules for a in r.spec.aliases}
    if low in names or any(r.spec.id.lower().startswith(low) for r in rules):
        return None
    import difflib

    spelled = {r.spec.id.lower(): r.spec.id for r in rules} | {r.spec.name: r.spec.name for r in rules}
    near = difflib.get_close_matches(low, list(spelled), n=3, cutoff=0.6)
    names_near = [spelled[n] for n in near]
    spoken = (
        ", ".join(names_near[:-1]) + " or " + names_near[-1] if len(names_near) > 1 else "".join(names_near)
    )
    hint = f"did you mean {spoken}?" if near else "see `vmss-lint rules`"
    return f"'{selector}' is not a rule id, name or id prefix ({hint})"


def rule_selected(rule: LoadedRule, options: EngineOptions) -> bool:
    """flake8's rule: the most specific of select/ignore wins; ids, names and id prefixes all work."""
    if not options.select and not options.ignore:
        return True

    def best(patterns: list[str]) -> int:
        score = -1
        for p in patterns:
            low = p.lower()
            if low in (rule.spec.name, *map(str.lower, rule.spec.aliases)) or low == rule.spec.id.lower():
                score = max(score, 1000)
            elif rule.spec.id.lower().startswith(low):
                score = max(score, len(low))
        return score

    chosen = best(options.select) if options.select else 0
    ignored = best(options.ignore)
    return chosen >= 0 and chosen >= ignored if ignored >= 0 else chosen >= 0


def run(
    rules: list[LoadedRule],
    current: ScaleSetModel,
    proposed: ScaleSetModel,
    api: ApiVersion,
    *,
    options: EngineOptions | None = None,
    instances: list[dict[str, Any]] | None = None,
    changes: list[Change] | None = None,
    sent_as: str = "deployment",
) -> list[Finding]:
    """`sent_as` says what the proposed side's absent properties mean ("deployment": left out of a
    template or full model; "edit"/"rest-patch": not touched); hooks read it as `ctx.options["sent_as"]`."""
    options = options or EngineOptions()
    changes = compare(current, proposed) if changes is None else changes
    ctx = RuleContext(current, proposed, changes, api, instances, options={"sent_as": sent_as})
    findings: list[Finding] = []
    triggers = triggers_for(rules)
    for rule in triggers.tried(ctx):  # only the rules these changes can fire (engine/triggers.py)
        spec = rule.spec
        if not rule_selected(rule, options):
            continue
        if spec.api_versions is not None and not spec.api_versions.contains(api.value):
            continue
        for hit in _hits(rule, ctx):
            findings.append(make_finding(rule, hit, ctx, options))
    by_id = triggers.meta
    meta_hits = [*current.meta_hits, *proposed.meta_hits]
    if proposed.replacement is not None:
        from vmss_lint.engine.replacement import fold_replacement

        hit, findings = fold_replacement(proposed.replacement, findings)
        meta_hits.append((REPLACEMENT_RULE, hit))
    for rule_id, hit in meta_hits:
        meta_rule = by_id.get(rule_id)
        if meta_rule is not None and rule_selected(meta_rule, options):
            findings.append(make_finding(meta_rule, hit, ctx, options))
    meta = by_id.get(UNRESOLVED_RULE)
    if meta is not None and rule_selected(meta, options):
        for change in changes:
            if change.unresolved is not None:
                hit = Hit(
                    change.pointer,
                    change.op,
                    change.old,
                    change.new,
                    message=f"could not resolve {change.pointer} because {change.unresolved}; "
                    "vmss-lint cannot tell whether this change is accepted",
                )
                findings.append(make_finding(meta, hit, ctx, options, edit=change.edit))
    unclassified = by_id.get(UNCLASSIFIED_RULE)
    if unclassified is not None and rule_selected(unclassified, options) and changes:
        findings += _unclassified(unclassified, triggers.globs, ctx, options)
    return sort_findings(_dedupe(findings))


def _unclassified(
    meta: LoadedRule, globs: tuple[str, ...], ctx: RuleContext, options: EngineOptions
) -> list[Finding]:
    """VMSS701: a resolved change no rule, model-only list or read-only mark classifies (no silent
    property; engine/properties.py; `globs` are the rule set's). Imported here, on the first change,
    to keep start-up light."""
    from vmss_lint.engine.properties import unclassified_message

    out = []
    for change in ctx.changes:
        if change.unresolved is None and (text := unclassified_message(change.pointer, globs)):
            hit = Hit(change.pointer, change.op, change.old, change.new, message=text)
            out.append(make_finding(meta, hit, ctx, options, edit=change.edit))
    return out


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (-f.severity.rank, f.pointer, f.rule, json.dumps(f.new, default=str))
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.pointer, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _hits(rule: LoadedRule, ctx: RuleContext) -> Iterable[Hit]:
    if rule.hook_fn is None:
        return data_hits(rule.spec, ctx)
    try:
        return list(rule.hook_fn(ctx))
    except InputError:
        raise
    except Exception as exc:  # a broken third-party hook must not take the run down silently
        raise InputError(rule.source, f"rule {rule.spec.id} ({rule.spec.hook}) failed: {exc!r}") from None
