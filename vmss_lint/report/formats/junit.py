"""`--format junit`: JUnit XML for GitLab, Azure DevOps (`PublishTestResults`) and Jenkins test tabs.

There is no formal JUnit standard; this follows the common shape (checkov, GitLab's parser). One
`<testsuite>` per scale set; one `<testcase>` per finding, and one passing `<testcase>` per rule that
found nothing, so an empty report still shows what was checked. A finding at or above `--fail-on` is a
`<failure>`; one below it passes with the message in `<system-out>`, matching the exit code. Test names
are unique within a suite because GitLab keeps only the first of two equal `classname` + `name` pairs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from vmss_lint.core.escape import printable
from vmss_lint.core.findings import Severity
from vmss_lint.report.document import Report, ScaleSetResult
from vmss_lint.report.formats._common import RuleEntry, change_line, place, rules_for_render, scale_set_label

# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(report: Report, **kwargs: Any) -> str:
    rules = [r for r in rules_for_render(kwargs) if not r.spec.meta]
    fail_on = report.summary.fail_on
    root = ET.Element("testsuites", name="vmss-lint")
    total = failures = 0
    for result in report.results:
        suite = _suite(result, rules, fail_on)
        root.append(suite)
        total += int(suite.get("tests", "0"))
        failures += int(suite.get("failures", "0"))
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def failing(severity: Severity, fail_on: str) -> bool:
    return fail_on != "never" and severity.rank >= Severity(fail_on).rank


def _suite(result: ScaleSetResult, rules: list[RuleEntry], fail_on: str) -> ET.Element:
    label = scale_set_label(result)
    suite = ET.Element("testsuite", name=_clean(f"vmss-lint {label}"))
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("failOn", fail_on),
        ("impact", result.impact.value),
        ("upgradeMode", result.upgrade_mode),
        ("current", result.current or ""),
        ("proposed", result.proposed or ""),
        ("apiVersion", result.api_version.value),
    ):
        ET.SubElement(props, "property", name=name, value=_clean(value))
    names: set[str] = set()
    fired = {f.rule for f in result.findings}
    tests = fails = 0
    for finding in result.findings:
        p = place(result, finding)
        name = _unique(
            f"[{finding.severity.value}][{finding.rule}] {finding.name} {finding.pointer or '/'}", names
        )
        case = ET.SubElement(
            suite, "testcase", name=_clean(name), classname=_clean(f"{p.file}.{label}"), file=_clean(p.file)
        )
        case.set("line", str(p.line))
        body = "\n".join(
            printable(x)
            for x in (
                finding.message,
                f"Property: {change_line(finding)}{p.related_note}",
                f"Impact: {finding.impact.value}",
                f"File: {p.file}:{p.line}:{p.column}",
                f"From: {finding.edit}" if finding.edit else "",
                f"Fix: {finding.fix}" if finding.fix else "",
                *(f"See: {ref}" for ref in finding.references),
            )
            if x
        )
        tests += 1
        if failing(finding.severity, fail_on):
            fails += 1
            failure = ET.SubElement(
                case,
                "failure",
                type=finding.severity.value,
                message=_clean(printable(_first_line(finding.message))),
            )
            failure.text = _clean(body)
        else:
            ET.SubElement(case, "system-out").text = _clean(body)
    for rule in rules:
        if rule.spec.id in fired:
            continue
        tests += 1
        name = _unique(f"[{rule.spec.severity.value}][{rule.spec.id}] {rule.spec.name}", names)
        ET.SubElement(
            suite, "testcase", name=_clean(name), classname=_clean(f"{result.proposed or ''}.{label}")
        )
    suite.set("tests", str(tests))
    suite.set("failures", str(fails))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    return suite


def _unique(name: str, seen: set[str]) -> str:
    candidate, n = name, 2
    while candidate in seen:
        candidate = f"{name} #{n}"
        n += 1
    seen.add(candidate)
    return candidate


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 200 else line[:197] + "..."


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
