"""Every fixture case: its `expect`/`forbid`/`no_findings` hold, and the asserted part of its report (see
`caserunner.asserted`) matches the snapshot.

Regenerate one case's snapshot after a deliberate change (see CONTRIBUTING.md):
    python -m pytest tests/test_cases.py -k 'VMSS101-rest-zone-removed' --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from caserunner import asserted, fired, run_case
from conftest import CASES, case_files, load_case
from syrupy.assertion import SnapshotAssertion


@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(CASES)).replace("/", "-"))
def test_case(path: Path, snapshot_json: SnapshotAssertion) -> None:
    case = load_case(path)
    report = run_case(path)
    rules = fired(report)
    for rule in case.get("expect", []):
        assert rule in rules, f"{path.name}: expected {rule} to fire, got {sorted(rules)}"
    for rule in case.get("forbid", []):
        assert rule not in rules, f"{path.name}: {rule} must not fire"
    if case.get("no_findings"):
        assert not rules, f"{path.name}: expected no finding, got {sorted(rules)}"
    assert asserted(report) == snapshot_json


def test_every_rule_has_firing_and_silent_cases() -> None:
    from caserunner import rules

    fires: dict[str, int] = {}
    silent: dict[str, int] = {}
    for path in case_files():
        case = load_case(path)
        for rule in case.get("expect", []):
            fires[rule] = fires.get(rule, 0) + 1
        for rule in case.get("forbid", []):
            silent[rule] = silent.get(rule, 0) + 1
    missing = [
        r.spec.id for r in rules() if not r.spec.meta and (r.spec.id not in fires or r.spec.id not in silent)
    ]
    assert not missing, f"rules without a firing and a silent fixture case: {missing}"
