"""An `az vmss update` command as data: its edits, where each edit landed, and whose scale set it targets.

The vocabulary the three halves of the emulation share (`az_command` reads a command line into it,
`generic_update` applies its generic edits, `az_update` builds the PUT), kept apart so none of them has to
import another only for its types.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from vmss_lint.core.records import Record

Json: TypeAlias = bool | int | float | str | list["Json"] | dict[str, "Json"] | None
Seg: TypeAlias = str | int
Op = Literal["set", "add", "remove"]

MAX_COMMAND_CHARS = 256 * 1024


class AzEdit(Record):
    """One change the command asks for; custom arguments (kind != "generic") carry an already-typed value."""

    label: str
    op: Op
    flag: str
    path: str
    args: tuple[str, ...] = ()
    kind: Literal["generic", "preset", "security"] = "generic"
    value: Json = None


class AzUpdateCommand(Record):
    text: str
    resource_group: str | None
    name: str | None
    subscription: str | None
    force_string: bool
    edits: tuple[AzEdit, ...]
    accepted: tuple[str, ...]  # flags accepted on purpose although they leave the model alone (--no-wait, -o)


class EditTrace(Record):
    """Where an edit landed, in resolved segments of the flattened document (real keys, non-negative indexes)."""

    label: str
    path: tuple[Seg, ...]
    op: Op
    removed_path: tuple[Seg, ...] | None = None


def trace_pointer(trace: EditTrace, *, removed: bool = False) -> str:
    """RFC 6901 pointer into the flattened document; `removed=True` points at the value a --remove took out."""
    segs = trace.removed_path if removed and trace.removed_path is not None else trace.path
    return "".join("/" + str(s).replace("~", "~0").replace("/", "~1") for s in segs)


def check_target(
    cmd: AzUpdateCommand, resource_group: str | None, name: str | None, subscription: str | None = None
) -> str | None:
    """Azure names are case-insensitive; a mismatch means the command was planned for another scale set.
    Every part that differs is named (subscription, resource group, name), so one run says all of it."""
    differs = [
        f"{what} '{planned}' (the current model's is '{actual}')"
        for what, planned, actual in (
            ("subscription", cmd.subscription, subscription),
            ("resource group", cmd.resource_group, resource_group),
            ("name", cmd.name, name),
        )
        if planned is not None and actual is not None and planned.casefold() != actual.casefold()
    ]
    if not differs:
        return None
    return "the az command targets another scale set: " + ", ".join(differs)


class EditError(Exception):
    """A refusal while reading or applying an edit; turned into an `InputError` naming the edit."""

    def __init__(self, problem: str, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def short(text: object, limit: int = 60) -> str:
    """A value quoted for a message: one line whatever the input holds, and never longer than `limit`."""
    s = repr(text)
    return s if len(s) <= limit else s[: limit - 3] + "..."
