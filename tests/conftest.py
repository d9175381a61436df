"""Shared test helpers: repository paths, fixture cases, and the JSON snapshot fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
CASES = FIXTURES / "cases"
SHARED = REPO.parent / "shared"


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.json"))


def load_case(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
