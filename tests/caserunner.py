"""Run one fixture case (a base model plus a JSON Patch) through the real pipeline.

`run_case` returns the whole JSON report; `asserted` cuts it down to what a case asserts (which rules fire,
how severe, how disruptive, where, and which plan actions follow), so that rewording a rule's message or
bumping the tool version rewrites no snapshot. The prose and the full JSON contract are covered once, on a
shared example, by `tests/test_format_snapshots.py` and the JSON Schema test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FIXTURES, REPO, load_case

from vmss_lint.arm.files import parse_text
from vmss_lint.engine.packs import load_rules
from vmss_lint.inputs.read import model_from
from vmss_lint.inputs.sources import apply_patch
from vmss_lint.pipeline import LintOptions, lint_pair, make_report

_RULES = None


def rules() -> Any:
    global _RULES
    if _RULES is None:
        _RULES = load_rules()
    return _RULES


def run_case(path: Path) -> dict[str, Any]:
    case = load_case(path)
    base_path = FIXTURES / case["base"]
    base = parse_text(base_path.read_bytes(), f"fixtures/{case['base']}")
    current = model_from(base)
    proposed = apply_patch(base, case["patch"], str(path.relative_to(REPO)))
    if case.get("as_model"):
        # The patch only builds a whole proposed model: what it leaves out is "not specified".
        proposed.removed = frozenset()
        proposed.edits = {}
        proposed.shape = "rest"
    options = LintOptions(api_version=case.get("api_version"))
    result = lint_pair(current, proposed, rules(), options)
    return make_report([result], "error").dump()


def asserted(report: dict[str, Any]) -> dict[str, Any]:
    """The snapshot of a case: per scale set its status and impact, each finding's rule, severity, impact
    and pointer, and the plan's step actions (in order, since the order is the advice)."""
    return {
        "results": [
            {
                "status": result["status"],
                "impact": result["impact"],
                "findings": [
                    {key: finding[key] for key in ("rule", "severity", "impact", "pointer")}
                    for finding in result["findings"]
                ],
                "plan": [step["action"] for step in (result["plan"] or {}).get("steps", [])],
            }
            for result in report["results"]
        ]
    }


def fired(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for r in report["results"] for f in r["findings"]}
