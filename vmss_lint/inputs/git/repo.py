"""The git plumbing behind git mode: every call to `git` goes through `Repo`.

Only porcelain-independent, NUL-separated output is parsed (`-z`), so paths with spaces, quotes or
non-ASCII characters survive exactly as the file system spells them. Any git failure the user can fix
(not a repository, an unknown revision, no commits yet) becomes an `InputError` naming what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import IO, Literal

from vmss_lint.core.errors import InputError
from vmss_lint.core.records import Record

Status = Literal["added", "modified", "deleted", "renamed"]

_STATUS = {"A": "added", "M": "modified", "T": "modified", "D": "deleted", "R": "renamed", "C": "added"}


class FileChange(Record):
    """One file that differs between the two sides; `old_path` is its name on the base side."""

    status: Status
    path: str
    old_path: str | None

    @property
    def base_path(self) -> str | None:
        return None if self.status == "added" else (self.old_path or self.path)

    @property
    def head_path(self) -> str | None:
        return None if self.status == "deleted" else self.path


class Repo:
    """A git working tree, addressed by its top level; paths are repo-relative with `/`."""

    def __init__(self, cwd: str | Path | None = None) -> None:
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        if shutil.which("git") is None:
            raise InputError(
                "git mode", "git is not on PATH", hint="install git, or compare two files instead"
            )
        proc = self._run(["rev-parse", "--show-toplevel"], cwd=self.cwd, check=False)
        if proc.returncode != 0:
            raise InputError(
                str(self.cwd),
                "not inside a git working tree",
                hint="run vmss-lint from your repository, or compare two files instead of using --base",
            )
        self.root = Path(os.fsdecode(proc.stdout.rstrip(b"\n")))
        self._batch: subprocess.Popen[bytes] | None = None

    def _run(
        self, args: list[str], *, cwd: Path | None = None, check: bool = True, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd or self.root,
            input=stdin,
            capture_output=True,
            check=False,
        )
        if check and proc.returncode != 0:
            message = os.fsdecode(proc.stderr).strip().splitlines()
            raise InputError("git " + args[0], message[-1] if message else f"exited {proc.returncode}")
        return proc

    def git(self, *args: str) -> bytes:
        return self._run(list(args)).stdout

    def has_commits(self) -> bool:
        return self._run(["rev-parse", "--verify", "-q", "HEAD^{commit}"], check=False).returncode == 0

    def resolve(self, ref: str, *, option: str = "--base") -> str:
        """The commit a revision names; an unknown one is a clear InputError, never a git traceback."""
        if ref.startswith("-"):
            raise InputError(option, f"'{ref}' is not a revision")
        proc = self._run(
            ["rev-parse", "--verify", "-q", "--end-of-options", f"{ref}^{{commit}}"], check=False
        )
        if proc.returncode == 0:
            return os.fsdecode(proc.stdout).strip()
        if not self.has_commits():
            raise InputError(
                option,
                f"cannot resolve '{ref}': this repository has no commits yet",
                hint="commit the current state first; every file is new until then",
            )
        hint = "check the name; in a shallow clone fetch more history (actions/checkout with fetch-depth: 2)"
        raise InputError(option, f"unknown revision '{ref}'", hint=hint)

    def merge_base(self, a: str, b: str) -> str | None:
        proc = self._run(["merge-base", a, b], check=False)
        if proc.returncode != 0:
            return None
        return os.fsdecode(proc.stdout).strip() or None

    def changes(self, base: str | None, head: str | None, *, untracked: bool = True) -> list[FileChange]:
        """Every changed file from `base` (None: nothing committed) to `head` (None: the working tree).

        `untracked` counts files git does not track yet (not ignored ones) as new in the working tree: a
        user's new template is a change, but a commit only holds what is staged.
        """
        if base is None:
            # No commit yet: everything staged (and untracked, if asked) is new.
            others = ["--others", "--exclude-standard"] if untracked else []
            listed = self.git("ls-files", "-z", "--cached", *others)
            return [
                FileChange(status="added", path=p, old_path=None) for p in dict.fromkeys(_split_z(listed))
            ]
        args = ["diff", "--name-status", "-M", "-z", "--no-relative", "--ignore-submodules", base]
        if head is not None:
            args.append(head)
        changes = _parse_name_status(self.git(*args, "--"))
        if head is None and untracked:
            seen = {c.path for c in changes}
            new = _split_z(self.git("ls-files", "-z", "--others", "--exclude-standard"))
            changes += [FileChange(status="added", path=p, old_path=None) for p in new if p not in seen]
        return changes

    def read(self, rev: str | None, path: str) -> bytes | None:
        """A file's bytes at `rev` (None: the working tree), or None when it is not there.

        Never more than the input size limit (`LimitExceeded` past it, before the rest is read). In the
        working tree a path that resolves outside the repository, through a symlink or `..`, raises
        `OutsideRoot` without being opened (see `vmss_lint.core.confine`); a blob at a revision is what git
        stored, and git never follows a symlink there.
        """
        from vmss_lint.core.limits import INPUT_BYTES, read_capped

        if rev is None:
            full = self.working_path(path)
            return read_capped(full, path) if full.is_file() else None
        limit = INPUT_BYTES.value
        data = self._blob(rev, path, limit + 1)  # a blob over the limit never reaches memory whole
        if data is not None and len(data) > limit:
            raise INPUT_BYTES.exceeded(f"{rev[:12]}:{path}")
        return data

    def start(self, rev: str | None, path: str, size: int = 65536) -> bytes:
        """At most the first `size` bytes of a file (of one too large to read, to tell what it is)."""
        if rev is None:
            with self.working_path(path).open("rb") as handle:
                return handle.read(size)
        return self._blob(rev, path, size) or b""

    def _blob(self, rev: str, path: str, size: int) -> bytes | None:
        """At most `size` bytes of the blob at `rev:path` (None when it is not there).

        All blobs of a run come through one `git cat-file --batch` process: a pull request that touches
        200 templates reads 400 blobs, and a process for each cost seconds of CPU. A path with a newline
        cannot be named on that line-based protocol; it takes a process of its own.
        """
        if "\n" in path or "\r" in path:
            return self._blob_once(rev, path, size)
        batch = self._batch_process()
        assert batch.stdin is not None and batch.stdout is not None
        batch.stdin.write(f"{rev}:{path}\n".encode())
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        # "<oid> <type> <size>", then the content; a missing object is "<name> missing" alone (and the
        # name may hold spaces, so only a well-formed header is believed).
        if len(header) != 3 or not header[2].isdigit() or len(header[0]) < 40:
            return None
        if header[1] != b"blob":  # a tree or a submodule commit: its content follows and is skipped
            _skip(batch.stdout, int(header[2]) + 1)
            return None
        total = int(header[2])
        data = batch.stdout.read(min(total, size))
        _skip(batch.stdout, total - len(data) + 1)  # the rest (never kept) and the closing newline
        return data

    def _batch_process(self) -> subprocess.Popen[bytes]:
        if self._batch is None or self._batch.poll() is not None:
            self._batch = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            import weakref

            weakref.finalize(self, _close, self._batch)
        return self._batch

    def _blob_once(self, rev: str, path: str, size: int) -> bytes | None:
        command = ["git", "cat-file", "blob", f"{rev}:{path}"]
        with subprocess.Popen(
            command, cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        ) as proc:
            assert proc.stdout is not None
            data = proc.stdout.read(size)
            if proc.stdout.read(1):  # more than asked for: stop git rather than read the rest
                proc.kill()
                return data
        return data if proc.returncode == 0 else None

    def working_path(self, path: str) -> Path:
        """A working-tree file, symlinks resolved; `OutsideRoot` when it resolves outside the repository."""
        from vmss_lint.core.confine import OutsideRoot, confined

        full = confined(self.root / path, self.root)
        if full is None:
            raise OutsideRoot(path, "the repository", what="is a symbolic link that")
        return full

    def exists(self, rev: str | None, path: str) -> bool:
        if rev is None:
            from vmss_lint.core.confine import OutsideRoot

            try:
                return self.working_path(path).is_file()
            except OutsideRoot:
                return True  # there as a link: reading it says it is not followed, whatever it points at
        return self._blob(rev, path, 0) is not None

    def export(self, rev: str, dest: Path) -> None:
        """Write the whole tree at `rev` under `dest` (for tools such as bicep that follow relative paths)."""
        _extract(self.git("archive", "--format=tar", rev), dest)

    def export_path(self, rev: str, path: str, dest: Path) -> Path:
        """The folder `path` as it is at `rev`, written under `dest`; returns where it is (absent there
        when `rev` has no such folder). Used for a trusted config's rules folders."""
        proc = self._run(["archive", "--format=tar", rev, "--", path], check=False)
        if proc.returncode == 0:
            _extract(proc.stdout, dest)
        return dest / path

    def relative(self, path: str, cwd: Path | None = None) -> str:
        """A user-given path (relative to where they ran vmss-lint) as a repo-relative `/` path."""
        full = Path(os.path.abspath((cwd or Path.cwd()) / path))
        root = Path(os.path.realpath(self.root))
        for candidate in (full, Path(os.path.realpath(full.parent)) / full.name):
            try:
                return candidate.relative_to(root).as_posix()
            except ValueError:
                continue
        raise InputError(path, f"is outside the git repository at {self.root}")


def _extract(tar_bytes: bytes, dest: Path) -> None:
    """Unpack a `git archive` tarball under `dest`."""
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse links and paths leaving `dest`
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - git archive writes only plain members under the tree
            tar.extractall(dest)


def _skip(stream: IO[bytes], count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, 1 << 16))
        if not chunk:
            return
        count -= len(chunk)


def _close(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(p) for p in data.split(b"\0") if p]


def _parse_name_status(data: bytes) -> list[FileChange]:
    fields = data.split(b"\0")
    out: list[FileChange] = []
    i = 0
    while i < len(fields) and fields[i]:
        code = os.fsdecode(fields[i])[:1]
        if code in ("R", "C"):
            old, new = os.fsdecode(fields[i + 1]), os.fsdecode(fields[i + 2])
            i += 3
            # A copy leaves the original in place: the copy is a new file, not a rename.
            out.append(
                FileChange(status="renamed", path=new, old_path=old)
                if code == "R"
                else FileChange(status="added", path=new, old_path=None)
            )
            continue
        path = os.fsdecode(fields[i + 1])
        i += 2
        status = _STATUS.get(code, "modified")
        out.append(FileChange(status=status, path=path, old_path=None))  # type: ignore[arg-type]
    return out
