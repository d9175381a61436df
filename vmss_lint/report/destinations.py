"""Several formats from one run: `--format FORMAT[:FILE]`, repeatable, each output written atomically.

One run reads the inputs and lints once; CI wants annotations in the log, SARIF for code scanning and the
JSON report as an artifact. Running three times would triple the work and could give three different
answers (a working tree changing between runs). So `--format` may be given more than once, the way
Checkov's `-o cli -o sarif` works, with the file in the same word (`sarif:out.sarif`) so that a format and
its file can never be paired up wrongly (Checkov's separate `--output-file-path` list is positional, and a
missing entry shifts every file after it).

The rules, decided here and documented in docs/output.md:

* `--format NAME:FILE` writes that format to FILE; `NAME:-` writes it to standard output.
* A bare `--format NAME` goes to `-o FILE` when given, else to standard output: `--format X -o FILE`
  works as it always did.
* At most one output goes to standard output and at most one bare format goes to `-o`; two outputs to
  the same file are refused (the second would silently replace the first).
* With no bare format, nothing is printed on standard output but the outputs' files; `-o` then has no
  format to write and is refused rather than guessed.
* Only the first `:` splits, so `sarif:C:\\reports\\out.sarif` names a Windows path; format names never
  contain `:`.
* Every file follows the `-o` rules of `vmss_lint.report.outfile` (regular files only, never an input,
  umask-respecting mode, reserved before the run, renamed into place after it). All reports are rendered
  before any file is renamed, so a failure while rendering leaves every target as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from vmss_lint.core.errors import InputError
from vmss_lint.core.escape import printable
from vmss_lint.core.records import Record
from vmss_lint.report.outfile import STDOUT, Reserved, reserve

SYNTAX = "--format FORMAT[:FILE] (repeatable)"


class Destination(Record, kw_only=False):
    """One output of the run: a format and where it goes (None: standard output)."""

    format: str
    path: Path | None

    @property
    def label(self) -> str:
        return f"{self.format}:{self.path}" if self.path is not None else self.format


def parse_destinations(
    specs: Sequence[str], output: Path | None, default_format: str, formats: Sequence[str]
) -> list[Destination]:
    """The run's outputs from every `--format` word and `-o`; refuses what is ambiguous or unknown."""
    if not specs:
        specs = [default_format]
    bare_target = output if output is not None and str(output) != STDOUT else None
    found: list[Destination] = []
    bare = 0
    for spec in specs:
        name, sep, file = spec.partition(":")
        fmt = name.strip().lower()
        if fmt not in formats:
            raise InputError(
                "--format", f"unknown format '{printable(name)}'", hint="use " + ", ".join(formats)
            )
        if sep and not file:
            raise InputError(
                "--format",
                f"'{printable(spec)}' names no file",
                hint=f"use {fmt}:FILE, or {fmt}:- for stdout",
            )
        if not sep:
            bare += 1
            if bare > 1:
                where = "-o" if bare_target is not None else "standard output"
                raise InputError(
                    "--format",
                    f"two formats without a file ('{_found_bare(found, bare_target)}' and '{fmt}') would both go "
                    f"to {where}",
                    hint=f"give the others a file: --format {fmt}:FILE",
                )
            found.append(Destination(fmt, bare_target))
        else:
            found.append(Destination(fmt, None if file == STDOUT else Path(file)))
    if output is not None and bare == 0:
        raise InputError(
            "-o",
            "every --format names its own file, so -o has no format to write",
            hint="drop -o, or add a --format without a file for it",
        )
    _refuse_clashes(found)
    return found


def _found_bare(found: Sequence[Destination], target: Path | None) -> str:
    """The format already sent to the bare target (for the message)."""
    return next((d.format for d in found if d.path == target), "")


def _refuse_clashes(found: Sequence[Destination]) -> None:
    """Two outputs to standard output, or to one file, would interleave or replace each other."""
    seen: dict[str, Destination] = {}
    for dest in found:
        key = STDOUT if dest.path is None else os.path.realpath(dest.path)
        first = seen.get(key)
        if first is not None:
            where = "standard output" if dest.path is None else f"'{printable(str(dest.path))}'"
            raise InputError(
                "--format",
                f"{first.format} and {dest.format} would both be written to {where}",
                hint="give each format its own file",
            )
        seen[key] = dest


class Opened(Record, kw_only=False, frozen=False):
    """A destination with its reserved temporary file (None: standard output)."""

    destination: Destination
    reserved: Reserved | None


@contextlib.contextmanager
def reserve_all(
    destinations: Sequence[Destination], inputs: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[list[Opened]]:
    """Reserve every file before the run (a bad one fails in milliseconds, nothing written); each is
    removed again on any way out that does not commit it."""
    named = list(inputs)
    with contextlib.ExitStack() as stack:
        opened = [Opened(d, stack.enter_context(reserve(d.path, named))) for d in destinations]
        yield opened


def write_all(opened: Sequence[Opened], texts: Sequence[str], stdout: Callable[[str], object]) -> None:
    """Rename every rendered report into place (and print the one for standard output)."""
    for out, text in zip(opened, texts, strict=True):
        if out.reserved is None:
            stdout(text)
        else:
            out.reserved.commit(text)
