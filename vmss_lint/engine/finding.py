"""One rule's hit as a finding: what the engine adds to what every rule says.

Split from engine/run.py (issue #12) along its seam: run decides which rules to try and collects
their hits; this module turns one hit into a `Finding` the same way for every rule: secret
redaction, the rendered message, its notes (Azure's answer, low confidence), the edit that made the
change and the source location.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.core.findings import (
    Change,
    Finding,
    FindingLocation,
    Hit,
    Impact,
    Location,
    Severity,
    ValuePosition,
)
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import Record, field
from vmss_lint.core.redact import is_secret_pointer, remember, safe_value
from vmss_lint.core.values import is_unknown
from vmss_lint.engine.context import RuleContext
from vmss_lint.engine.spec import LoadedRule
from vmss_lint.engine.template import Model, Shown, render


class EngineOptions(Record):
    """--select/--ignore/--severity for a run. Here, not in run.py, because a finding reads its severity
    overrides; `vmss_lint.engine.run` re-exports it (its public home). Frozen: `config.find.build_options`
    builds it whole, and nothing changes it during the run."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)


def make_finding(
    rule: LoadedRule, hit: Hit, ctx: RuleContext, options: EngineOptions, *, edit: str | None = None
) -> Finding:
    spec = rule.spec
    secrets = ctx.proposed.secret_pointers | ctx.current.secret_pointers
    if is_secret_pointer(hit.pointer, secrets):  # a hook's message may quote them: the report redacts them
        remember(hit.old)
        remember(hit.new)
    old = safe_value(hit.pointer, _plain(hit.old), secrets)
    new = safe_value(hit.pointer, _plain(hit.new), secrets)
    # A hook's message is final text and may quote user values with braces: only TOML templates are formatted.
    message = hit.message or _rendered(spec.message or spec.summary, hit, (old, new), ctx, secrets)
    if spec.azure_error and hit.severity in (None, Severity.ERROR) and spec.severity == Severity.ERROR:
        message += f' Azure answers: "{spec.azure_error}"'
    if spec.confidence == "low" and "confidence" not in message.lower():
        message += " (Low confidence: the sources disagree or the behaviour is inferred.)"
    if is_secret_pointer(hit.pointer, secrets) and "changed" not in message:
        message += " (secret value: vmss-lint says that it changed, never what it is)"
    severity = options.severity.get(spec.id) or hit.severity or spec.severity
    impact: Impact = hit.impact or spec.impact
    return Finding(
        rule=spec.id,
        name=spec.name,
        severity=severity,
        impact=impact,
        pointer=hit.pointer,
        op=hit.op,
        old=old,
        new=new,
        message=message,
        fix=spec.fix,
        confidence=spec.confidence,
        edit=edit or _edit_for(hit.pointer, ctx),
        location=_location(hit.pointer, ctx.proposed),
        references=list(spec.references),
    )


def _rendered(
    template: str, hit: Hit, shown: tuple[Any, Any], ctx: RuleContext, secrets: frozenset[str]
) -> str:
    """A data rule's message: its template with the values the finding shows (a default where the
    rule gives one for an absent value), the matched list element and the field below it."""
    extra = hit.extra
    old, new = shown
    if "shown" in extra:
        raw_old, raw_new = extra["shown"]
        old = safe_value(hit.pointer, _plain(raw_old), secrets)
        new = safe_value(hit.pointer, _plain(raw_new), secrets)
    else:
        raw_old, raw_new = hit.old, hit.new
    return render(
        extra.get("template", template),
        hit.pointer,
        Shown(old, raw_old),
        Shown(new, raw_new),
        extra.get("item"),
        extra.get("field", ""),
        extra.get("added", ""),
        extra.get("removed", ""),
        (
            Model(lambda p: safe_value(p, _plain(ctx.current.get(p)), secrets)),
            Model(lambda p: safe_value(p, _plain(ctx.effective(p)), secrets)),
        ),
    )


def _plain(value: Any) -> Any:
    """A JSON-ready copy: an unresolved template value is shown as `<unknown: reason>`."""
    if is_unknown(value):
        return f"<unknown: {getattr(value, 'reason', 'unresolved')}>"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _edit_for(pointer: str, ctx: RuleContext) -> str | None:
    """The edit (a patch op, an `--set` argument) of the first change at, above or below `pointer`.

    Answered from an index built once per context: scanning every change for every finding made
    10,000 changed tags take minutes."""
    if not pointer:
        return None
    index: tuple[dict[str, int], dict[str, int]] | None = ctx.__dict__.get("_edit_index")
    if index is None:
        index = ctx.__dict__["_edit_index"] = _edit_index(ctx.changes)
    at, under = index
    found = [at.get(pointer), under.get(pointer), at.get("")]  # "" is above every pointer
    cut = pointer.rfind("/")
    while cut > 0:
        found.append(at.get(pointer[:cut]))
        cut = pointer.rfind("/", 0, cut)
    first = min((i for i in found if i is not None), default=None)
    return ctx.changes[first].edit if first is not None else None


def _edit_index(changes: list[Change]) -> tuple[dict[str, int], dict[str, int]]:
    """(pointer -> first change with an edit there, ancestor -> first change with an edit below it)."""
    at: dict[str, int] = {}
    under: dict[str, int] = {}
    for i, change in enumerate(changes):
        if not change.edit:
            continue
        at.setdefault(change.pointer, i)
        cut = change.pointer.rfind("/")
        while cut > 0:
            under.setdefault(change.pointer[:cut], i)
            cut = change.pointer.rfind("/", 0, cut)
    return at, under


def _location(pointer: str, proposed: ScaleSetModel) -> FindingLocation | None:
    probe = pointer
    while True:
        loc: Location | None = proposed.positions.get(probe)
        if loc is not None:
            at = (
                ValuePosition(file=loc.value_at[0], line=loc.value_at[1], column=loc.value_at[2])
                if loc.value_at
                else None
            )
            return FindingLocation(
                file=loc.file, line=loc.line, column=loc.column, value_from=loc.value_from, value_at=at
            )
        if not probe:
            return None
        probe = probe.rsplit("/", 1)[0]
