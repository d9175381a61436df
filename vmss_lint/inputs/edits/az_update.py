"""A planned `az vmss update` run the way azure-cli 2.91 runs it: generic edits, custom arguments, the PUT.

Teams plan scale-set changes as CLI one-liners, not templates, so the linter has to predict exactly what
azure-cli would PUT. `vmss update` is a generic update with getter `get_vmss_modified_by_aaz` and setter
`update_vmss`: the getter hands the generic update (`generic_update`) the plain `az vmss show` dict with
`storageProfile.imageReference` set to None; the setter applies the custom arguments (`--max-surge`, ...)
after every generic edit and builds the PUT through the AAZ schema (`aaz_put`), which decides what is
really sent. This module owns that order, the setter's custom arguments, and which edits change nothing.
"""

from __future__ import annotations

import copy

from vmss_lint.core import records
from vmss_lint.core.errors import InputError
from vmss_lint.inputs.edits import aaz_put
from vmss_lint.inputs.edits.aaz_put import AazRefusal, to_snack_case
from vmss_lint.inputs.edits.command import (
    MAX_COMMAND_CHARS,
    AzEdit,
    AzUpdateCommand,
    EditError,
    EditTrace,
    Json,
    check_target,
    trace_pointer,
)
from vmss_lint.inputs.edits.generic_update import apply_az_update, apply_one, kind_of, split_key_value

__all__ = [  # the names tests and callers import from here (the command's types moved to `command`)
    "MAX_COMMAND_CHARS",
    "AzEdit",
    "AzUpdateCommand",
    "EditTrace",
    "Emulation",
    "apply_az_update",
    "check_target",
    "emulate",
    "trace_pointer",
]


def _apply_preset(converted: dict[str, Json], edit: AzEdit) -> None:
    """A custom argument as update_vmss applies it: on the snake_case dict, creating missing levels."""
    segs = [to_snack_case(s) for s in edit.path.split(".")]
    if edit.flag.startswith("--regular-priority-") and converted.get("orchestration_mode") != "Flexible":
        raise EditError(
            "--regular-priority-count/--regular-priority-percentage is only available for VMSS with flexible"
            " orchestration mode"
        )
    node: dict[str, Json] = converted
    for seg in segs[:-1]:
        if node.get(seg) is None:
            node[seg] = {}
        child = node[seg]
        if not isinstance(child, dict):
            raise EditError(f"'{seg}' is {kind_of(child)}, not an object")
        node = child
    if edit.flag == "--enable-proxy-agent":  # update_vmss makes sure wireServer and imds exist (as {})
        for side in ("wire_server", "imds"):
            if node.get(side) is None:
                node[side] = {}
    if edit.flag == "--ephemeral-os-disk":  # false: "set ephemeral disk setting as empty"; true: create it
        if edit.value is False or node.get(segs[-1]) is None:
            node[segs[-1]] = {}
        return
    value = _security_profile(node, edit.value) if edit.kind == "security" else _snake_keys(edit.value)
    node[segs[-1]] = value


def _snake_keys(value: Json) -> Json:
    if isinstance(value, dict):
        return {to_snack_case(k): v for k, v in value.items()}
    return value


def _security_profile(vm_profile: dict[str, Json], given: Json) -> Json:
    """update_vmss replaces the whole securityProfile; which shape depends on the current securityType."""
    assert isinstance(given, dict)
    old = vm_profile.get("security_profile")
    prev = old.get("security_type") if isinstance(old, dict) else None
    stype, boot, vtpm = given.get("securityType"), given.get("secureBootEnabled"), given.get("vTpmEnabled")
    if stype == "TrustedLaunch" and prev != stype:
        boot, vtpm = (False if boot is None else boot), (True if vtpm is None else vtpm)
        return {"security_type": stype, "uefi_settings": {"secure_boot_enabled": boot, "v_tpm_enabled": vtpm}}
    if stype == "Standard":
        return {"security_type": stype, "uefi_settings": None}
    return {"uefi_settings": {"secure_boot_enabled": boot, "v_tpm_enabled": vtpm}}  # securityType dropped


class Emulation(records.Record):
    """What azure-cli would do with one command: the PUT body (REST shape) and where each edit landed."""

    body: dict[str, Json]
    traces: list[EditTrace]
    no_effect: list[tuple[AzEdit, str]]  # edits that change nothing in the PUT, and why


def _run(
    show: dict[str, Json], cmd: AzUpdateCommand, skip: AzEdit | None
) -> tuple[dict[str, Json], list[EditTrace], list[tuple[str, str]]]:
    doc = copy.deepcopy(show)
    vmp = doc.get("virtualMachineProfile")
    if isinstance(vmp, dict) and vmp.get("storageProfile") is not None:
        storage = vmp["storageProfile"]
        if isinstance(
            storage, dict
        ):  # "To avoid unnecessary permission check of image" (get_vmss_modified_by_aaz)
            storage["imageReference"] = None
    traces: list[EditTrace] = []
    for edit in cmd.edits:
        if edit.kind == "generic" and edit is not skip:
            traces.append(apply_one(doc, edit, cmd.force_string))
    dropped: list[tuple[str, str]] = []
    converted = aaz_put.convert_show(doc, dropped)
    for edit in cmd.edits:
        if edit.kind != "generic" and edit is not skip:
            _apply_preset(converted, edit)
            traces.append(EditTrace(label=edit.label, path=tuple(edit.path.split(".")), op="set"))
    converted.update({"resource_group": "rg", "vm_scale_set_name": "name", "no_wait": False})
    return aaz_put.build_put(converted, dropped), traces, dropped


def emulate(show: dict[str, Json], cmd: AzUpdateCommand, source: str) -> Emulation:
    """Run the command the way azure-cli 2.91 would, against `show` (the `az vmss show` dict)."""
    if not isinstance(show, dict):
        raise InputError(source, "the current model must be a JSON object (az vmss show output)")
    try:
        body, traces, dropped = _run(show, cmd, None)
    except EditError as exc:
        raise InputError(source, exc.problem, where=_label(_culprit(show, cmd)), hint=exc.hint) from None
    except AazRefusal as exc:
        culprit = _culprit(show, cmd)
        raise InputError(
            source,
            f"azure-cli would refuse it: {exc.message}",
            where=_label(culprit),
            hint=_no_value_hint(culprit),
        ) from None
    no_effect: list[tuple[AzEdit, str]] = []
    for edit in cmd.edits:
        try:
            without = _run(show, cmd, edit)[0]
        except (EditError, AazRefusal):
            continue
        if without == body or _omits_only(edit):
            no_effect.append((edit, _why(edit, dropped)))
    return Emulation(body=body, traces=traces, no_effect=no_effect)


def _omits_only(edit: AzEdit) -> bool:
    """`--remove a.b.c` outside any list only leaves c out of the PUT, and Azure keeps what a PUT omits.

    Inside a list element the element is sent without the key, which replaces it: that one is a change.
    """
    return edit.kind == "generic" and edit.op == "remove" and not edit.args and "[" not in edit.path


def _culprit(show: dict[str, Json], cmd: AzUpdateCommand) -> AzEdit | None:
    """The edit the refusal comes from: the first one whose prefix of the command is refused."""
    for n in range(1, len(cmd.edits) + 1):
        try:
            _run(show, records.replace(cmd, edits=cmd.edits[:n]), None)
        except (EditError, AazRefusal):
            return cmd.edits[n - 1]
    return None


def _label(edit: AzEdit | None) -> str | None:
    return None if edit is None else edit.label


def _no_value_hint(edit: AzEdit | None) -> str | None:
    """`--set PATH` without `=VALUE` is not a usage error to azure-cli 2.91: it sets PATH to the empty string
    (checked against the real CLI, docs/edits.md), so the schema's refusal of that empty string says why."""
    if edit is None or edit.kind != "generic" or edit.op != "set" or "=" in edit.args[0]:
        return None
    return f"--set {edit.path} has no =VALUE, so azure-cli sets it to the empty string; give --set PATH=VALUE"


def _why(edit: AzEdit, dropped: list[tuple[str, str]]) -> str:
    if edit.op == "remove" and not edit.args:
        return "azure-cli only leaves the property out of the PUT, and Azure keeps a property the PUT omits"
    target = _label_path(edit)
    for path, reason in dropped:
        if target == path or target.startswith(path + ".") or target.startswith(path + "["):
            return reason
    return "the PUT azure-cli sends is the same without it (the value is already the current one)"


def _label_path(edit: AzEdit) -> str:
    if edit.kind == "generic" and edit.op == "set":
        try:
            return split_key_value(edit.args[0])[0]
        except EditError:
            return edit.path
    return edit.path
