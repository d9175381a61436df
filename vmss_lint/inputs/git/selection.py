"""Which changed files git mode looks at: `.json` and `.bicep` files, files named by a `terraform-plans`
glob, restricted to the paths the caller gave.

A Terraform plan JSON is recognised by its shape wherever it is (`format_version` with
`resource_changes`); the `terraform-plans` globs (config key or `--terraform-plans`) add files by name,
for plans saved under a name that is not `.json` (`tfplan.out.json` is JSON anyway, `plan.tfplan-json` is
not) and to say "this file is a plan": a file a glob names that is not plan JSON is an error (exit 2),
not silently skipped, as ruff or checkov treat a file the user named explicitly.

Globs match the path from the repository's top level, with `/` as separator, the way .gitignore and
pre-commit users write them: `*` and `?` stay within one folder, `**` spans folders (`**/tfplan.json`
matches `tfplan.json` at the top too), and a glob without `/` matches the file name in any folder.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vmss_lint.inputs.git.repo import FileChange


def relevant(path: str, plan_patterns: list[str]) -> bool:
    return path.lower().endswith((".json", ".bicep")) or named_plan(path, plan_patterns) is not None


def named_plan(path: str, patterns: list[str]) -> str | None:
    """The first glob that names `path` as a Terraform plan, if any."""
    for pattern in patterns:
        anchored = "/" in pattern.strip().rstrip("/")  # gitignore: a slash (leading too) anchors at the top
        if _compiled(pattern).fullmatch(path if anchored else path.rpartition("/")[2]):
            return pattern
    return None


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    glob = pattern.strip().lstrip("/")
    if glob.startswith("./"):
        glob = glob[2:]
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2 :]:
            end = glob.index("]", i + 2)
            body = glob[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))


def selected(change: FileChange, wanted: set[str]) -> bool:
    """A path names the file under either of its names; a folder names everything under it."""
    if "." in wanted:
        return True
    for path in (change.path, change.old_path):
        if path is not None and (path in wanted or any(path.startswith(w + "/") for w in wanted)):
            return True
    return False
