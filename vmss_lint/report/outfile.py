"""`-o FILE`: write the report so that nobody sees half of it and nothing but a regular file is touched.

The report goes to a temporary file in the target's folder, renamed over the target when complete, so a
reader never sees half a report. The rules, each because of something that went wrong before:

* Only a regular file is written (or created). A device (`-o /dev/null`, run as root, once replaced the
  machine's `/dev/null` with a plain file), a folder, a FIFO, a socket and a symlink are refused: the
  rename would replace the link itself, and writing through it would let whoever controls the link
  choose the file. (Decision: refuse, do not follow; `-o -` or a shell redirection is there for the rest.)
* A path that is one of the run's inputs is refused: `-o proposed.json` would destroy what it judges.
* The new file gets the mode a plain `open()` would give it (0o666 less the umask); an existing file
  keeps its mode. `mkstemp` alone would make every report 0o600.
* The target is checked and the temporary file created *before* the lint runs (`reserve`), so a bad `-o`
  fails in milliseconds rather than after the work; SIGTERM and SIGINT while it exists remove it (and then
  end the process the way the signal would have), so no `.tmp` file is left behind.
* `-o -` is standard output.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from vmss_lint.core.errors import InputError

STDOUT = "-"


def _umask() -> int:
    """The process umask (read by setting it and putting it back: the only portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _printable(path: Path) -> str:
    text = str(path)
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _same_file(target: Path, inputs: Iterable[str | os.PathLike[str]]) -> str | None:
    """The input that `target` names (same inode, or the same path once symlinks are resolved)."""
    real = os.path.realpath(target)
    for given in inputs:
        try:
            if os.path.realpath(given) == real or (
                os.path.exists(given) and os.path.exists(target) and os.path.samefile(given, target)
            ):
                return str(given)
        except (OSError, ValueError):
            continue
    return None


def check_target(path: Path, inputs: Iterable[str | os.PathLike[str]] = ()) -> int | None:
    """Refuse what `-o` must never write; the mode an existing regular file has (None: a new file)."""
    shown = _printable(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(shown, f"cannot use as --output: {exc.strerror}") from None
    if info is not None:
        kind = _kind(info.st_mode)
        if kind is not None:
            raise InputError(
                shown,
                f"--output refuses {kind}: it writes only regular files",
                hint="name a file, use -o - for standard output, or redirect the output yourself",
            )
    same = _same_file(path, inputs)
    if same is not None:
        raise InputError(
            shown, "--output names one of the run's inputs; refused, so the input is not overwritten"
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(shown, "the folder for --output does not exist")
    return stat.S_IMODE(info.st_mode) if info is not None else None


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "a special file"


class Reserved:
    """The temporary file of one `-o`, created before the run and renamed over the target by `commit`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp: str | None = None

    def open(self, inputs: Iterable[str | os.PathLike[str]] = ()) -> Reserved:
        """Check the target and create the temporary file (with the mode the report will have)."""
        mode = check_target(self.path, inputs)
        import tempfile  # only a run with -o FILE needs it (a cold start saves its import)

        folder = self.path.parent if str(self.path.parent) else Path(".")
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise InputError(_printable(self.path), f"cannot write the report: {exc.strerror}") from None
        try:
            os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
        finally:
            os.close(fd)
        return self

    def commit(self, text: str) -> None:
        """Write the whole report and rename it into place (after checking the target again)."""
        tmp = self.tmp
        if tmp is None:
            raise RuntimeError("the report was already written")
        try:
            check_target(self.path)  # it may have become a symlink or a folder during the run
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
            self.tmp = None
        except OSError as exc:
            raise InputError(_printable(self.path), f"cannot write the report: {exc.strerror}") from None

    def discard(self) -> None:
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


@contextlib.contextmanager
def reserve(path: Path | None, inputs: Iterable[str | os.PathLike[str]] = ()) -> Iterator[Reserved | None]:
    """`Reserved` for the duration of a run (None for standard output); its temporary file is removed on
    any way out, including SIGTERM and SIGINT, after which the signal takes its normal course."""
    if path is None or str(path) == STDOUT:
        yield None
        return
    import signal  # only a run with -o FILE installs handlers (a cold start saves its import)

    check_target(path, inputs)  # refuse before touching anything
    reserved = Reserved(path)
    previous: dict[int, Any] = {}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        reserved.discard()
        for number, handler in previous.items():
            signal.signal(number, handler)
        before = previous.get(signum)
        if callable(before):
            # Python's own SIGINT handler (KeyboardInterrupt, as before), or the handler of an enclosing
            # `reserve` (several outputs in one run): each removes its own temporary file, in turn.
            before(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    # The handlers go in before the temporary file exists, so there is no moment when a signal could
    # leave it behind.
    with contextlib.suppress(ValueError):  # not the main thread: no handlers, the finally still cleans
        for caught in (signal.SIGTERM, signal.SIGINT):
            # A signal the caller ignores (a background job of a non-interactive shell ignores SIGINT)
            # stays ignored: catching it would let it end a process that was meant to outlive it.
            if signal.getsignal(caught) != signal.SIG_IGN:
                previous[caught] = signal.signal(caught, on_signal)
    try:
        yield reserved.open(inputs)
    finally:
        reserved.discard()
        for number, handler in previous.items():
            signal.signal(number, handler)


def write_atomic(path: Path, text: str, inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Write `text` to `path` under the rules above in one call (`-o -`: standard output)."""
    if str(path) == STDOUT:
        sys.stdout.write(text)
        return
    with reserve(path, inputs) as reserved:
        assert reserved is not None
        reserved.commit(text)
