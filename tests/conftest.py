"""Shared test helpers: repository paths, fixture cases, and the JSON snapshot fixture."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
CASES = FIXTURES / "cases"
# The real third-party ARM templates (Azure quickstarts, MIT), copied byte for byte into the repository so
# that a fresh clone alone passes the tests (fixtures/SOURCES.md names their source, commit and digest).
# `fixtures/templates/web/` is this project's own template and is not one of them.
QUICKSTARTS = FIXTURES / "templates"
QUICKSTART_TEMPLATES = sorted(QUICKSTARTS.glob("vmss-*/azuredeploy.json"))
_OUTSIDE = os.fspath(REPO.parent / "shared")


def _stay_in_the_repository(event: str, args: tuple[object, ...]) -> None:
    """Fail any test that opens or lists the workspace's `../shared` folder: a fresh clone has no such
    folder, so a test that needs a file from there must get a copy in fixtures/ instead."""
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], str | os.PathLike):
        path = os.fspath(args[0])
        if isinstance(path, str) and os.path.abspath(path).startswith(_OUTSIDE + os.sep):
            raise PermissionError(
                f"tests must not read {path}: copy it into fixtures/ (see fixtures/SOURCES.md)"
            )


sys.addaudithook(_stay_in_the_repository)


@pytest.fixture(autouse=True)
def _fresh_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh local run would, even inside a CI pull-request build: the trust model
    (`vmss_lint.config.trust`) sees an untrusted event only where a test sets one up, and no secret an
    earlier test read is still remembered for redaction."""
    for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "BUILD_REASON", "VMSS_LINT_TRUST_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    from vmss_lint.core.redact import forget_all

    forget_all()  # the secrets an earlier test's run read (the CLI forgets them per command line)


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.json"))


def load_case(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
