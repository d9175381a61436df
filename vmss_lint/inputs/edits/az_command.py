"""Reading a planned `az vmss update` command line into edits, the way azure-cli reads it.

Split from `az_update` (which applies the edits) and `az_flags` (azure-cli's flag table): this part knows
the shell quoting, argparse's reading of flags and values, and the command's own target arguments.
"""

from __future__ import annotations

import re
import shlex

from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.inputs.edits.az_flags import ALIASES, HARMLESS, REFUSED, custom_edits, nargs
from vmss_lint.inputs.edits.command import MAX_COMMAND_CHARS, AzEdit, AzUpdateCommand, EditError, Op, short
from vmss_lint.inputs.edits.generic_update import split_key_value

_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")
_VMSS_ID = re.compile(
    r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Compute/"
    r"virtualMachineScaleSets/([^/]+)/?$",
    re.IGNORECASE,
)
_FORM = "az vmss update --resource-group RG --name NAME [--set PATH=VALUE ...] [--add PATH VALUE ...] [--remove PATH [INDEX]]"


def _shell_tokens(command: str, source: str) -> list[str]:
    """Undo what bash would, and refuse what it would do that we cannot (expansions, several commands)."""
    if len(command) > MAX_COMMAND_CHARS:
        raise LimitExceeded(source, f"the command is longer than {MAX_COMMAND_CHARS} characters")
    text = command.replace("\\\r\n", "").replace("\\\n", "").strip()
    text = text[1:].lstrip() if text.startswith("$ ") else text
    single = double = False
    i = 0
    while i < len(text):
        ch = text[i]
        if single:
            single = ch != "'"
        elif ch == "\\":
            i += 1
        elif ch == "'" and not double:
            single = True
        elif ch == '"':
            double = not double
        elif ch == "`" or (ch == "$" and re.match(r"[A-Za-z0-9_{(@*#?!$-]", text[i + 1 : i + 2])):
            hint = "paste it with the values filled in, as `echo az vmss update ...` prints it"
            raise InputError(
                source, f"the command uses shell expansion at {short(text[i : i + 20])}", hint=hint
            )
        elif not double and ch == "#" and (i == 0 or text[i - 1].isspace()):
            text = text[:i]
        elif not double and (ch in ";&|<>" or (ch in "\r\n" and text[i:].strip())):
            raise InputError(
                source, "give one `az vmss update` command per string, without pipes or redirections"
            )
        i += 1
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise InputError(
            source, f"can't split the command as bash would ({exc})", hint="check the quotes"
        ) from None


def _label_key(expr: str) -> str:
    try:
        return split_key_value(expr)[0]
    except EditError:
        return expr  # reported with this label when applied


def _is_flag(token: str) -> bool:
    return token.startswith("-") and token != "-" and " " not in token and not _NEGATIVE_NUMBER.match(token)


def _occurrences(tokens: list[str], source: str) -> list[tuple[str, str, list[str]]]:
    """argparse's reading: (canonical flag, flag as typed, its values), in command-line order."""
    found: list[tuple[str, str, list[str]]] = []
    i = 0
    while i < len(tokens):
        typed, values = tokens[i], []
        if not _is_flag(typed):
            raise InputError(source, f"unexpected argument {short(typed)}", hint=f"the form is: {_FORM}")
        if typed.startswith("--") and "=" in typed:
            typed, attached = typed.split("=", 1)
            values.append(attached)
        canon = ALIASES.get(typed, typed)
        n_args = nargs(canon)
        if n_args is None:
            problem = f"flag {typed} is not supported by vmss-lint yet; express it as --set PATH=VALUE"
            raise InputError(source, problem, where=typed)
        i += 1
        while i < len(tokens) and not _is_flag(tokens[i]) and (n_args == "+" or (n_args != 0 and not values)):
            values.append(tokens[i])
            i += 1
        if (n_args == 0 and values) or (n_args == 1 and len(values) != 1) or (n_args == "+" and not values):
            want = {0: "no value", 1: "one value", "+": "at least one value"}[n_args]
            raise InputError(source, f"{typed} expects {want}", where=typed, hint=f"the form is: {_FORM}")
        found.append((canon, typed, values))
    return found


def _remember_secret_values(text: str) -> None:
    """`--set ...adminPassword=VALUE` (any secret key, any case): VALUE is a secret for every message
    that could quote the command (`vmss_lint.core.redact`)."""
    from vmss_lint.core.redact import SECRET_KEYS, remember

    lowered = text.lower()
    if not any(key.lower() in lowered for key in SECRET_KEYS):
        return
    import re

    keys = "|".join(re.escape(k) for k in SECRET_KEYS)
    for match in re.finditer(rf"(?i)(?:{keys})[^=\s]*=(\S+)", text):
        value = match.group(1)
        remember(value)
        remember(value.strip("\"'"))


def parse_az_update(command: str, *, source: str = "--az-update") -> AzUpdateCommand:
    """Read one pasted `az vmss update` command; every flag becomes an edit, is harmless, or is refused."""
    _remember_secret_values(command)
    tokens = _shell_tokens(command, source)
    for token in tokens:
        _remember_secret_values(token)
    if [t.lower() for t in tokens[:3]] != ["az", "vmss", "update"]:
        got = " ".join(tokens[:3])[:60] or "an empty command"
        raise InputError(
            source, f"expected a planned `az vmss update` command, got `{got}`", hint=f"the form is: {_FORM}"
        )
    own: dict[str, str] = {}
    accepted: list[str] = []
    edits: list[tuple[int, AzEdit]] = []
    custom: dict[str, tuple[int, str, list[str]]] = {}
    force = False
    for canon, typed, values in _occurrences(tokens[3:], source):
        n = len(edits) + len(custom) + 1
        if canon in REFUSED:
            raise InputError(source, f"{typed} {REFUSED[canon]}", where=typed)
        if canon in HARMLESS:
            accepted.append(" ".join([typed, *values]))
        elif canon == "--force-string":
            force = True
        elif canon in ("--resource-group", "--name", "--subscription", "--ids"):
            if own.setdefault(canon, " ".join(values)) != " ".join(values):
                raise InputError(source, f"{typed} is given twice with different values", where=typed)
        elif canon == "--set":
            for m, expr in enumerate(values, n):
                key = _label_key(expr)
                edits.append(
                    (m, AzEdit(label=f"--set #{m} {key}", op="set", flag=canon, path=key, args=(expr,)))
                )
        elif canon in ("--add", "--remove"):
            if canon == "--remove" and len(values) > 2:
                raise InputError(source, "--remove takes PATH [INDEX]", where=f"--remove {values[0]}")
            op: Op = "add" if canon == "--add" else "remove"
            edits.append(
                (
                    n,
                    AzEdit(
                        label=f"{canon} #{n} {values[0]}",
                        op=op,
                        flag=canon,
                        path=values[0],
                        args=tuple(values[1:]),
                    ),
                )
            )
        elif custom.setdefault(canon, (n, typed, values)) != (n, typed, values):
            raise InputError(source, f"{typed} is given twice", where=typed)
    if "--ids" in own:
        match = _VMSS_ID.match(own["--ids"])
        if match is None or "--resource-group" in own or "--name" in own:
            problem = "--ids must be exactly one scale-set resource ID, without --resource-group/--name"
            raise InputError(source, problem, where="--ids")
        own["--subscription"], own["--resource-group"], own["--name"] = match.groups()
    edits.extend(custom_edits(custom, source))
    return AzUpdateCommand(
        text=command,
        resource_group=own.get("--resource-group"),
        name=own.get("--name"),
        subscription=own.get("--subscription"),
        force_string=force,
        edits=tuple(edit for _, edit in sorted(edits, key=lambda pair: pair[0])),
        accepted=tuple(accepted),
    )
