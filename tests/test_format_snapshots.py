"""One snapshot per output format, all on the bundled example (`fixtures/example/`), which is what a user
sees first: two errors, one warning and a plan. Fixture cases snapshot only what they assert; these are the
only snapshots that hold the rendered prose, so a deliberate rewording shows up here once per format.

Run through the real CLI entry point from the repository root, as the README's first command does. The tool
version is replaced by `{version}` so that a release does not rewrite them; SARIF's `tool.driver.rules`
keeps every rule's id (and so every `ruleIndex`), but only the rules that fire keep their full text.

Regenerate after a deliberate change: `python -m pytest tests/test_format_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from vmss_lint import __version__
from vmss_lint.cli import main

EXAMPLE = ["fixtures/example/current.json", "fixtures/example/proposed.json"]


def text_extension(suffix: str) -> type[SingleFileSnapshotExtension]:
    """A snapshot stored as a plain file of its own, so the diff of a change reads like the output."""
    return type(
        f"Snapshot_{suffix}",
        (SingleFileSnapshotExtension,),
        {"_write_mode": WriteMode.TEXT, "file_extension": suffix},
    )


EXTENSION = {suffix: text_extension(suffix) for suffix in ("txt", "json", "sarif", "xml", "md")}
SUFFIX = {"text": "txt", "json": "json", "sarif": "sarif", "github": "txt", "junit": "xml"}
SUFFIX["azure-pipelines"] = "txt"


def without_version(text: str) -> str:
    return re.sub(rf"(?<![\d.]){re.escape(__version__)}(?![\d.])", "{version}", text)


def trimmed_sarif(text: str) -> str:
    doc: dict[str, Any] = json.loads(text)
    for run in doc["runs"]:
        fired = {result["ruleId"] for result in run["results"]}
        driver = run["tool"]["driver"]
        driver["rules"] = [r if r["id"] in fired else {"id": r["id"]} for r in driver["rules"]]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.chdir(REPO)
    assert main(["check", *EXAMPLE, "--format", fmt]) == 1, "the example has two errors: exit 1"
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "azure-pipelines"])
def test_format(
    fmt: str,
    snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    out = render(fmt, monkeypatch, capsys)
    if fmt == "sarif":
        out = trimmed_sarif(out)
    assert without_version(out) == snapshot.use_extension(EXTENSION[SUFFIX[fmt]])


def test_github_step_summary(
    snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """The Markdown job summary (`$GITHUB_STEP_SUMMARY`) is not a `--format` but is what a reviewer reads
    on the run page, so it has its snapshot too."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render("github", monkeypatch, capsys)
    assert without_version(summary.read_text(encoding="utf-8")) == snapshot.use_extension(EXTENSION["md"])
