"""`--format azure-pipelines`: `##vso[task.logissue ...]` logging commands for Azure DevOps.

Many scale sets are deployed from Azure Pipelines, which turns these lines into errors and warnings on
the run's summary page. Azure DevOps has no "info" issue type, so info findings are plain log lines.

Escaping follows the Azure Pipelines agent (`CommandStringConvertor`): in property values `;`, `\\r`,
`\\n` and `]` become `%3B`, `%0D`, `%0A`, `%5D`; in the message `\\r` and `\\n` do. A literal `%` is
written as `%AZP25` only where it would otherwise be read as one of those escapes, because agents
decode `%AZP25` only when percent decoding is on. The agent finds `##vso[` anywhere in a line, so
plain lines that repeat input text have it defused.
"""

from __future__ import annotations

import re
from typing import Any

from vmss_lint.core.escape import printable
from vmss_lint.report.document import WARNING_NOTICE, Report
from vmss_lint.report.formats._common import Placed, change_line, placed, scale_set_label

_DEFUSED = "##vso\u200b["
_AMBIGUOUS_PERCENT = re.compile(r"%(?=3B|0D|0A|5D|AZP25)", re.IGNORECASE)


def escape_data(text: str) -> str:
    text = _AMBIGUOUS_PERCENT.sub("%AZP25", printable(text, keep="\r\n"))
    return text.replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(";", "%3B").replace("]", "%5D")


def defuse(text: str) -> str:
    """One plain log line that the agent cannot mistake for a logging or formatting command."""
    line = printable(" ".join(text.split())).replace("##vso[", _DEFUSED)
    return "  " + line if line.startswith("##") else line


def render(report: Report, **_: Any) -> str:
    lines: list[str] = []
    for item in placed(report):
        if item.finding.severity.value in ("error", "warning"):
            lines.append(logissue(item))
        else:
            f = item.finding
            lines.append(
                defuse(
                    f"vmss-lint: info {f.rule} {f.name} {item.file}:{item.line}: {f.message} "
                    f"[{change_line(f)}{item.related_note}]"
                )
            )
    for result in report.results:
        lines.append(
            defuse(
                f"vmss-lint: scale set {scale_set_label(result)}: {result.status}, impact {result.impact.value}"
            )
        )
        if result.plan is not None:
            lines.append(defuse(f"vmss-lint:   plan: {result.plan.summary}"))
            for i, step in enumerate(result.plan.steps, 1):
                lines.append(defuse(f"vmss-lint:   {i}. {step.title}"))
    for notice in report.notices:
        if notice.startswith(WARNING_NOTICE):
            message = escape_data(f"vmss-lint: {notice}").replace("##vso[", _DEFUSED)
            lines.append(f"##vso[task.logissue type=warning;code=vmss-lint;]{message}")
        else:
            lines.append(defuse(f"vmss-lint: note: {notice}"))
    s = report.summary
    verdict = "FAILED" if s.failed else "passed"
    lines.append(
        f"vmss-lint: {s.scale_sets} scale set(s): {s.errors} error(s), {s.warnings} warning(s), "
        f"{s.infos} info; {verdict} (--fail-on {s.fail_on})"
    )
    return "\n".join(lines) + "\n"


def logissue(item: Placed) -> str:
    f = item.finding
    props = [
        f"type={f.severity.value}",
        f"sourcepath={escape_property(item.file)}",
        f"linenumber={item.line}",
        f"columnnumber={item.column}",
        f"code={escape_property(f.rule)}",
    ]
    message = f"{f.rule} {f.name} ({f.impact.value}): {f.message} [{change_line(f)}{item.related_note}]"
    if f.fix:
        message += f" Fix: {f.fix}"
    return f"##vso[task.logissue {';'.join(props)};]{escape_data(message).replace('##vso[', _DEFUSED)}"
