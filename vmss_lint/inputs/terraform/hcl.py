"""Where an attribute of a Terraform resource is written in the `.tf` files next to the plan.

A plan JSON is generated and usually not part of the change under review; the `.tf` line is. This is a
small reader, not an HCL parser (python-hcl2 would be a heavy dependency for one line number): it finds
`resource "TYPE" "NAME" {` in the `*.tf` files of the plan's own folder (the root module; resources of
child modules are not looked up), follows the braces of its body (skipping strings, comments and
heredocs), and records the line of each attribute and nested block, numbering repeated blocks in order as
Terraform does (`network_interface[0].ip_configuration[1].subnet_id`). What it cannot find, it leaves to
the plan's own line.
"""

from __future__ import annotations

import re
from pathlib import Path

from vmss_lint.core.errors import InputError
from vmss_lint.core.limits import read_capped

MAX_FILES = 200
_RESOURCE = re.compile(r'^\s*resource\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"\s*\{')
_ATTR = re.compile(r"^\s*(?P<name>[A-Za-z_][\w-]*)\s*=")
_BLOCK = re.compile(r"^\s*(?P<name>[A-Za-z_][\w-]*)\s*\{")
_HEREDOC = re.compile(r"<<-?\s*(?P<tag>[A-Za-z_]\w*)\s*$")


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
