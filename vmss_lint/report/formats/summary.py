"""The Markdown job summary for `$GITHUB_STEP_SUMMARY`: every finding and the plan, on the run page.

Annotations are capped at 10 per level, so the summary is where the full list lives. GitHub accepts at
most 1 MiB per step and fails the upload above that, so the summary stays well below it by dropping table
rows (and saying how many) rather than being lost whole. Everything from the input is escaped: a message
or a pointer cannot inject HTML or break the table.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

from vmss_lint.core.escape import printable
from vmss_lint.report.document import Report, ScaleSetResult
from vmss_lint.report.formats._common import change_line, place, scale_set_label

_MARKDOWN = re.compile(r"[\\`*_\[\]~|!#]")
LIMIT_BYTES = 512 * 1024
_ICON = {"error": "❌ error", "warning": "⚠️ warning", "info": "ℹ️ info"}


def render(report: Report, *, max_rows: int | None = None, **_: Any) -> str:
    s = report.summary
    verdict = "**FAILED**" if s.failed else "passed"
    out = [
        "## vmss-lint",
        "",
        f"{verdict}: {s.scale_sets} scale set(s), {s.errors} error(s), {s.warnings} warning(s), "
        f"{s.infos} info; highest impact `{s.impact.value}` (fail on `{s.fail_on}`)",
        "",
    ]
    for result in report.results:
        out.extend(_result(result, max_rows))
    if report.notices:
        out.append("**Notes**")
        out.append("")
        out.extend(f"- {cell(n)}" for n in report.notices)
        out.append("")
    return "\n".join(out) + "\n"


def fitted(report: Report, limit: int = LIMIT_BYTES) -> str:
    """The summary, with fewer rows per scale set until it fits in `limit` bytes."""
    text = render(report)
    rows = max((len(r.findings) for r in report.results), default=0)
    while len(text.encode("utf-8")) > limit and rows > 0:
        rows //= 2
        text = render(report, max_rows=rows)
    if len(text.encode("utf-8")) > limit:
        text = text.encode("utf-8")[: limit - 100].decode("utf-8", "ignore") + "\n\n(summary truncated)\n"
    return text


def append_summary(path: Path, report: Report) -> None:
    """Append to the step summary file; a failure is a warning, never a reason to lose the exit code."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(fitted(report))
    except OSError as exc:
        sys.stderr.write(f"vmss-lint: warning: cannot write the job summary to {path}: {exc.strerror}\n")


def _result(result: ScaleSetResult, max_rows: int | None) -> list[str]:
    out = [
        f"### {cell(scale_set_label(result))}: {result.status}, impact `{result.impact.value}`, "
        f"upgrade mode {cell(result.upgrade_mode)}",
        "",
    ]
    findings = result.findings
    if not findings:
        out.extend(["No findings.", ""])
    else:
        out.append("| Level | Rule | File:Line | Property | Change | Impact |")
        out.append("|---|---|---|---|---|---|")
        shown = findings if max_rows is None else findings[:max_rows]
        for f in shown:
            p = place(result, f)
            change = change_line(f).split(": ", 1)[-1] if f.op else ""
            out.append(
                f"| {_ICON[f.severity.value]} | {f.rule} `{f.name}` | {cell(p.file)}:{p.line} "
                f"| {code(f.pointer or '/')} | {cell(change)} | {f.impact.value} |"
            )
        if len(shown) < len(findings):
            out.append("")
            out.append(
                f"({len(findings) - len(shown)} more finding(s) not shown: the summary has a size limit)"
            )
        out.append("")
        out.append("<details><summary>Messages and fixes</summary>")
        out.append("")
        for f in shown:
            fix = f" Fix: {cell(f.fix)}" if f.fix else ""
            out.append(f"- **{f.rule}** {code(f.pointer or '/')}: {cell(f.message)}{fix}")
        out.extend(["", "</details>", ""])
    plan = result.plan
    if plan is not None and (plan.steps or plan.notes):
        out.append(f"**Plan** ({plan.impact.value}): {cell(plan.summary)}")
        out.append("")
        for i, step in enumerate(plan.steps, 1):
            out.append(f"{i}. {cell(step.title)}")
            if step.commands is not None:
                out.append(f"   {code(step.commands.cli)}")
        out.extend(f"- {cell(n)}" for n in plan.notes)
        out.append("")
    return out


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, no HTML, no column break, and no Markdown of its
    own (a link, an image, emphasis or code from a file name or a value is shown as the characters it is)."""
    text = html.escape(printable(" ".join(str(text).split())), quote=False)
    return _MARKDOWN.sub(r"\\\g<0>", text)


def code(text: str) -> str:
    """Inline code whose fence is longer than any run of backticks inside it."""
    text = printable(" ".join(text.split())).replace("|", "\\|")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
