"""`-o FILE` writes only regular files, never an input, with the usual modes, and leaves no temp file.

Every test runs the real command in a subprocess; the signal tests send a real SIGTERM / SIGINT while the
run is blocked reading a FIFO input (the output's temporary file exists from the start of the run).
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO

EXAMPLE = FIXTURES / "example"


def run(*args: str, cwd: Path = REPO, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "TF_BUILD")}

    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        preexec_fn=set_umask,
    )


def pair(tmp_path: Path) -> tuple[Path, Path]:
    current, proposed = tmp_path / "current.json", tmp_path / "proposed.json"
    current.write_bytes((EXAMPLE / "current.json").read_bytes())
    proposed.write_bytes((EXAMPLE / "proposed.json").read_bytes())
    return current, proposed


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def refused(proc: subprocess.CompletedProcess[str], needle: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vmss-lint: error: "), proc.stderr
    assert needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_writes_a_new_regular_file_with_the_umask(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    out = tmp_path / "report.json"
    proc = run(str(current), str(proposed), "--format", "json", "-o", str(out), umask=0o027)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(out.read_text())["summary"]["errors"] >= 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    out = tmp_path / "report.json"
    out.write_text("old")
    out.chmod(0o604)
    proc = run(str(current), str(proposed), "--format", "json", "-o", str(out), umask=0o077)
    assert proc.returncode == 1, proc.stderr
    assert out.read_text() != "old"
    assert stat.S_IMODE(out.stat().st_mode) == 0o604


def test_dash_is_standard_output(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    proc = run(str(current), str(proposed), "--format", "json", "-o", "-", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["errors"] >= 1
    assert not (tmp_path / "-").exists()


def test_refuses_a_device(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    proc = run(str(current), str(proposed), "-o", str(device))
    refused(proc, "refuses a device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_refuses_a_folder_and_a_fifo(tmp_path: Path, kind: str) -> None:
    current, proposed = pair(tmp_path)
    target = tmp_path / "target"
    if kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(target)
    proc = run(str(current), str(proposed), "-o", str(target))
    refused(proc, "refuses a folder" if kind == "folder" else "refuses a FIFO")
    assert target.is_dir() if kind == "folder" else stat.S_ISFIFO(os.lstat(target).st_mode)


@pytest.mark.parametrize("dangling", [False, True])
def test_refuses_a_symlink_and_leaves_both_ends_alone(tmp_path: Path, dangling: bool) -> None:
    current, proposed = pair(tmp_path)
    victim = tmp_path / "elsewhere" / "authorized_keys"
    victim.parent.mkdir()
    if not dangling:
        victim.write_text("ssh-ed25519 AAAA keep-me\n")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    proc = run(str(current), str(proposed), "-o", str(link))
    refused(proc, "refuses a symlink")
    assert link.is_symlink() and os.readlink(link) == str(victim)
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == "ssh-ed25519 AAAA keep-me\n"


@pytest.mark.parametrize("how", ["same-path", "relative-spelling", "hard-link", "config"])
def test_refuses_an_input(tmp_path: Path, how: str) -> None:
    current, proposed = pair(tmp_path)
    before = proposed.read_bytes()
    args = [str(current), str(proposed)]
    if how == "same-path":
        target = str(proposed)
    elif how == "relative-spelling":
        target = f"{tmp_path}/./sub/../proposed.json"
        (tmp_path / "sub").mkdir()
    elif how == "hard-link":
        os.link(proposed, tmp_path / "alias.json")
        target = str(tmp_path / "alias.json")
    else:
        config = tmp_path / ".vmss-lint.toml"
        config.write_text('fail-on = "error"\n')
        before = config.read_bytes()
        args += ["--config", str(config)]
        target = str(config)
    proc = run(*args, "-o", target)
    refused(proc, "names one of the run's inputs")
    after = (tmp_path / ".vmss-lint.toml").read_bytes() if how == "config" else proposed.read_bytes()
    assert after == before
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    proc = run(str(current), str(proposed), "-o", str(tmp_path / "no" / "such" / "report.json"))
    refused(proc, "the folder for --output does not exist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    current, proposed = pair(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        proc = run(str(current), str(proposed), "-o", str(locked / "report.json"))
    finally:
        locked.chmod(0o700)
    refused(proc, "cannot write the report")


def _blocked_run(tmp_path: Path, where: list[str], sigint: Any, temporaries: int) -> subprocess.Popen[str]:
    """A check whose PROPOSED is a FIFO nobody writes yet: the run blocks reading it with its temporary
    output files already created, until the test signals it or writes the FIFO."""
    current, _ = pair(tmp_path)
    fifo = tmp_path / "proposed.json"
    fifo.unlink()
    os.mkfifo(fifo)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "TF_BUILD")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vmss_lint", "check", str(current), str(fifo), *where],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # How SIGINT starts out: a background job of a non-interactive shell inherits it ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
    )
    deadline = time.monotonic() + 30
    while len(leftovers(tmp_path)) < temporaries:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the temporary file never appeared: {proc.communicate()}")
        time.sleep(0.02)
    time.sleep(0.5)  # blocked in open(fifo) by now
    return proc


def _finish(proc: subprocess.Popen[str]) -> str:
    try:
        return proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("outputs", [1, 3], ids=["one-output", "three-outputs"])
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 2)])
def test_a_signal_during_the_run_leaves_no_temporary_file(
    tmp_path: Path, signum: int, code: int, outputs: int
) -> None:
    """With several outputs (`--format F:FILE`) each reserved file's handler removes its own in turn."""
    outs = [tmp_path / "report.json", tmp_path / "b.sarif", tmp_path / "c.xml"][:outputs]
    where = ["-o", str(outs[0])]
    if outputs > 1:
        where = [
            arg
            for fmt, out in zip(("json", "sarif", "junit"), outs, strict=True)
            for arg in ("--format", f"{fmt}:{out}")
        ]
    proc = _blocked_run(tmp_path, where, signal.SIG_DFL, outputs)
    proc.send_signal(signum)
    stderr = _finish(proc)
    assert proc.returncode == code, stderr
    assert leftovers(tmp_path) == []
    assert not any(out.exists() for out in outs)
    assert "Traceback" not in stderr


def test_an_ignored_sigint_stays_ignored(tmp_path: Path) -> None:
    """A run started with SIGINT ignored (as a background job of a non-interactive shell is) is not ended
    by one: `-o` catches the signals only to clean up, never to change what ends the process."""
    body = (EXAMPLE / "proposed.json").read_bytes()
    out = tmp_path / "report.json"
    proc = _blocked_run(tmp_path, ["-o", str(out), "--format", "json"], signal.SIG_IGN, 1)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    if proc.poll() is not None:
        raise AssertionError(f"an ignored SIGINT ended the run: {_finish(proc)}")
    (tmp_path / "proposed.json").write_bytes(body)  # unblocks the run, which then finishes as usual
    stderr = _finish(proc)
    assert proc.returncode == 1, stderr
    assert leftovers(tmp_path) == []
    assert json.loads(out.read_text())["results"]
