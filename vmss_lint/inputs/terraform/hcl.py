"""Where an attribute of a Terraform resource is written in the `.tf` files next to the plan.

A plan JSON is generated and usually not part of the change under review; the `.tf` line is. This is a
small reader, not an HCL parser (python-hcl2 would be a heavy dependency for one line number): it finds
`resource "TYPE" "NAME" {` in the `*.tf` files of the resource's module folder, follows the braces of its
body (skipping strings, comments and heredocs), and records the line of each attribute and nested block,
numbering repeated blocks in order as Terraform does (`network_interface[0].ip_configuration[1].subnet_id`).
What it cannot find, it leaves to the plan's own line.

The module folder: the plan's own folder for the root module; for `module.x.module.y.azurerm_…` the
`source` of each call in the plan's `configuration.root_module.module_calls` (x, then x's `module_calls`
y), when it is a local path (`./…`, `../…`; a registry or git source is not on disk in this form). A
module folder is read only when it resolves inside the git work tree that holds the plan (found by its
`.git` entry), else inside the plan's folder: the plan may come from a pull request, and its `source`
must not send the reader elsewhere (`vmss_lint.core.confine`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from vmss_lint.core.confine import confined
from vmss_lint.core.errors import InputError
from vmss_lint.core.limits import read_capped

MAX_FILES = 200
_RESOURCE = re.compile(r'^\s*resource\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"\s*\{')
_ATTR = re.compile(r"^\s*(?P<name>[A-Za-z_][\w-]*)\s*=")
_BLOCK = re.compile(r"^\s*(?P<name>[A-Za-z_][\w-]*)\s*\{")
_HEREDOC = re.compile(r"<<-?\s*(?P<tag>[A-Za-z_]\w*)\s*$")
_MODULE_STEP = re.compile(r"module\.(?P<name>[A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.?")


def module_folder(plan_folder: Path, configuration: Any, module_address: str) -> Path | None:
    """The folder of the module that declares a resource (`""` is the root module), or None when its
    source is not a local path, is not in the plan's configuration, or resolves outside the confinement."""
    folder = plan_folder
    calls = _get(_get(configuration, "root_module"), "module_calls")
    position = 0
    while position < len(module_address):
        step = _MODULE_STEP.match(module_address, position)
        if step is None:
            return None
        position = step.end()
        call = _get(calls, step["name"])
        source = _get(call, "source")
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            return None
        folder = Path(os.path.normpath(folder / source))
        calls = _get(_get(call, "module"), "module_calls")
    if confined(folder, _work_tree(plan_folder)) is None:
        return None
    return folder


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _work_tree(folder: Path) -> Path:
    """The top of the git work tree holding `folder` (by its `.git` entry, no git process), else `folder`."""
    start = Path(os.path.abspath(folder))
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def attribute_lines(folder: Path, rtype: str, name: str) -> tuple[str, dict[str, int]] | None:
    """(the .tf file, attribute path -> line) for one root-module resource, or None when not found."""
    try:
        files = sorted(folder.glob("*.tf"))[:MAX_FILES]
    except OSError:
        return None
    for path in files:
        try:
            text = read_capped(path, str(path), role="Terraform").decode("utf-8", "replace")
        except InputError:
            continue
        lines = text.splitlines()
        for i, line in enumerate(lines):
            m = _RESOURCE.match(line)
            if m and m["type"] == rtype and m["name"] == name:
                return str(path), _body(lines, i)
    return None


def _body(lines: list[str], start: int) -> dict[str, int]:
    out: dict[str, int] = {}
    stack: list[tuple[str, dict[str, int]]] = [("", {})]  # (path prefix, occurrences of child blocks)
    depth = 0
    heredoc: str | None = None
    for number, raw in enumerate(lines[start:], start + 1):
        if heredoc is not None:
            if raw.strip() == heredoc:
                heredoc = None
            continue
        line = _code(raw)
        if number > start + 1 and depth >= 1 and len(stack) == depth:
            _record(line, stack, out, number)
        opened, closed = line.count("{"), line.count("}")
        if number > start + 1:
            block = _BLOCK.match(line)
            if block and opened > closed and len(stack) == depth:
                prefix, counts = stack[-1]
                index = counts.get(block["name"], 0)
                counts[block["name"]] = index + 1
                path = f"{prefix}{block['name']}[{index}]"
                out.setdefault(path, number)
                stack.append((path + ".", {}))
        depth += opened - closed
        while len(stack) > max(depth, 1):
            stack.pop()
        tag = _HEREDOC.search(line)
        if tag:
            heredoc = tag["tag"]
        if depth <= 0:
            break
    return out


def _record(line: str, stack: list[tuple[str, dict[str, int]]], out: dict[str, int], number: int) -> None:
    attr = _ATTR.match(line)
    if attr:
        out.setdefault(stack[-1][0] + attr["name"], number)


def _code(line: str) -> str:
    """The line without strings and comments, so that braces inside them do not count."""
    out = []
    quoted = False
    i = 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                quoted = False
            i += 1
            continue
        if ch == '"':
            quoted = True
            out.append('""')
        elif ch == "#" or line.startswith("//", i):
            break
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def best_line(lines: dict[str, int], tf_path: str) -> int | None:
    """The attribute's own line, else the line of the nearest enclosing block that is written."""
    path = tf_path
    while path:
        if path in lines:
            return lines[path]
        if "." not in path:
            return lines.get(path.split("[")[0] + "[0]") if "[" in path else None
        path = path.rsplit(".", 1)[0]
    return None
