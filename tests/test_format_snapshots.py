"""One snapshot per output format, all on the bundled example (`fixtures/example/`), which is what a user
sees first: two errors, one warning and a plan. Fixture cases snapshot only what they assert; these are the
only snapshots that hold the rendered prose, so a deliberate rewording shows up here once per format.

Run through the real CLI entry point from the repository root, as the README's first command does. The tool
version is replaced by `{version}` so that a release does not rewrite them; SARIF's `tool.driver.rules`
and JUnit list every loaded rule; the snapshots keep the rules that fire (the rest is asserted, not
snapshotted), so that adding a rule elsewhere rewrites no format snapshot.

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
from vmss_lint.engine.packs import load_rules

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
SUFFIX["azure-pipelines"] = SUFFIX["full"] = "txt"


def without_version(text: str) -> str:
    return re.sub(rf"(?<![\d.]){re.escape(__version__)}(?![\d.])", "{version}", text)


def trimmed_sarif(text: str) -> str:
    """SARIF lists every loaded rule; the snapshot keeps the rules that fire, so that adding a rule anywhere
    does not rewrite it. What the trimmed part must hold is asserted here instead."""
    doc: dict[str, Any] = json.loads(text)
    for run in doc["runs"]:
        rules = run["tool"]["driver"]["rules"]
        assert [r["id"] for r in rules] == [r.spec.id for r in load_rules()], "every loaded rule, in order"
        for result in run["results"]:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        kept = [r for r in rules if r["id"] in {result["ruleId"] for result in run["results"]}]
        for result in run["results"]:
            result["ruleIndex"] = [r["id"] for r in kept].index(result["ruleId"])
        run["tool"]["driver"]["rules"] = kept
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


PASSING = re.compile(r'^    <testcase name="\[(\w+)\]\[([A-Z0-9]+)\] ([a-z0-9-]+)" classname="[^"]*" />$')


def trimmed_junit(text: str) -> str:
    """JUnit has one passing test case per rule that found nothing; the snapshot keeps one line standing for
    them (and counts as `N+{passing}`), after checking they are exactly the silent rules."""
    lines = text.splitlines()
    passing = [m for m in map(PASSING.match, lines) if m]
    fired = set(re.findall(r'<testcase name="\[\w+\]\[([A-Z0-9]+)\] [a-z0-9-]+ /', text))
    silent = [r.spec for r in load_rules() if not r.spec.meta and r.spec.id not in fired]
    assert fired and [(m[1], m[2], m[3]) for m in passing] == [
        (s.severity.value, s.id, s.name) for s in silent
    ]
    first = next(i for i, line in enumerate(lines) if PASSING.match(line))
    kept = [line for line in lines if not PASSING.match(line)]
    kept.insert(first, "    <!-- {passing}: one passing <testcase /> per rule that found nothing -->")
    out = "\n".join(kept) + "\n"
    return re.sub(r'tests="(\d+)"', lambda m: f'tests="{int(m[1]) - len(passing)}+{{passing}}"', out)


def render(fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.chdir(REPO)
    assert main(["check", *EXAMPLE, "--format", fmt]) == 1, "the example has two errors: exit 1"
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


@pytest.mark.parametrize("fmt", ["text", "full", "json", "sarif", "github", "junit", "azure-pipelines"])
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
    if fmt == "junit":
        out = trimmed_junit(out)
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
