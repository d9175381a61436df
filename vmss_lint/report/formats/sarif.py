"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Choices that matter to GitHub: every loaded rule is in `tool.driver.rules` (so `ruleIndex` is stable and
alerts can be filtered by rule), `help.markdown` carries the links because GitHub ignores `helpUri`,
results are operational, not security, so there is no `security-severity`, and the fingerprint is ours
(`vmssLint/v1`: rule, scale set and pointer), so an alert survives edits that move its line; GitHub
computes `primaryLocationLineHash` itself and we leave that to it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from vmss_lint.core.findings import Severity
from vmss_lint.core.version import __version__
from vmss_lint.report.document import Report
from vmss_lint.report.formats._common import LEVELS, Placed, RuleEntry, change_line, placed, rules_for_render

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "vmssLint/v1"
_TAGS = ["azure", "vmss", "deployment-safety"]
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
_MAX_DESCRIPTION = 1024


def render(report: Report, **kwargs: Any) -> str:
    rules = rules_for_render(kwargs)
    index = {r.spec.id: i for i, r in enumerate(rules)}
    sarif_rules = [_rule(r) for r in rules]
    results = []
    for item in placed(report):
        rule_id = item.finding.rule
        if rule_id not in index:  # a finding from a rule we were not told about: still valid SARIF
            index[rule_id] = len(sarif_rules)
            sarif_rules.append(_unknown_rule(item))
        results.append(_result(item, index[rule_id]))
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vmss-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": sarif_rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "failOn": report.summary.fail_on,
                    "failed": report.summary.failed,
                    "notices": list(report.notices),
                },
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def fingerprint(rule: str, resource_group: str | None, name: str, pointer: str) -> str:
    """Stable across runs and line moves: only what identifies the finding, never its position."""
    key = "|".join([rule, (resource_group or "").lower(), name.lower(), pointer])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _rule(rule: RuleEntry) -> dict[str, Any]:
    spec = rule.spec
    why = " ".join(spec.why.split())
    links = "\n".join(f"- <{ref}>" for ref in spec.references)
    out: dict[str, Any] = {
        "id": spec.id,
        "name": spec.name,
        "shortDescription": {"text": _cap(spec.summary)},
        "fullDescription": {"text": _cap(why)},
        "help": {
            "text": f"{why}\n\nFix: {spec.fix}\n\nReferences:\n" + "\n".join(spec.references),
            "markdown": f"{why}\n\n**Fix:** {spec.fix}\n\n**References**\n\n{links}",
        },
        "defaultConfiguration": {"level": LEVELS[spec.severity.value]},
        "properties": {
            "tags": list(_TAGS),
            "precision": spec.confidence,
            "problem.severity": _PROBLEM_SEVERITY[spec.severity],
            "impact": spec.impact.value,
        },
    }
    if spec.references:
        out["helpUri"] = spec.references[0]
    return out


def _unknown_rule(item: Placed) -> dict[str, Any]:
    f = item.finding
    return {
        "id": f.rule,
        "name": f.name,
        "shortDescription": {"text": _cap(f.message)},
        "fullDescription": {"text": _cap(f.message)},
        "help": {"text": f.fix or f.message},
        "defaultConfiguration": {"level": LEVELS[f.severity.value]},
    }


def _result(item: Placed, rule_index: int) -> dict[str, Any]:
    f, r = item.finding, item.result
    text = f"{f.message} ({change_line(f)}{item.related_note}"
    text += f"; from {f.edit})" if f.edit else ")"
    if f.fix:
        text += f" Fix: {f.fix}"
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(item.file)},
            "region": {"startLine": item.line, "startColumn": item.column},
        },
        "logicalLocations": [
            {
                "kind": "resource",
                "name": r.name,
                "fullyQualifiedName": f"Microsoft.Compute/virtualMachineScaleSets/{r.name}{f.pointer}",
            }
        ],
    }
    properties: dict[str, Any] = {
        "scaleSet": r.name,
        "impact": f.impact.value,
        "pointer": f.pointer,
        "confidence": f.confidence,
    }
    if r.resource_group:
        properties["resourceGroup"] = r.resource_group
    if f.op is not None:
        properties.update(op=f.op, old=f.old, new=f.new)
    if f.edit:
        properties["edit"] = f.edit
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity.value],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f.rule, r.resource_group, r.name, f.pointer)},
        "properties": properties,
    }
    if item.related is not None:  # placed on the parameters file: the template's property is related
        file, line, column = item.related
        out["relatedLocations"] = [
            {
                "id": 1,
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(file)},
                    "region": {"startLine": line, "startColumn": column},
                },
                "message": {"text": f"the property {f.pointer} in the template"},
            }
        ]
    return out


def _uri(path: str) -> str:
    if path.startswith("/"):
        return "file://" + quote(path)
    return quote(path) if path else "unknown"


def _cap(text: str) -> str:
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 3] + "..."
