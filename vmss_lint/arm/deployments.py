"""Nested and linked deployments: what the template walker reads of a deployment resource to
descend into the template it deploys.

A `Microsoft.Resources/deployments` resource holds a template inline or links one by `relativePath`;
its resources go to the subscription and resource group it names, and an `inner`-scope one evaluates
with the parameters it passes (a Key Vault reference among them is unknown and secret). This module
reads those parts; `vmss_lint.arm.templates` walks the template they lead to. A linked file is
confined (`vmss_lint.core.confine`): one outside the root is refused before it is opened.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.arm.expressions.api import Unknown, references_secret, resolve
from vmss_lint.arm.files import InputFile
from vmss_lint.arm.json_values import escape_pointer_token
from vmss_lint.arm.template_options import ParameterValues, TemplateParams
from vmss_lint.arm.template_resources import Origin, clip, local_pointer, where_in
from vmss_lint.core.errors import InputError


def deployment_target(
    res: dict[str, Any], pointer: str, origin: Origin
) -> tuple[tuple[str, str], dict[str, Any]]:
    """The (subscription, resource group) the deployment's resources go to, the parent's where it names
    neither, and the evaluation-context overrides (`subscription()`, `resourceGroup()`) its template sees."""
    target = list(origin.target)
    overrides: dict[str, Any] = {}
    for i, key in enumerate(("subscriptionId", "resourceGroup")):
        value = resolve(res.get(key), origin.scope, local_pointer(origin.scope, f"{pointer}/{key}"))
        if value is not None:
            target[i] = value.lower() if isinstance(value, str) else str(res.get(key))
        if isinstance(value, str):
            overrides["subscription" if i == 0 else "resource_group"] = {
                "subscriptionId" if i == 0 else "name": value
            }
    return (target[0], target[1]), overrides


def passed_parameters(props: dict[str, Any], pointer: str, origin: Origin) -> ParameterValues:
    """The parameter values an `inner`-scope deployment passes, evaluated in the parent's scope; a value
    that reads a secure parameter, or a Key Vault reference, stays secret in the inner template."""
    values = ParameterValues()
    passed = props.get("parameters")
    for name, entry in (passed or {}).items() if isinstance(passed, dict) else []:
        key = name.lower()
        entry_ptr = f"{pointer}/properties/parameters/{escape_pointer_token(name)}"
        if isinstance(entry, dict) and "value" in entry:
            values.values[key] = resolve(
                entry["value"], origin.scope, local_pointer(origin.scope, entry_ptr + "/value")
            )
            if references_secret(entry["value"], origin.scope):
                values.secret.add(key)
        elif isinstance(entry, dict) and "reference" in entry:
            values.values[key] = Unknown(
                f"parameter '{name}' is a Key Vault reference, read only at deployment",
                f"[parameters('{name}')]",
            )
            values.secret.add(key)
        pos = origin.file.parsed.key_positions.get(entry_ptr)
        values.origins[key] = f"{_short(origin.file.path)}:{pos[0]}" if pos else _short(origin.file.path)
    return values


def open_linked(
    origin: Origin, rel: Any, pointer: str, options: TemplateParams, root: str | None
) -> InputFile | None:
    """The template a deployment links by `relativePath`, or None when it is not there (git mode reads
    it from the revision, through `options.open_linked`); one that resolves outside the confinement
    root (see `vmss_lint.core.confine`) is refused, naming the reference and never the outside file."""
    from vmss_lint.core.confine import OutsideRoot

    ptr = pointer + "/properties/templateLink/relativePath"
    target = resolve(rel, origin.scope, local_pointer(origin.scope, ptr))
    if not isinstance(target, str):
        return None
    try:
        if options.open_linked is not None:
            return options.open_linked(origin.file, target)
        return open_relative(origin.file, target, root=root)
    except OutsideRoot as exc:
        # As written only: the resolved path could carry parameter values, secure ones included.
        written = clip(rel if isinstance(rel, str) else str(rel))
        raise InputError(
            origin.file.path,
            f"templateLink.relativePath '{written}' at {ptr} resolves outside {exc.root}; refused, not read",
            where=where_in(origin.file, ptr),
            hint="a linked template must be a file inside that folder",
        ) from None


def open_relative(parent: InputFile, relative: str, *, root: str | None = None) -> InputFile | None:
    """A linked template next to the parent file on disk (None when the parent is not a real file or
    the target is not there). It must resolve, symlinks included, inside `root` (default: the parent's
    folder), else `OutsideRoot` is raised before the target is opened or even looked at."""
    from pathlib import Path

    from vmss_lint.arm.files import read_file
    from vmss_lint.core.confine import OutsideRoot, confined

    base = Path(parent.path)
    if not base.is_file():
        return None
    folder = root if root is not None else folder_of(parent)
    target = confined(base.parent / relative, folder) if folder is not None else None
    if target is None:
        raise OutsideRoot(parent.path, f"the folder of the template given on the command line ({folder})")
    if not target.is_file():
        return None
    return read_file(target, role="linked template")


def folder_of(file: InputFile) -> str | None:
    """The folder a file-mode template's links are confined to: its own, symlinks resolved (None when
    the template is not a file on disk, such as stdin or a git revision)."""
    import os

    if file.path == "-" or not os.path.isfile(file.path):
        return None
    return os.path.realpath(os.path.dirname(os.path.abspath(file.path)))


def _short(path: str) -> str:
    from pathlib import PurePath

    return PurePath(path).name
