"""One git-mode run's files: a repository file at one side's revision, read, copied or compiled.

`GitRun` is the state of one `git_inputs` call (the repository, the sides, the temporary folder the copies
live in, what was learnt); the functions here read a file at a revision under the limits, follow a linked
template at the same revision, compile `.bicep`, and map the temporary copies' names back to `REF:path`
in everything reported. Split from `mode` (which decides what to pair) because this is the part that
touches the repository and the disk.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from vmss_lint.arm.bicep import BICEP_HINT, bicep_command, compile_bicep
from vmss_lint.arm.files import InputFile, parse_text
from vmss_lint.arm.template_options import TemplateParams
from vmss_lint.core.confine import OutsideRoot
from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.records import Record, field
from vmss_lint.inputs.git.repo import Repo
from vmss_lint.inputs.git.selection import named_plan
from vmss_lint.inputs.git.units import Sides
from vmss_lint.inputs.pairs import ModelPair, renamed


class GitRun(Record, frozen=False):
    """One `git_inputs` call: where its files come from and what it has learnt so far (filled as it goes)."""

    repo: Repo
    sides: Sides
    params: TemplateParams
    tmp: Path
    live: InputFile | None = None
    plan_patterns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    pairs: list[ModelPair] = field(default_factory=list)
    suppressions: list[Any] = field(default_factory=list)
    exported: dict[str, Path] = field(default_factory=dict)
    untrusted: str | None = None
    weakenings: list[Any] = field(default_factory=list)

    def label(self, rev: str | None, path: str) -> str:
        """How a file is named in the report: the head side by its path (annotations need exactly that),
        the base side as `REF:path`."""
        return f"{self.sides.base_label}:{path}" if rev is not None and rev == self.sides.base else path

    def side_of(self, label: str) -> tuple[str | None, str]:
        """The revision and path a report label stands for (the inverse of `label`)."""
        prefix = f"{self.sides.base_label}:"
        if self.sides.base is not None and label.startswith(prefix):
            return self.sides.base, label[len(prefix) :]
        return self.sides.head, label


def is_plan(file: InputFile) -> bool:
    """A Terraform plan holds both sides, so git mode never reads its base revision (imported late: cold path)."""
    from vmss_lint.inputs.terraform import is_terraform_plan

    return is_terraform_plan(file.value)


def side_copy(run: GitRun, rev: str | None, path: str) -> str | None:
    """A repository file as it is at `rev`, copied where the template reader can open it by name.

    The copy's name is mapped back to `REF:path` (or `path`) in everything reported.
    """
    data = run.repo.read(rev, path)
    if data is None:
        return None
    side = "base" if rev is not None and rev == run.sides.base else "head"
    target = run.tmp / side / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return str(target)


def renames(run: GitRun) -> dict[str, str]:
    """A copy under the temporary folder is reported as `REF:path` (base side) or `path` (head side)."""
    return {f"{run.tmp / 'base'}{os.sep}": f"{run.sides.base_label}:", f"{run.tmp / 'head'}{os.sep}": ""}


def relabel(run: GitRun, text: str) -> str:
    """A message with every temporary copy named as the user knows the file."""
    return renamed(text, renames(run))


def open_linked(run: GitRun, parent: InputFile, relative: str) -> InputFile | None:
    """A linked template's `relativePath`, read from the same revision as the template that links it."""
    rev, path = run.side_of(parent.path)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), relative.replace("\\", "/")))
    if target == ".." or target.startswith("../") or posixpath.isabs(target) or "\0" in target:
        raise OutsideRoot(parent.path, "the repository")  # refused by the template walker, naming the link
    return load(run, rev, target)  # a working-tree symlink out of the repository raises OutsideRoot too


def load_side(run: GitRun, rev: str | None, path: str | None) -> InputFile | None:
    """`_load` for a changed file: one that resolves outside the repository (a working-tree symlink) is
    not followed, and the run says so instead of failing on a file that is not the change's."""
    try:
        return load(run, rev, path)
    except OutsideRoot as exc:
        note(run, f"{exc}, so the file is skipped")
        return None


def note(run: GitRun, text: str) -> None:
    """A notice said once, however many units run into it."""
    if text not in run.notices:
        run.notices.append(text)


def load(run: GitRun, rev: str | None, path: str | None) -> InputFile | None:
    """One side of a unit, parsed; a `.bicep` file is compiled first (or skipped, saying how to enable)."""
    if path is None:
        return None
    label = run.label(rev, path)
    if path.lower().endswith(".bicep"):
        return _load_bicep(run, rev, path, label)
    try:
        data = run.repo.read(rev, path)
    except LimitExceeded:
        # Over the size limit: the user's problem only if it is plainly one of ours (judged by its start),
        # like a file that does not parse; a big unrelated JSON file is skipped as before.
        if rev is not None and rev == run.sides.base:
            note(run, f"{label} is over the input size limit; treated as absent")
            return None
        if looks_like_ours(run.repo.start(rev, path)):
            from vmss_lint.core.limits import INPUT_BYTES

            raise INPUT_BYTES.exceeded(label) from None
        return None
    if data is None:
        return None
    pattern = named_plan(path, run.plan_patterns) if rev is None or rev != run.sides.base else None
    if pattern is not None:
        return _named_plan(data, label, pattern)
    try:
        return parse_text(data, label)
    except InputError:
        if rev is not None and rev == run.sides.base:
            run.notices.append(f"{label} is not valid JSON; treated as absent")
            return None
        if looks_like_ours(data):
            raise
        return None


def _named_plan(data: bytes, label: str, pattern: str) -> InputFile:
    """A file a `terraform-plans` glob names: Terraform plan JSON, or the user's mistake (exit 2)."""
    hint = "write it with `terraform show -json PLANFILE > FILE`, or narrow the terraform-plans glob"
    try:
        file = parse_text(data, label)
    except InputError:
        raise InputError(
            label, f"matches terraform-plans '{pattern}' but is not valid JSON", hint=hint
        ) from None
    if not is_plan(file):
        raise InputError(
            label, f"matches terraform-plans '{pattern}' but is not Terraform plan JSON", hint=hint
        )
    return file


def looks_like_ours(data: bytes) -> bool:
    """A file we cannot parse is still the user's problem if it is plainly an ARM or scale-set document."""
    text = data[:65536].decode("utf-8", "replace").lower()
    markers = (
        "deploymenttemplate",
        "deploymentparameters",
        "virtualmachinescalesets",
        "virtualmachineprofile",
    )
    return any(marker in text for marker in markers)


def _load_bicep(run: GitRun, rev: str | None, path: str, label: str) -> InputFile | None:
    """A `.bicep` side compiled to ARM JSON; without a compiler the file is skipped with a notice saying how."""
    command = bicep_command()
    if command is None:
        note = f"{path}: skipped, no Bicep compiler on PATH ({BICEP_HINT})"
        if note not in run.notices:
            run.notices.append(note)
        return None
    if rev is None:
        source = run.repo.working_path(path)  # not a symlink out of the repository
    else:
        if not run.repo.exists(rev, path):
            return None
        if rev not in run.exported:
            dest = run.tmp / f"tree-{len(run.exported)}"
            run.repo.export(rev, dest)
            run.exported[rev] = dest
        source = run.exported[rev] / path
    if not source.is_file():
        return None
    return parse_text(compile_bicep(command, source, label), label)
