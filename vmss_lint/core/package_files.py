"""The folder of files a package ships (rule packs, data tables), found without `importlib.resources`.

Importing `importlib.resources` and asking it for a package's files costs a cold run about 10 ms (it
imports `zipfile`, `tempfile` and its reader machinery), and every package vmss-lint reads from is a
folder on disk in a normal install. For such a package the answer is the same `Path` that
`importlib.resources.files` would return; anything else (a zip import, a namespace package split over
several folders, a custom loader) still goes through `importlib.resources`, so nothing stops working.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def package_files(package: str) -> Traversable:
    """What `importlib.resources.files(package)` returns, as a plain `Path` when the package is one
    folder on disk. Raises what it raises: ModuleNotFoundError/ImportError for a package that does not
    import, TypeError for a module that is not a package."""
    module = importlib.import_module(package)
    spec = module.__spec__
    if spec is None or spec.submodule_search_locations is None:
        raise TypeError(f"{package!r} is not a package")
    file = getattr(module, "__file__", None)
    if isinstance(file, str) and spec.origin == file and os.path.isfile(file):
        return Path(file).parent  # a regular package: its __init__.py sits in the folder
    folders = list(spec.submodule_search_locations)
    if file is None and len(folders) == 1 and os.path.isdir(folders[0]):
        return Path(folders[0])  # a namespace package with one portion (vmss_lint.data)
    from importlib import resources

    return resources.files(package)
