"""Which files a run may open: the repository in git mode, the input's own folder in file mode.

A pull request decides what its templates and its config file point at, so a path taken from a file
(a nested deployment's `templateLink.relativePath`, a config `[parameters]` mapping, the conventional
`x.parameters.json` next to a template, a changed file in the working tree) is opened only when it
resolves inside the confinement root:

* git mode: the repository's top level. A working-tree symlink that resolves outside it is not followed
  (a changed file is then skipped with a notice; a linked template is refused). Files at a revision come
  from git's object store, which never follows symlinks.
* file mode: the folder of the file the path is written in, as given on the command line: for linked
  templates the folder of the top-level template (so a chain of links cannot climb out of it), for config
  mappings the config file's folder, for a conventional parameters file its template's folder.

Symlinks are resolved (`os.path.realpath`) before the check, and the check comes before the file is
opened or even tested for existence, so a refusal says nothing about the outside file: the message names
the reference as written and the folder it escapes, never the file's content. Paths given on the command
line (inputs, `--parameters`, `--context`, `--instances`) are the workflow's, not the pull request's, and
are not confined. Every read is also size-capped (`vmss_lint.core.limits.read_capped`).
"""

from __future__ import annotations

import os
from pathlib import Path

from vmss_lint.core.errors import InputError


class OutsideRoot(InputError):
    """A path that resolves outside the folder reads are confined to; the file was not opened.

    `root` describes that folder for a message ("the repository", "the config file's folder (...)").
    """

    def __init__(self, source: str, root: str, *, what: str = "", hint: str | None = None) -> None:
        self.root = root
        problem = f"{what + ' ' if what else ''}resolves outside {root}; not followed"
        super().__init__(source, problem, hint=hint)


def confined(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> Path | None:
    """`path` with every symlink resolved when that is `root` or inside it, else None (also for a path
    the system cannot represent, such as one with a NUL byte)."""
    try:
        real = os.path.realpath(path)
        base = os.path.realpath(root)
        if os.path.commonpath([real, base]) != base:
            return None
    except (OSError, ValueError):
        return None
    return Path(real)
