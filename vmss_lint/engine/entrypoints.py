"""Entry points of one group, read the way `importlib.metadata` reads them, without importing it.

`importlib.metadata` pulls in the `email` package (and with it `socket`, `calendar`, ...) to be able to
parse distribution metadata, which costs about 25 ms of every start-up here: a fifth of a whole
model-pair check, and vmss-lint only ever needs `entry_points.txt`. So the common case is read here:
every `*.dist-info` / `*.egg-info` folder of every `sys.path` folder, in `importlib.metadata`'s order
(path order; within a folder, dist-info before egg-info, in directory-listing order), the first
distribution of a (normalized) name winning. Anything unusual is handed to `importlib.metadata` itself:
a zip file on `sys.path`, or an import hook that can find distributions of its own. A test holds both
to the same answer for every group installed in the test environment.
"""

from __future__ import annotations

import os
import re
import sys

_NORMALIZE = re.compile(r"[-_.]+")


def entry_points(group: str) -> list[tuple[str, str]]:
    """(name, value) of every entry point in `group`, in discovery order (names may repeat)."""
    found = _scan(group)
    if found is None:
        from importlib import metadata

        return [(ep.name, ep.value) for ep in metadata.entry_points(group=group)]
    return found


def _scan(group: str) -> list[tuple[str, str]] | None:
    """The fast path, or None when only `importlib.metadata` can answer exactly."""
    from importlib.machinery import PathFinder

    if any(f is not PathFinder and hasattr(f, "find_distributions") for f in sys.meta_path):
        return None
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for entry in sys.path:
        folder = entry or "."
        if os.path.isfile(folder):
            return None  # a zip or egg file on the path
        try:
            names = os.listdir(folder)
        except OSError:
            continue  # missing folders and import-hook markers hold no distributions
        infos = [n for n in names if n.lower().endswith(".dist-info")]
        eggs = [n for n in names if n.lower().endswith(".egg-info")]
        for name in [*infos, *eggs]:
            dist = _NORMALIZE.sub("_", name.rpartition(".")[0].partition("-")[0]).lower()
            if dist in seen:
                continue
            seen.add(dist)
            out.extend(_read_group(os.path.join(folder, name, "entry_points.txt"), group))
    return out


def _read_group(path: str, group: str) -> list[tuple[str, str]]:
    """The `name = value` lines of one `[group]` section of an entry_points.txt (INI-like)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return []
    section = None
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.strip()))
    return out
