"""Git mode: lint what a commit, a branch or a pull request changes, straight from the repository.

This is how the pre-commit hook and the GitHub Action run: they know a base revision, not two files.
Each changed file is paired with its own version at the base (under its old name when it was renamed),
so the result is the same whichever subset of files a caller passes: pre-commit may split the file list
into batches, and a parameters file in one batch still re-lints its template from the other. JSON that
is neither a template, a parameters file nor a scale-set model is skipped without a word, because a
repository is full of `package.json` and friends.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from vmss_lint.arm.files import InputFile
from vmss_lint.arm.template_options import TemplateParams
from vmss_lint.core import records
from vmss_lint.core.confine import OutsideRoot
from vmss_lint.core.errors import InputError
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.inputs.git.files import (
    GitRun,
    is_plan,
    load_side,
    note,
    open_linked,
    relabel,
    renames,
    side_copy,
)
from vmss_lint.inputs.git.repo import Repo
from vmss_lint.inputs.git.selection import relevant, selected
from vmss_lint.inputs.git.units import (
    Sides,
    Unit,
    parameters_for_template,
    resolve_sides,
    template_for_parameters,
    units_for,
)
from vmss_lint.inputs.pairs import InputSet, ModelPair
from vmss_lint.inputs.read import kind_of, model_from

__all__ = [  # imported from here by config/trust.py and the tests (they moved to `units`)
    "Sides",
    "git_inputs",
    "parameters_for_template",
    "resolve_sides",
    "template_for_parameters",
]


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
        run = GitRun(
            repo=repo,
            sides=sides,
            params=user_params,
            tmp=Path(tmp),
            live=live,
            plan_patterns=patterns,
            notices=notices,
            untrusted=untrusted,
        )
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
        notices=[relabel(run, n) for n in run.notices],
        suppressions=run.suppressions,
        renames=renames(run),
        weakenings=[records.replace(w, source=relabel(run, w.source)) for w in run.weakenings],
    )


def _pair_unit(run: GitRun, unit: Unit, cwd: Path | None) -> None:
    from vmss_lint.inputs.pairing import pairs_from_files, trusted_suppressions

    sides = run.sides
    base_file = _ours(load_side(run, sides.base, unit.base_path))
    head_file = _ours(load_side(run, sides.head, unit.head_path))
    if base_file is None and head_file is None:
        return  # not ours: a parameters file without its template, a patch, package.json, ...
    if head_file is not None and is_plan(head_file):
        base_file = None  # a Terraform plan holds both sides: its base revision says nothing
    elif run.live is not None:
        if head_file is None:
            note(
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
    return file if kind_of(file.value) in ("model", "template") or is_plan(file) else None


def _is_bicep(unit: Unit) -> bool:
    return (unit.head_path or unit.base_path or "").lower().endswith(".bicep")


def _unit_params(run: GitRun, unit: Unit, cwd: Path | None) -> TemplateParams:
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
                copy = side_copy(run, rev, conventional)
            except OutsideRoot as exc:
                note(run, f"{exc}, so its parameters are not used")
        per_side[role] = [copy] if copy is not None else []
        if copy is not None and path is not None and conventional is not None:
            run.notices.append(
                f"{role} template {run.label(rev, path)}: parameters from {run.label(rev, conventional)} "
                "(found next to it)"
            )
    return records.replace(
        user,
        current_parameters=per_side["current"],
        proposed_parameters=per_side["proposed"],
        discover=False,
        open_linked=lambda parent, relative: open_linked(run, parent, relative),
    )


def _given_copy(run: GitRun, rev: str | None, path: str, cwd: Path | None) -> str:
    """A --parameters file: inside the repository it is read at the side's revision, else as it is."""
    try:
        rel = run.repo.relative(path, cwd)
    except InputError:
        return path
    copy = side_copy(run, rev, rel)
    if copy is None:
        raise InputError(path, f"parameters file does not exist at {run.label(rev, rel).split(':')[0]}")
    return copy
