"""`--format text` (concise, the default) and `--format full`: for a person at a terminal or an editor.

The shape is the one linters use (ruff, flake8, eslint's unix format), so editors and terminals make the
location clickable and `grep`/problem matchers read it:

    proposed.json:77:12: VMSS101 error [recreate] zone 3 would be removed ...
        /zones: ["1", "2", "3"] -> ["1", "2"]
    Found 3 findings (2 errors, 1 warning) in 1 scale set; highest impact: recreate; FAILED (--fail-on error)

Decisions (docs/output.md has the user's view):

* One line per finding: `path:line:col: RULE severity [impact] message`; `path: RULE ...` when no position
  is known (the proposed file, or the patch for an edit). A second, indented line shows `pointer: from ->
  to` where it adds something (when the message does not already quote both values), else where the
  value was set (`value from ...`), and the edit that caused it (`(from --set #1 sku.name)`).
* Findings in file, line, column order (as ruff sorts), each scale set's together; with more than one
  scale set in the run each line names its scale set.
* The plan is shown on request (`--plan`), with one dialect of commands (`--shell az|pwsh|rest`, default
  `az`: the README's and most users' CLI). `--format full` is today's detail: a block per scale set with
  the API version, every finding with its fix, and the plan with all three dialects unless `--shell`
  picks one (ruff's `--output-format full|concise`, under our `--format`).
* Wrapped to `width` when the caller gives one (the CLI does only for a terminal: piped output and files
  keep one line per finding, for tools); location tokens and commands are never broken.
* ASCII only (`->`, `...`): the output reaches CI logs and Windows consoles with legacy code pages.
* Every piece of input text goes through `printable` before it is coloured: a file name or a value with a
  newline, a carriage return or an ESC sequence is shown escaped, so it can neither start a CI command of
  its own nor recolour the terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from vmss_lint.core.escape import printable
from vmss_lint.core.findings import Finding
from vmss_lint.report.document import WARNING_NOTICE, PlanStep, Report, ScaleSetResult, Summary
from vmss_lint.report.formats._common import Placed, change_line, place, scale_set_label, shown_value

SHELLS = ("az", "pwsh", "rest")
_PROMPT = {"az": "$ ", "pwsh": "PS> ", "rest": ""}
_COLOURS = {
    "error": "\033[1;31m",
    "warning": "\033[1;33m",
    "info": "\033[1;36m",
    "bold": "\033[1m",
    "dim": "\033[2m",
}
_RESET = "\033[0m"
_INDENT = "    "
_CHANGE_LIMIT = 100
_POINTER_LIMIT = 48  # concise: the pointer's last segments; `full` shows it whole


class _Out:
    """Lines of output: made printable, wrapped to the width (if any), then coloured."""

    def __init__(self, colour: bool, width: int | None) -> None:
        self.colour = colour
        self.width = width if width is None or width >= 40 else 40
        self.lines: list[str] = []

    def paint(self, style: str, text: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if self.colour and text else text

    def add(self, text: str, *, indent: str = "", style: str | None = None, lead: str = "") -> None:
        """One logical line; `lead` is a prefix (already printable) that is coloured separately."""
        body = printable(text)
        plain = lead + body
        wrapped = self._wrap(plain, indent)
        if self.colour:
            if style is not None:
                wrapped = [self.paint(style, w) for w in wrapped]
            elif lead and wrapped[0].startswith(lead):
                wrapped[0] = self._lead(lead) + wrapped[0][len(lead) :]
        self.lines.extend(wrapped)

    def raw(self, text: str, *, style: str | None = None) -> None:
        """A line that is never wrapped (a command to copy)."""
        body = printable(text)
        self.lines.append(self.paint(style, body) if style else body)

    def _wrap(self, text: str, indent: str) -> list[str]:
        if self.width is None or len(text) <= self.width:
            return [text]
        lead = text[: len(text) - len(text.lstrip(" "))]
        return textwrap.wrap(
            text,
            self.width,
            initial_indent="",
            subsequent_indent=lead + (indent or _INDENT),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [text]

    def _lead(self, lead: str) -> str:
        """`path:line:col: RULE severity [impact] `: the path bold, the severity in its colour."""
        where, _, rest = lead.partition(": ")
        parts = rest.split(" ", 2)
        if len(parts) < 3:
            return lead
        rule, severity, tail = parts
        return (
            f"{self.paint('bold', where)}: {self.paint('bold', rule)} "
            f"{self.paint(severity if severity in _COLOURS else 'bold', severity)} {tail}"
        )


def render(
    report: Report,
    *,
    colour: bool = False,
    width: int | None = None,
    plan: bool = False,
    shell: str | None = None,
    full: bool = False,
    **_: Any,
) -> str:
    """The report as text; `full` is `--format full`, `plan`/`shell` are `--plan`/`--shell`."""
    out = _Out(colour, width)
    for notice in report.notices:
        if notice.startswith(WARNING_NOTICE):
            out.add(notice, style="warning", indent=_INDENT)
        else:
            out.add(f"note: {notice}", style="dim", indent="      ")
    several = len(report.results) > 1
    for result in report.results:
        if full:
            _full_result(out, result, shell)
            continue
        for item in sorted((place(result, f) for f in result.findings), key=_position):
            _concise_finding(out, item, several)
        if (plan or shell is not None) and result.plan is not None:
            _plan(out, result, shell or "az", heading=True)
    out.add(summary_line(report.summary), style="bold")
    return "\n".join(out.lines) + "\n"


def _position(item: Placed) -> tuple[str, int, int]:
    return (item.file, item.line if item.positioned else 0, item.column if item.positioned else 0)


def _concise_finding(out: _Out, item: Placed, several: bool) -> None:
    f = item.finding
    where = f"{item.file}:{item.line}:{item.column}" if item.positioned else item.file
    lead = printable(f"{where}: {f.rule} {f.severity.value} [{f.impact.value}] ")
    scale_set = f" (scale set {scale_set_label(item.result)})" if several else ""
    out.add(f.message + scale_set, lead=lead)
    detail = ""
    if _change_adds_something(f):
        detail = change_line(f, _CHANGE_LIMIT, _POINTER_LIMIT)
    elif f.location is not None and f.location.value_from:
        detail = f"value from {f.location.value_from}"  # where to change it, even when the message says what
    if f.edit:
        detail += f"{'  ' if detail else ''}(from {f.edit})"
    detail += item.related_note
    if detail:
        out.add(_INDENT + detail, indent=_INDENT * 2)


def _change_adds_something(f: Finding) -> bool:
    """Shown unless the message already quotes both values (`VM size A -> B ...`)."""
    if f.op is None:
        return False
    return not (shown_value(f.old) in f.message and shown_value(f.new) in f.message)


def _full_result(out: _Out, result: ScaleSetResult, shell: str | None) -> None:
    where = f" in {result.resource_group}" if result.resource_group else ""
    out.add(
        f"scale set {result.name}{where}: {result.status}, impact {result.impact.value}, "
        f"upgrade mode {result.upgrade_mode}",
        style="bold",
    )
    detail = f": {result.api_version.detail}" if result.api_version.detail else ""
    out.add(
        f"  {result.current} -> {result.proposed}; judged by API version {result.api_version.value} "
        f"({_origin(result.api_version.origin)}{detail})",
        style="dim",
    )
    if not result.findings:
        out.add("  no findings")
    for item in sorted((place(result, f) for f in result.findings), key=_position):
        f = item.finding
        where = f"{item.file}:{item.line}:{item.column}" if item.positioned else item.file
        out.add(f.message, lead=printable(f"{where}: {f.rule} {f.severity.value} [{f.impact.value}] "))
        out.add(f"{_INDENT}{f.name}: {change_line(f, _CHANGE_LIMIT)}{item.related_note}", indent=_INDENT * 2)
        if f.edit:
            out.add(f"{_INDENT}from {f.edit}", indent=_INDENT * 2)
        if f.fix:
            out.add(f"{_INDENT}fix: {f.fix}", indent=_INDENT * 2, style="dim")
    if result.plan is not None:
        _plan(out, result, shell, heading=False)
    out.lines.append("")


def _plan(out: _Out, result: ScaleSetResult, shell: str | None, *, heading: bool) -> None:
    plan = result.plan
    assert plan is not None
    name = f" for {scale_set_label(result)}" if heading else ""
    out.add(f"plan{name} ({plan.impact.value}): {plan.summary}", style="bold", indent=_INDENT)
    for note in plan.notes:
        out.add(f"  - {note}", indent=_INDENT)
    for i, step in enumerate(plan.steps, 1):
        ids = f" (instances {', '.join(step.instance_ids)})" if step.instance_ids else ""
        out.add(f"  {i}. {step.title}{ids}", indent="     ")
        if step.detail:
            out.add(f"     {step.detail}", indent="     ")
        for label, command in _commands(step, shell):
            out.raw(f"     {label}{command}", style="dim")


def _commands(step: PlanStep, shell: str | None) -> Sequence[tuple[str, str]]:
    """The step's commands in the chosen dialect (None: all three, labelled)."""
    c = step.commands
    if c is None:
        return []
    every = {"az": c.cli, "pwsh": c.powershell, "rest": c.rest}
    if shell is not None:
        return [(_PROMPT[shell], every[shell])]
    return [(f"{label + ':':<6}", command) for label, command in every.items()]


def summary_line(s: Summary) -> str:
    """One line, as ruff ends: how many findings of which severity, in how many scale sets, the highest
    impact and the verdict against --fail-on."""
    sets = _count(s.scale_sets, "scale set")
    verdict = f"{'FAILED' if s.failed else 'passed'} (--fail-on {s.fail_on})"
    total = s.errors + s.warnings + s.infos
    if total == 0:
        return f"All checks passed: no findings in {sets}; highest impact: {s.impact.value}."
    parts = [
        _count(n, word) for n, word in ((s.errors, "error"), (s.warnings, "warning"), (s.infos, "info")) if n
    ]
    return (
        f"Found {_count(total, 'finding')} ({', '.join(parts)}) in {sets}; highest impact: "
        f"{s.impact.value}; {verdict}"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")


def _origin(origin: str) -> str:
    return {
        "option": "from --api-version",
        "template": "from the template's apiVersion",
        "assumed": "newest documented behaviour assumed",
    }.get(origin, origin)
