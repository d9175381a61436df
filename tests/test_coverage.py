"""docs/azure-coverage.md names, for every row of the 2024–2026 supplement (C1–C23, N1–N21, R1–R19 and the
API versions of §5), the rules that judge it or why it cannot be checked offline; every rule id it names
exists. The row ids are listed here (tests never read ../shared)."""

from __future__ import annotations

import re

from conftest import REPO

from vmss_lint.core.apiversion import FEATURE_GATES, NEWEST_DOCUMENTED
from vmss_lint.engine.packs import load_rules

ROWS = [
    *(f"C{n}" for n in range(1, 24)),
    *(f"N{n}" for n in range(1, 22)),
    *(f"R{n}" for n in range(1, 20)),
    *("2026-03-01", "2025-11-01", "2025-04-01", "2024-07-01", "2024-03-01"),
    *("2023-09-01", "2023-03-01", "2022-08-01", "2021-03-01", "2020-12-01"),
]
RULE = re.compile(r"\bVMSS\d{3}\b")
OTHER_ENGINEER = "#18"  # image type switches (C3, R14) belong to issue 18's rules until they land


def _table() -> dict[str, str]:
    text = (REPO / "docs" / "azure-coverage.md").read_text(encoding="utf-8")
    rows: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("row", "---"):
            assert cells[0] not in rows, f"row {cells[0]} is listed twice"
            rows[cells[0]] = f"{cells[1]} | {cells[2]}"
    return rows


def test_every_row_of_the_supplement_is_covered() -> None:
    rows = _table()
    assert sorted(set(ROWS) - set(rows)) == []
    assert sorted(set(rows) - set(ROWS)) == []


def test_every_row_names_existing_rules_or_a_reason() -> None:
    ids = {r.spec.id for r in load_rules()}
    for row, text in _table().items():
        named = set(RULE.findall(text))
        assert named <= ids, f"{row} names rules that do not exist: {sorted(named - ids)}"
        rules_cell = text.split(" | ")[0]
        has_owner = bool(named) or rules_cell in ("plan", "reason", OTHER_ENGINEER)
        assert has_owner, f"{row}: name a rule, 'plan', '{OTHER_ENGINEER}' or 'reason'"
        if rules_cell == "reason":
            assert "reason:" in text or len(text) > 40, f"{row}: say why it cannot be checked offline"


def test_the_api_version_rows_agree_with_the_gates() -> None:
    rows = _table()
    for gate in FEATURE_GATES:
        if gate.minimum in rows:
            assert gate.rule in rows[gate.minimum] or gate.rule in rows.get("C22", ""), gate
    assert NEWEST_DOCUMENTED in rows
