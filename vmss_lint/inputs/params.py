"""Where template parameter values and the deployment context come from.

ARM takes a parameter's value from the deployment's parameters (files, later ones winning), else from
the template's `defaultValue`. vmss-lint does the same, and remembers where each value came from so a
finding can say "parameters('vmSku') = prod.parameters.json:6". When no file is given, the one that
sits next to the template by the usual names is used, and the report says so, because a silently
different parameter set would make the comparison mean something else than the user thinks.

Parameter-file values are literals, never expressions (ARM does not evaluate them). A Key Vault
reference cannot be read offline: it becomes an `Unknown`, and the parameter counts as a secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vmss_lint.arm.expressions.api import Unknown
from vmss_lint.arm.files import InputFile, read_file
from vmss_lint.arm.template_options import LinkedLoader as LinkedLoader
from vmss_lint.arm.template_options import ParameterValues as ParameterValues
from vmss_lint.arm.template_options import TemplateContext as TemplateContext
from vmss_lint.arm.template_options import TemplateParams as TemplateParams
from vmss_lint.arm.template_options import with_overrides as with_overrides
from vmss_lint.core.errors import InputError
from vmss_lint.inputs.read import kind_of


def load_parameters(paths: list[str]) -> ParameterValues:
    """Read deploymentParameters files in order; a later file's value replaces an earlier one's."""
    out = ParameterValues()
    for path in paths:
        merge_parameters(out, read_file(path, role="parameters"))
    return out


def merge_parameters(out: ParameterValues, file: InputFile) -> None:
    """Add one parameters file's values to `out` (later wins)."""
    value = file.value
    if not isinstance(value, dict):
        raise InputError(file.path, "a parameters file must be a JSON object")
    kind = kind_of(value)
    if kind == "template":
        raise InputError(
            file.path,
            "this is a template, not a parameters file",
            hint="pass templates as CURRENT/PROPOSED and parameters files with --parameters",
        )
    entries = value.get("parameters") if isinstance(value.get("parameters"), dict) else value
    if not isinstance(entries, dict):
        raise InputError(file.path, "'parameters' must be an object of name -> {value | reference}")
    out.files.append(file.path)
    for name, entry in entries.items():
        if name.startswith("$") or name in ("contentVersion", "metadata"):
            continue
        pointer = f"/parameters/{_esc(name)}" if entries is not value else f"/{_esc(name)}"
        if not isinstance(entry, dict) or not ("value" in entry or "reference" in entry):
            raise InputError(
                file.path,
                f"parameter '{name}' needs a 'value' or a Key Vault 'reference'",
                where=_where(file, pointer),
            )
        key = name.lower()
        if "reference" in entry:
            ref = entry["reference"]
            secret_name = ref.get("secretName") if isinstance(ref, dict) else None
            out.values[key] = Unknown(
                f"parameter '{name}' is a Key Vault reference (secret '{secret_name}'), read only at deployment",
                f"[parameters('{name}')]",
            )
            out.secret.add(key)
            out.origins[key] = _origin(file, f"{pointer}/reference")
            _position(out, key, file, f"{pointer}/reference")
        else:
            out.values[key] = entry["value"]
            out.secret.discard(key)
            out.origins[key] = _origin(file, f"{pointer}/value")
            _position(out, key, file, f"{pointer}/value")


def discover_parameters(template_path: str) -> str | None:
    """The parameters file that conventionally belongs to a template, if one sits next to it.

    `x.json` -> `x.parameters.json` (quickstart and Visual Studio convention, so `azuredeploy.json` ->
    `azuredeploy.parameters.json`); a portal export's `template.json` -> `parameters.json`. One that is a
    symlink resolving outside the template's folder is refused unread (`vmss_lint.core.confine`).
    """
    import os

    from vmss_lint.core.confine import OutsideRoot, confined

    path = Path(template_path)
    if not path.is_file():
        return None
    candidates = [path.with_name(f"{path.stem}.parameters.json")]
    if path.name.lower() == "template.json":
        candidates.append(path.with_name("parameters.json"))
    folder = os.path.realpath(path.parent)
    for candidate in candidates:
        if not os.path.lexists(candidate):
            continue
        if confined(candidate, folder) is None:
            raise OutsideRoot(
                str(candidate),
                f"the template's folder ({folder})",
                what="is the parameters file next to the template, but it",
                hint="to use it anyway, pass it with --parameters",
            )
        if candidate.is_file():
            return str(candidate)
    return None


def load_context(path: str) -> TemplateContext:
    """Read a --context file: subscriptionId, tenantId, resourceGroup (name or object), location,
    deployment (name or object), environment (object).

    The field names follow PSRule's expansion settings so one file can serve both tools.
    """
    file = read_file(path, role="context")
    return context_from_data(file.value, path, file)


def context_from_data(data: Any, path: str, file: InputFile | None = None) -> TemplateContext:
    """The same as a --context file, from an already parsed object (the config file's `context`)."""
    if not isinstance(data, dict):
        raise InputError(path, "a context file must be a JSON object")
    allowed = {"subscriptionid", "tenantid", "subscription", "resourcegroup", "location", "deployment"}
    allowed |= {"deploymentname", "environment", "tenant", "$schema"}
    for key in data:
        if key.lower() not in allowed:
            raise InputError(
                path,
                f"unknown context field '{key}'",
                where=_where(file, f"/{_esc(key)}") if file is not None else f"context.{key}",
                hint="use subscriptionId, tenantId, resourceGroup, location, deployment, environment",
            )
    low = {k.lower(): v for k, v in data.items()}
    ctx = TemplateContext()
    sub = _as_object(low.get("subscription"), "subscriptionId", path)
    if isinstance(low.get("subscriptionid"), str):
        sub = {**(sub or {}), "subscriptionId": low["subscriptionid"]}
    ctx.subscription = sub
    if isinstance(low.get("tenantid"), str):
        ctx.tenant = {"tenantId": low["tenantid"]}
        ctx.subscription = {**(ctx.subscription or {}), "tenantId": low["tenantid"]}
    rg = _as_object(low.get("resourcegroup"), "name", path)
    if isinstance(low.get("location"), str):
        rg = {**(rg or {}), "location": low["location"]}
    ctx.resource_group = rg
    ctx.deployment = _as_object(low.get("deployment", low.get("deploymentname")), "name", path)
    env = low.get("environment")
    if env is not None and not isinstance(env, dict):
        env = {"name": env} if isinstance(env, str) else None
    ctx.environment = env
    return ctx


def _as_object(value: Any, key: str, path: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {key: value}
    if isinstance(value, dict):
        return dict(value)
    raise InputError(path, f"context value for '{key}' must be a string or an object")


def _origin(file: InputFile, pointer: str) -> str:
    pos = file.parsed.key_positions.get(pointer) or file.parsed.positions.get(pointer)
    name = Path(file.path).name
    return f"{name}:{pos[0]}" if pos else name


def _position(out: ParameterValues, key: str, file: InputFile, pointer: str) -> None:
    """Where the value sits in the parameters file (the line a pull request changes)."""
    pos = file.parsed.positions.get(pointer) or file.parsed.key_positions.get(pointer)
    if pos is not None:
        out.positions[key] = (file.path, pos[0], pos[1])
    else:
        out.positions.pop(key, None)


def _where(file: InputFile, pointer: str) -> str:
    pos = file.parsed.positions.get(pointer)
    return f"line {pos[0]}, column {pos[1]}" if pos else pointer


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
