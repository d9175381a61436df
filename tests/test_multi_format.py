"""One run, several formats: `--format FORMAT[:FILE]` (repeatable), each file under the `-o` rules.

Every test runs the real command in a subprocess, as a CI step would; a signal with several outputs is
tested in test_outfile.py.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from test_outfile import leftovers, pair, refused, run


def test_one_run_writes_every_format_it_is_asked_for(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    sarif, report = tmp_path / "out.sarif", tmp_path / "report.json"
    proc = run(
        str(current),
        str(proposed),
        "--format",
        "github",
        "--format",
        f"sarif:{sarif}",
        "--format",
        f"JSON:{report}",
        umask=0o027,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("::error "), proc.stdout[:200]
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    # The same report a run with only that format writes (one lint, not three that might disagree).
    alone = run(str(current), str(proposed), "--format", "json")
    assert json.loads(report.read_text()) == json.loads(alone.stdout)
    for path in (sarif, report):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_bare_format_goes_to_dash_o_and_dash_is_stdout(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    out = tmp_path / "report.json"
    proc = run(str(current), str(proposed), "--format", "json", "-o", str(out), "--format", "text:-")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(out.read_text())["summary"]["errors"] >= 1
    assert "VMSS101" in proc.stdout and not proc.stdout.lstrip().startswith("{")


def test_only_files_print_nothing_on_stdout(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    out = tmp_path / "r.xml"
    proc = run(str(current), str(proposed), "--format", f"junit:{out}")
    assert proc.returncode == 1 and proc.stdout == "", proc.stderr
    assert out.read_text().startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--format", "json", "--format", "sarif"], "would both go to standard output"),
        (["--format", "json", "--format", "text", "-o", "{tmp}/r"], "would both go to -o"),
        (["--format", "json:{tmp}/a", "--format", "sarif:{tmp}/./a"], "would both be written to"),
        (["--format", "json", "-o", "{tmp}/a", "--format", "sarif:{tmp}/a"], "would both be written to"),
        (["--format", "json:-", "--format", "text"], "would both be written to standard output"),
        (["--format", "json:{tmp}/a", "-o", "{tmp}/b"], "-o has no format to write"),
        (["--format", "json:"], "names no file"),
        (["--format", "bogus:{tmp}/a"], "unknown format 'bogus'"),
        (["--format", "json", "--format", "sarif:{tmp}/proposed.json"], "names one of the run's inputs"),
        (["--format", "json:{tmp}/a", "--format", "sarif:{tmp}/no/such/x"], "folder for --output does not"),
    ],
)
def test_what_is_ambiguous_or_unsafe_is_refused_before_anything_is_written(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    current, proposed = pair(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run(str(current), str(proposed), *[a.replace("{tmp}", str(tmp_path)) for a in args])
    refused(proc, needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
