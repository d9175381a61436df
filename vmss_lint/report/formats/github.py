"""`--format github`: workflow commands that GitHub Actions turns into annotations on the PR diff.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and silently drops the
rest, so we send at most that many per level (errors first, then by file and line), print the ones
that did not fit as plain log lines, and end with one notice counting them; the step summary
(`$GITHUB_STEP_SUMMARY`, appended when set) has the full list and the plan. Every value is escaped the
way the runner unescapes it, which also stops a message from starting a workflow command of its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vmss_lint.core.escape import printable
from vmss_lint.report.document import WARNING_NOTICE, Report
from vmss_lint.report.formats._common import Placed, change_line, placed, scale_set_label

CAP_PER_LEVEL = 10
_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Message escaping, as `@actions/core` does it (`%` first, so escapes are not escaped again); other
    control characters (ESC, ...) from the input are shown escaped, never sent raw into the log."""
    return printable(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Property escaping: the message rules plus `:` and `,`, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, *, step_summary: str | None = None, **kwargs: Any) -> str:
    """The commands for stdout; also appends the Markdown summary to `$GITHUB_STEP_SUMMARY` when set."""
    lines, _ = annotation_lines(report)
    for result in report.results:
        lines.append(
            f"vmss-lint: scale set {scale_set_label(result)}: {result.status}, impact {result.impact.value}"
        )
        if result.plan is not None:
            lines.append(f"  plan: {_plain(result.plan.summary)}")
            for i, step in enumerate(result.plan.steps, 1):
                lines.append(f"  {i}. {_plain(step.title)}")
                if step.commands is not None:
                    lines.append(f"     az: {_plain(step.commands.cli)}")
    for notice in report.notices:
        if notice.startswith(WARNING_NOTICE):
            lines.append(f"::warning title={escape_property('vmss-lint')}::{escape_data(notice)}")
        else:
            lines.append(f"vmss-lint: note: {_plain(notice)}")
    s = report.summary
    verdict = "FAILED" if s.failed else "passed"
    lines.append(
        f"vmss-lint: {s.scale_sets} scale set(s): {s.errors} error(s), {s.warnings} warning(s), "
        f"{s.infos} info; {verdict} (--fail-on {s.fail_on})"
    )
    target = step_summary if step_summary is not None else os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        from vmss_lint.report.formats.summary import append_summary

        append_summary(Path(target), report)
    return "\n".join(lines) + "\n"


def annotation_lines(report: Report, cap: int = CAP_PER_LEVEL) -> tuple[list[str], int]:
    """Capped annotation commands, then the overflow as plain lines and one counting notice.

    The counting notice needs a notice slot of its own, so when anything overflows at most `cap - 1`
    info findings are annotated. Returns the lines and how many findings were not annotated.
    """
    items = placed(report)
    counts = {level: sum(p.finding.severity.value == level for p in items) for level in _COMMAND}
    overflow = any(n > cap for n in counts.values())
    limits = {"error": cap, "warning": cap, "info": cap - 1 if overflow else cap}
    shown: dict[str, int] = dict.fromkeys(_COMMAND, 0)
    lines: list[str] = []
    rest: list[Placed] = []
    for item in items:
        level = item.finding.severity.value
        if shown[level] < limits[level]:
            shown[level] += 1
            lines.append(command(item))
        else:
            rest.append(item)
    for item in rest:
        f = item.finding
        lines.append(
            f"  {f.severity.value} {f.rule} {f.name} {item.file}:{item.line}: "
            f"{_plain(f.message)} [{_plain(change_line(f) + item.related_note)}]"
        )
    if rest:
        lines.append(
            f"::notice title={escape_property('vmss-lint')}::"
            + escape_data(
                f"{len(rest)} more finding(s) were not annotated (GitHub shows {cap} per level and step); "
                "they are listed in the log above and in the job summary."
            )
        )
    return lines, len(rest)


def command(item: Placed) -> str:
    f = item.finding
    props = [f"file={escape_property(item.file)}", f"line={item.line}"]
    if item.positioned:
        props.append(f"col={item.column}")
    props.append(f"title={escape_property(f'{f.rule} {f.name} ({f.impact.value})')}")
    message = f"{f.message}\n{change_line(f)}{item.related_note}"
    if f.edit:
        message += f" (from {f.edit})"
    if f.fix:
        message += f"\nFix: {f.fix}"
    return f"::{_COMMAND[f.severity.value]} {','.join(props)}::{escape_data(message)}"


def _plain(text: str) -> str:
    """A plain log line: one line, and never starting a workflow command."""
    return printable(" ".join(text.split()))
