"""Run one fixture case (a base model plus a JSON Patch) through the real pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FIXTURES, REPO, load_case

from vmss_lint.engine.packs import load_rules
from vmss_lint.inputs.read import model_from, parse_text
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


def fired(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for r in report["results"] for f in r["findings"]}
