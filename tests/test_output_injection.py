"""A hostile file name cannot inject CI commands, terminal escapes or Markdown into any output.

A real git repository holds a scale-set model whose file name carries a newline followed by `::error`,
a `##vso[task.setvariable ...]` logging command, an ESC colour sequence and Markdown; the change in it has
findings, so the name is printed in every format. Each format is run as a real subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES
from gitfixture import GitRepo, clean_env

HOSTILE = (
    "web\n::error file=evil.json,line=1::injected\r\n##vso[task.setvariable variable=PWNED]yes\n"
    "\x1b[31mred\x1b[0m [click](https://evil.example) `x` *b*.json"
)
FORMATS = ["text", "json", "sarif", "github", "junit", "azure-pipelines"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo(tmp_path_factory.mktemp("hostile") / "repo")
    repo.write(HOSTILE, (FIXTURES / "example" / "current.json").read_text(encoding="utf-8"))
    repo.commit("add")
    repo.write(HOSTILE, (FIXTURES / "example" / "proposed.json").read_text(encoding="utf-8"))
    return repo


def run(repo: GitRepo, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--base", "HEAD", *args],
        cwd=repo.path,
        env=clean_env(env),
        capture_output=True,
        text=True,
        check=False,
    )


def assert_no_injection(text: str, *, fmt: str) -> None:
    assert "\x1b" not in text
    for line in text.split("\n"):
        if line.startswith("::"):
            assert fmt == "github", line
            assert line.startswith(("::error file=", "::warning file=", "::notice ")), line
            assert "%0A" in line.split("::", 2)[1] or "file=" not in line, line  # the name's newline escaped
        if "##vso[" in line:
            assert fmt == "azure-pipelines" and line.startswith("##vso[task.logissue "), line
            properties, _, message = line.partition("]")
            assert "##vso[" not in message, line
            assert "%5D" in properties and "%0A" in properties, line
        assert "\r" not in line


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_escapes_a_hostile_file_name(repo: GitRepo, fmt: str, tmp_path: Path) -> None:
    proc = run(repo, "--format", fmt)
    assert proc.returncode == 1, proc.stderr
    assert "injected" in proc.stdout  # the name is there, escaped, not dropped
    assert_no_injection(proc.stdout, fmt=fmt)
    assert_no_injection(proc.stderr, fmt=fmt)
    if fmt == "junit":
        root = ET.fromstring(proc.stdout)
        files = {case.get("file") for case in root.iter("testcase") if case.get("file")}
        assert any(f is not None and f.startswith("web\n::error") for f in files)
    out = tmp_path / "report.out"
    assert run(repo, "--format", fmt, "-o", str(out)).returncode == 1
    assert_no_injection(out.read_text(encoding="utf-8"), fmt=fmt)


def test_text_shows_the_name_escaped(repo: GitRepo) -> None:
    proc = run(repo, "--format", "text", env={"FORCE_COLOR": "1"})
    assert "web\\n::error file=evil.json,line=1::injected\\r\\n##vso\u200b[task.setvariable" in proc.stdout
    assert "\\x1b[31mred\\x1b[0m" in proc.stdout


def test_the_job_summary_has_no_markdown_or_html_from_the_name(repo: GitRepo, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    proc = run(repo, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1, proc.stderr
    text = summary.read_text(encoding="utf-8")
    assert "\x1b" not in text
    assert "[click](" not in text  # (the path's `//` is normalised to `/`)
    assert "\\[click\\](https:/evil.example)" in text
    assert "`x`" not in text and "\\`x\\`" in text
    assert "*b*" not in text
    assert all(not line.startswith("##vso[") for line in text.splitlines())


def test_an_error_about_a_hostile_name_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x\n::error::injected\x1b[2J.json"
    bad.write_text('{"properties": ', encoding="utf-8")
    good = FIXTURES / "example" / "current.json"
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", str(good), str(bad)],
        env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("vmss-lint: error: ")
    assert "\x1b" not in proc.stderr and "\\n::error::injected\\x1b[2J" in proc.stderr
