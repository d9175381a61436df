"""Git mode: lint what a commit, a branch or a pull request changes, straight from the repository.

This is how the pre-commit hook and the GitHub Action run: they know a base revision, not two files.
Each changed file is paired with its own version at the base (under its old name when it was renamed),
so the result is the same whichever subset of files a caller passes: pre-commit may split the file list
into batches, and a parameters file in one batch still re-lints its template from the other. JSON that
is neither a template, a parameters file nor a scale-set model is skipped without a word, because a
repository is full of `package.json` and friends.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmss_lint.arm.bicep import BICEP_HINT, bicep_command, compile_bicep
from vmss_lint.arm.files import InputFile, parse_text
from vmss_lint.arm.template_options import TemplateParams
from vmss_lint.core.confine import OutsideRoot
from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.inputs.git.repo import FileChange, Repo
from vmss_lint.inputs.git.selection import named_plan, relevant, selected
from vmss_lint.inputs.pairs import InputSet, ModelPair, renamed
from vmss_lint.inputs.read import kind_of, model_from

PARAMS_SUFFIX = ".parameters.json"


@dataclass(frozen=True)
class Sides:
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
            return Sides(merge_base, head_side, from_ref, head or to_ref), []
        if not repo.has_commits():
            notices.append("no commit yet: every scale set is new, so there is nothing to compare")
            return Sides(None, None, "(no commits)", "the working tree"), notices
        base = "HEAD"
    if base is None:
        raise InputError("--base", "git mode needs a base revision", hint="e.g. --base origin/main")
    base_sha = repo.resolve(base, option="--base")
    head_sha = repo.resolve(head, option="--head") if head is not None else None
    return Sides(base_sha, head_sha, base, head or "the working tree"), notices


@dataclass(frozen=True)
class Unit:
    """One file to lint across the two sides: its path at the base and at the head (None: absent)."""

    base_path: str | None
    head_path: str | None


@dataclass
class _Run:
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
        prefix = f"{self.sides.base_label}:"
        if self.sides.base is not None and label.startswith(prefix):
            return self.sides.base, label[len(prefix) :]
        return self.sides.head, label


def git_inputs(
    base: str | None,
    head: str | None,
    paths: list[str],
    *,
    params: TemplateParams | None = None,
    pre_commit: bool = False,
    cwd: Path | None = None,
    live: InputFile | None = None,
    plan_patterns: list[str] | None = None,
    untrusted: str | None = None,
) -> InputSet:
    """The `check --base` inputs: every changed template or model between two revisions, paired.

    `paths` (relative to `cwd`) restrict the run to those files; with none, every changed `.json` and
    `.bicep` file counts, and every file a `plan_patterns` glob names (`vmss_lint.inputs.git.selection`).
    `params` carries --parameters/--context; a parameters file given there that lives in the repository
    is read at each side's revision, like the template.

    `live` (the running scale set, --live): the revisions still decide which files changed, but each
    changed template or model is compared with the live scale set instead of with its base version: what
    a pull request check wants to know is what deploying the head does to what runs. A changed file that
    does not declare that scale set is left out with a notice; a plan holds both sides and ignores it.
    `untrusted` (why the run is on an untrusted event) keeps only the template `metadata` suppressions
    the base already has.
    """
    repo = Repo(cwd)
    sides, notices = resolve_sides(repo, base, head, pre_commit=pre_commit)
    patterns = list(plan_patterns or [])
    listed = repo.changes(sides.base, sides.head, untracked=not pre_commit)
    changes = [c for c in listed if relevant(c.path, patterns)]
    if paths:
        wanted = {repo.relative(p, cwd) for p in paths}
        changes = [c for c in changes if selected(c, wanted)]
    user_params = params or TemplateParams()
    # The models are built from the copies inside the folder; nothing reads them once they are built.
    with tempfile.TemporaryDirectory(prefix="vmss-lint-") as tmp:
        run = _Run(repo, sides, user_params, Path(tmp), live, patterns, notices=notices, untrusted=untrusted)
        for unit in units_for(repo, sides, changes):
            _pair_unit(run, unit, cwd)
    if live is not None:
        run.notices.insert(
            0, f"git mode: the files changed since {sides.base_label}, compared with {live.path}"
        )
    elif sides.base is not None:
        run.notices.insert(0, f"git mode: {sides.base_label} ({sides.base[:12]}) -> {sides.head_label}")
    return InputSet(
        pairs=run.pairs,
        notices=[_relabel(run, n) for n in run.notices],
        suppressions=run.suppressions,
        renames=_renames(run),
        weakenings=[dataclasses.replace(w, source=_relabel(run, w.source)) for w in run.weakenings],
    )


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
                units[Unit(base_name if in_base else None, template if in_head else None)] = None
                continue
        units[Unit(change.base_path, change.head_path)] = None
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


def _pair_unit(run: _Run, unit: Unit, cwd: Path | None) -> None:
    from vmss_lint.inputs.pairing import pairs_from_files, trusted_suppressions

    sides = run.sides
    base_file = _ours(_load_side(run, sides.base, unit.base_path))
    head_file = _ours(_load_side(run, sides.head, unit.head_path))
    if base_file is None and head_file is None:
        return  # not ours: a parameters file without its template, a patch, package.json, ...
    if head_file is not None and _is_plan(head_file):
        base_file = None  # a Terraform plan holds both sides: its base revision says nothing
    elif run.live is not None:
        if head_file is None:
            _note(
                run, f"{unit.base_path} was deleted at {sides.head_label}; not compared with {run.live.path}"
            )
            return
        base_file = run.live
    pairs: list[tuple[ScaleSetModel | None, ScaleSetModel | None]]
    only = None if base_file is not None and head_file is not None else (head_file or base_file)
    if only is not None and kind_of(only.value) == "model":
        # A model file added or deleted: one scale set on one side (the pairing wants two files).
        model = model_from(only)
        pairs = [(None, model)] if only is head_file else [(model, None)]
    else:
        pairs, notices = pairs_from_files(
            base_file, head_file, _unit_params(run, unit, cwd), other_scale_set_ok=base_file is run.live
        )
        run.notices.extend(notices)
        # A template's own `metadata` suppressions, applied with the config's to the whole report.
        suppressions, weakenings = trusted_suppressions(base_file, head_file, run.untrusted)
        run.suppressions.extend(suppressions)
        run.weakenings.extend(weakenings)
    if unit.head_path is None and base_file is not None and base_file is not run.live:
        run.notices.append(f"{unit.base_path} was deleted at {sides.head_label}")
    # Bicep: positions are in the compiled JSON, which is not a file anyone can open.
    run.pairs.extend(ModelPair(c, p, positions=not _is_bicep(unit)) for c, p in pairs)


def _ours(file: InputFile | None) -> InputFile | None:
    if file is None:
        return None
    return file if kind_of(file.value) in ("model", "template") or _is_plan(file) else None


def _is_plan(file: InputFile) -> bool:
    from vmss_lint.inputs.terraform import is_terraform_plan

    return is_terraform_plan(file.value)


def _is_bicep(unit: Unit) -> bool:
    return (unit.head_path or unit.base_path or "").lower().endswith(".bicep")


def _unit_params(run: _Run, unit: Unit, cwd: Path | None) -> TemplateParams:
    """Per-side parameters read from each side's revision; the user's files apply to both sides."""
    user = run.params
    per_side: dict[str, list[str]] = {}
    for role, rev, path in (
        ("current", run.sides.base, unit.base_path),
        ("proposed", run.sides.head, unit.head_path),
    ):
        given = user.files_for(role)
        if given:
            per_side[role] = [_given_copy(run, rev, p, cwd) for p in given]
            continue
        conventional = parameters_for_template(path) if path is not None else None
        copy = None
        if conventional is not None:
            try:
                copy = _side_copy(run, rev, conventional)
            except OutsideRoot as exc:
                _note(run, f"{exc}, so its parameters are not used")
        per_side[role] = [copy] if copy is not None else []
        if copy is not None and path is not None and conventional is not None:
            run.notices.append(
                f"{role} template {run.label(rev, path)}: parameters from {run.label(rev, conventional)} "
                "(found next to it)"
            )
    return dataclasses.replace(
        user,
        current_parameters=per_side["current"],
        proposed_parameters=per_side["proposed"],
        discover=False,
        open_linked=lambda parent, relative: _open_linked(run, parent, relative),
    )


def _given_copy(run: _Run, rev: str | None, path: str, cwd: Path | None) -> str:
    """A --parameters file: inside the repository it is read at the side's revision, else as it is."""
    try:
        rel = run.repo.relative(path, cwd)
    except InputError:
        return path
    copy = _side_copy(run, rev, rel)
    if copy is None:
        raise InputError(path, f"parameters file does not exist at {run.label(rev, rel).split(':')[0]}")
    return copy


def _side_copy(run: _Run, rev: str | None, path: str) -> str | None:
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


def _renames(run: _Run) -> dict[str, str]:
    """A copy under the temporary folder is reported as `REF:path` (base side) or `path` (head side)."""
    return {f"{run.tmp / 'base'}{os.sep}": f"{run.sides.base_label}:", f"{run.tmp / 'head'}{os.sep}": ""}


def _relabel(run: _Run, text: str) -> str:
    return renamed(text, _renames(run))


def _open_linked(run: _Run, parent: InputFile, relative: str) -> InputFile | None:
    """A linked template's `relativePath`, read from the same revision as the template that links it."""
    rev, path = run.side_of(parent.path)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), relative.replace("\\", "/")))
    if target == ".." or target.startswith("../") or posixpath.isabs(target) or "\0" in target:
        raise OutsideRoot(parent.path, "the repository")  # refused by the template walker, naming the link
    return _load(run, rev, target)  # a working-tree symlink out of the repository raises OutsideRoot too


def _load_side(run: _Run, rev: str | None, path: str | None) -> InputFile | None:
    """`_load` for a changed file: one that resolves outside the repository (a working-tree symlink) is
    not followed, and the run says so instead of failing on a file that is not the change's."""
    try:
        return _load(run, rev, path)
    except OutsideRoot as exc:
        _note(run, f"{exc}, so the file is skipped")
        return None


def _note(run: _Run, text: str) -> None:
    if text not in run.notices:
        run.notices.append(text)


def _load(run: _Run, rev: str | None, path: str | None) -> InputFile | None:
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
            _note(run, f"{label} is over the input size limit; treated as absent")
            return None
        if _looks_like_ours(run.repo.start(rev, path)):
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
        if _looks_like_ours(data):
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
    if not _is_plan(file):
        raise InputError(
            label, f"matches terraform-plans '{pattern}' but is not Terraform plan JSON", hint=hint
        )
    return file


def _looks_like_ours(data: bytes) -> bool:
    """A file we cannot parse is still the user's problem if it is plainly an ARM or scale-set document."""
    text = data[:65536].decode("utf-8", "replace").lower()
    markers = (
        "deploymenttemplate",
        "deploymentparameters",
        "virtualmachinescalesets",
        "virtualmachineprofile",
    )
    return any(marker in text for marker in markers)


def _load_bicep(run: _Run, rev: str | None, path: str, label: str) -> InputFile | None:
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
