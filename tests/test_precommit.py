"""The pre-commit hook, run for real: `pre-commit try-repo` builds the hook from this checkout.

try-repo on a checkout with uncommitted changes snapshots only tracked files, into a new commit each
time (so a new environment from PyPI each run). The hook repository here is therefore one committed
snapshot of this checkout as it is on disk (tracked and untracked, minus ignored files): pre-commit
installs it once per session, exactly as a user's `rev:` would be installed. The three runs prove the
hook end to end: the staged content is what is judged, and the --from-ref/--to-ref path of pre-push
and CI works.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from gitfixture import BASE_MODEL, GitRepo, clean_env, moved_vnet, snapshot_checkout, unrelated

pytestmark = pytest.mark.slow

MODEL = "infra/web vmss.json"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as it is on disk, committed in a repository of its own."""
    return snapshot_checkout(tmp_path_factory.mktemp("hook") / "vmss-lint")


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "project")
    r.write(MODEL, BASE_MODEL)
    r.write("package.json", {"name": "web"})
    r.commit("the scale set")
    return r


def resized(text: str = BASE_MODEL) -> str:
    """Another VM family and generation: accepted, but may need a deallocation (VMSS301, a warning only)."""
    assert '"name": "Standard_D1_v2"' in text
    return text.replace('"name": "Standard_D1_v2"', '"name": "Standard_E4s_v5"')


def try_repo(
    repo: GitRepo, hook: Path, home: Path, *args: str, hook_id: str = "vmss-lint"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook), hook_id, "--color", "never", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=clean_env({"PRE_COMMIT_HOME": str(home)}),
        timeout=300,
        check=False,
    )


def test_hook_blocks_a_commit_that_moves_the_scale_set_to_another_vnet(
    repo: GitRepo, hook_repo: Path, pre_commit_home: Path
) -> None:
    repo.write(MODEL, moved_vnet())
    repo.git("add", MODEL)
    repo.write(MODEL, BASE_MODEL)  # unstaged: pre-commit stashes it, the staged move is what is judged
    proc = try_repo(repo, hook_repo, pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "vmss-lint (unsafe VM Scale Set changes)" in proc.stdout
    assert "Failed" in proc.stdout
    assert "VMSS106 error [recreate]" in proc.stdout
    assert f"{MODEL}:" in proc.stdout  # the finding names the file and line
    assert (repo.path / MODEL).read_text(encoding="utf-8") == BASE_MODEL  # unstaged change restored


def test_hook_passes_an_unrelated_commit(repo: GitRepo, hook_repo: Path, pre_commit_home: Path) -> None:
    repo.write(MODEL, unrelated())
    repo.git("add", MODEL)
    repo.write(MODEL, moved_vnet(unrelated()))  # an unstaged, unsafe edit is not part of this commit
    proc = try_repo(repo, hook_repo, pre_commit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
    assert "VMSS106" not in proc.stdout


def test_a_warning_only_commit_passes_and_shows_the_warning_strict_fails_it(
    repo: GitRepo, hook_repo: Path, pre_commit_home: Path
) -> None:
    repo.write(MODEL, resized())
    repo.git("add", MODEL)
    proc = try_repo(repo, hook_repo, pre_commit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
    assert "VMSS301" in proc.stdout  # verbose: shown although the hook passed
    assert f"{MODEL}:" in proc.stdout
    strict = try_repo(repo, hook_repo, pre_commit_home, hook_id="vmss-lint-strict")
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "vmss-lint strict" in strict.stdout and "Failed" in strict.stdout
    assert "VMSS301" in strict.stdout


def test_strict_hook_passes_an_unrelated_commit(
    repo: GitRepo, hook_repo: Path, pre_commit_home: Path
) -> None:
    repo.write(MODEL, unrelated())
    repo.git("add", MODEL)
    proc = try_repo(repo, hook_repo, pre_commit_home, hook_id="vmss-lint-strict")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout and "VMSS301" not in proc.stdout and "VMSS106" not in proc.stdout


def test_hook_with_from_and_to_refs_checks_the_branch(
    repo: GitRepo, hook_repo: Path, pre_commit_home: Path
) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(MODEL, moved_vnet())
    repo.commit("move the scale set")
    repo.write("docs.json", {"unrelated": True})
    repo.commit("unrelated json")
    proc = try_repo(repo, hook_repo, pre_commit_home, "--from-ref", "main", "--to-ref", "HEAD")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "VMSS106 error [recreate]" in proc.stdout


@pytest.mark.parametrize("name", ["--select=VMSS999.json", "-o.json", "--fail-on=never.json"])
def test_a_committed_file_named_like_an_option_stays_a_file_name(
    repo: GitRepo, hook_repo: Path, pre_commit_home: Path, name: str
) -> None:
    repo.write(MODEL, moved_vnet())
    repo.write(name, {"unrelated": True})
    repo.git("add", "--", MODEL, name)
    before = sorted(p.name for p in repo.path.iterdir())
    proc = try_repo(repo, hook_repo, pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "VMSS106 error [recreate]" in proc.stdout
    assert sorted(p.name for p in repo.path.iterdir()) == before  # nothing written into the repository


def test_manifest_is_valid_for_pre_commit() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["vmss-lint", "vmss-lint-strict"]
    for hook in hooks:
        assert (hook["language"], hook["types"], hook["require_serial"], hook["verbose"]) == (
            "python",
            ["json"],
            True,
            True,  # pre-commit prints a passing hook's output only when verbose: warnings must show
        )
        assert hook["entry"].split()[:2] == ["vmss-lint", "check"] and "--pre-commit" in hook["entry"]
        assert hook["args"][-1] == "--"  # file names follow the args: never options
    assert "--fail-on warning" not in hooks[0]["entry"]
    assert hooks[1]["entry"].endswith("--fail-on warning")


def test_the_readme_snippet_works_when_pasted(repo: GitRepo, pre_commit_home: Path) -> None:
    """The README's .pre-commit-config.yaml as a user pastes it, with this repository in place of the
    GitHub URL: pre-commit clones the pinned commit, installs it and runs the hook on a real commit."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [snippet] = [b for b in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S) if ".pre-commit-config" in b]
    config = snippet.replace("https://github.com/<owner>/vmss-lint", str(REPO))
    assert str(REPO) in config
    repo.write(".pre-commit-config.yaml", config)
    repo.write(MODEL, resized())
    repo.git("add", "-A")
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=clean_env({"PRE_COMMIT_HOME": str(pre_commit_home)}),
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "vmss-lint (unsafe VM Scale Set changes)" in proc.stdout and "Passed" in proc.stdout
    assert "VMSS301" in proc.stdout  # the warning shows on success
