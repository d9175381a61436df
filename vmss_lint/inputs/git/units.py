"""What git mode compares: the two revisions (`Sides`) and the files to lint across them (`Unit`).

A changed parameters file stands for the template it feeds, and a renamed file is paired with its old
name at the base, so the units are the same whichever subset of files a caller passes (pre-commit may
split the file list into batches). Kept apart from `mode`, which reads and pairs the units.
"""

from __future__ import annotations

import os

from vmss_lint.arm.files import parse_text
from vmss_lint.core.errors import InputError
from vmss_lint.core.records import Record
from vmss_lint.inputs.git.repo import FileChange, Repo
from vmss_lint.inputs.read import kind_of

PARAMS_SUFFIX = ".parameters.json"


class Sides(Record):
    """The two revisions compared: `None` as base means no commit yet, `None` as head the working tree."""

    base: str | None
    head: str | None
    base_label: str
    head_label: str


def resolve_sides(
    repo: Repo, base: str | None, head: str | None, *, pre_commit: bool = False
) -> tuple[Sides, list[str]]:
    """Pick the revisions: explicit options first, then what pre-commit exported, then HEAD.

    Under pre-commit with `--from-ref/--to-ref` (pre-push, CI) the file list is a three-dot diff, so the
    base is the merge base of the two refs and the head is the `to` ref, which need not be checked out.
    For a plain commit pre-commit has stashed the unstaged changes, so the working tree is what is
    being committed and HEAD is what it replaces.
    """
    notices: list[str] = []
    if pre_commit and base is None:
        from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
        if from_ref and to_ref:
            to_sha = repo.resolve(to_ref, option="PRE_COMMIT_TO_REF")
            from_sha = repo.resolve(from_ref, option="PRE_COMMIT_FROM_REF")
            head_side = repo.resolve(head, option="--head") if head is not None else to_sha
            merge_base = repo.merge_base(from_sha, to_sha) or from_sha
            return Sides(base=merge_base, head=head_side, base_label=from_ref, head_label=head or to_ref), []
        if not repo.has_commits():
            notices.append("no commit yet: every scale set is new, so there is nothing to compare")
            return Sides(
                base=None, head=None, base_label="(no commits)", head_label="the working tree"
            ), notices
        base = "HEAD"
    if base is None:
        raise InputError("--base", "git mode needs a base revision", hint="e.g. --base origin/main")
    base_sha = repo.resolve(base, option="--base")
    head_sha = repo.resolve(head, option="--head") if head is not None else None
    return Sides(
        base=base_sha, head=head_sha, base_label=base, head_label=head or "the working tree"
    ), notices


class Unit(Record):
    """One file to lint across the two sides: its path at the base and at the head (None: absent)."""

    base_path: str | None
    head_path: str | None


def template_for_parameters(path: str) -> list[str]:
    """The templates a parameters file belongs to by the usual names (`x.parameters.json` → `x.json`,
    a portal export's `parameters.json` → `template.json`)."""
    if path.lower().endswith(PARAMS_SUFFIX):
        stem = path[: -len(PARAMS_SUFFIX)]
        return [stem + ".json", stem + ".bicep"]
    head, _, name = path.rpartition("/")
    if name.lower() == "parameters.json":
        return [f"{head}/template.json" if head else "template.json"]
    return []


def parameters_for_template(path: str) -> str | None:
    """The parameters file a template is conventionally read with (the inverse of `template_for_parameters`)."""
    lowered = path.lower()
    if lowered.endswith(PARAMS_SUFFIX) or lowered.rpartition("/")[2] == "parameters.json":
        return None
    if lowered.rpartition("/")[2] == "template.json":
        return path[: -len("template.json")] + "parameters.json"
    for ext in (".json", ".bicep"):
        if lowered.endswith(ext):
            return path[: -len(ext)] + PARAMS_SUFFIX
    return None


def units_for(repo: Repo, sides: Sides, changes: list[FileChange]) -> list[Unit]:
    """Turn changed files into files to lint; a changed parameters file stands for its template."""
    renamed_from = {c.path: c.old_path for c in changes if c.status == "renamed"}
    units: dict[Unit, None] = {}
    for change in changes:
        template = _template_of(repo, sides, change)
        if template is not None:
            in_head = repo.exists(sides.head, template)
            base_name = renamed_from.get(template) or template
            in_base = sides.base is not None and repo.exists(sides.base, base_name)
            if in_head or in_base:
                units[
                    Unit(base_path=base_name if in_base else None, head_path=template if in_head else None)
                ] = None
                continue
        units[Unit(base_path=change.base_path, head_path=change.head_path)] = None
    return list(units)


def _template_of(repo: Repo, sides: Sides, change: FileChange) -> str | None:
    """The template a changed parameters file feeds, if it is one and the template is there."""
    for candidate in template_for_parameters(change.path):
        if not (repo.exists(sides.head, candidate) or (sides.base and repo.exists(sides.base, candidate))):
            continue
        try:
            data = repo.read(sides.head, change.path) if change.head_path else None
            if data is None and change.base_path and sides.base:
                data = repo.read(sides.base, change.base_path)
        except InputError:  # outside the repository or over the size limit: not a parameters file to us
            continue
        if data is not None and _kind(data, change.path) == "parameters":
            return candidate
    return None


def _kind(data: bytes, name: str) -> str:
    try:
        return kind_of(parse_text(data, name).value)
    except InputError:
        return "unknown"
