"""`--format text`: for a person at a terminal; colour only on a TTY and never with NO_COLOR.

Every line goes through `printable` before it is coloured: a file name or a value with a newline, a
carriage return or an ESC sequence is shown escaped, so it can neither start a CI command line of its own
(`::error`, `##vso[`) nor recolour or rewrite the terminal.
"""

from __future__ import annotations

import json
from typing import Any

from vmss_lint.core.escape import printable
from vmss_lint.core.findings import Finding, Severity
from vmss_lint.report.document import Report, ScaleSetResult
from vmss_lint.report.formats._common import value_from

_COLOURS = {
    "error": "\033[31m",
    "warning": "\033[33m",
    "info": "\033[36m",
    "bold": "\033[1m",
    "dim": "\033[2m",
}
_RESET = "\033[0m"


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        text = printable(text)
        return f"{_COLOURS[style]}{text}{_RESET}" if self.enabled else text

    @staticmethod
    def plain(text: str) -> str:
        return printable(text)


def render(report: Report, *, colour: bool = False, verbose: bool = True, **_: Any) -> str:
    paint = _Paint(colour)
    lines: list[str] = []
    for notice in report.notices:
        lines.append(paint("dim", f"note: {notice}"))
    for result in report.results:
        lines.extend(_result(result, paint, verbose))
        lines.append("")
    s = report.summary
    counts = f"{s.errors} error(s), {s.warnings} warning(s), {s.infos} info"
    verdict = "FAILED" if s.failed else "passed"
    lines.append(
        paint(
            "bold",
            f"{s.scale_sets} scale set(s): {counts}; highest impact: {s.impact.value}; "
            f"{verdict} (--fail-on {s.fail_on})",
        )
    )
    return "\n".join(lines) + "\n"


def _result(result: ScaleSetResult, paint: _Paint, verbose: bool) -> list[str]:
    where = f" in {result.resource_group}" if result.resource_group else ""
    head = f"scale set {result.name}{where}: {result.status}, impact {result.impact.value}, upgrade mode {result.upgrade_mode}"
    out = [paint("bold", head)]
    out.append(
        paint(
            "dim",
            f"  {result.current} -> {result.proposed}; judged by API version "
            f"{result.api_version.value} ({_origin(result.api_version.origin)}"
            + (f": {result.api_version.detail}" if result.api_version.detail else "")
            + ")",
        )
    )
    if not result.findings:
        out.append("  no findings")
    for finding in result.findings:
        out.extend(_finding(finding, paint, verbose))
    if result.plan is not None and verbose:
        plan = result.plan
        out.append(paint("bold", f"  plan ({plan.impact.value}): {plan.summary}"))
        for note in plan.notes:
            out.append(paint.plain(f"    - {note}"))
        for i, step in enumerate(plan.steps, 1):
            ids = f" (instances {', '.join(step.instance_ids)})" if step.instance_ids else ""
            out.append(paint.plain(f"    {i}. {step.title}{ids}"))
            if step.detail:
                out.append(paint.plain(f"       {step.detail}"))
            if step.commands is not None:
                out.append(paint("dim", f"       az:   {step.commands.cli}"))
                out.append(paint("dim", f"       pwsh: {step.commands.powershell}"))
                out.append(paint("dim", f"       rest: {step.commands.rest}"))
    return out


def _finding(f: Finding, paint: _Paint, verbose: bool) -> list[str]:
    sev = f.severity.value
    label = (
        paint(sev, f"{sev:<7}") if f.severity in (Severity.ERROR, Severity.WARNING, Severity.INFO) else sev
    )
    loc = f" {f.location.file}:{f.location.line}:{f.location.column}" if f.location else ""
    out = [f"  {label} {paint.plain(f'{f.rule} {f.name} [{f.impact.value}]{loc}')}"]
    change = f"{f.pointer or '/'}: {_short(f.old)} -> {_short(f.new)}" if f.op else f.pointer or "/"
    change += value_from(f)
    if f.edit:
        change += f"  (from {f.edit})"
    out.append(paint.plain(f"          {change}"))
    out.append(paint.plain(f"          {f.message}"))
    if verbose and f.fix:
        out.append(paint("dim", f"          fix: {f.fix}"))
    return out


def _short(value: Any) -> str:
    if value is None:
        return "(not set)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    # Cut the middle, not the end: the end of a resource id (the VNet, the subnet) is what differs.
    return text if len(text) <= 100 else text[:35] + "..." + text[-62:]


def _origin(origin: str) -> str:
    return {
        "option": "from --api-version",
        "template": "from the template's apiVersion",
        "assumed": "newest documented behaviour assumed",
    }.get(origin, origin)
