"""The import graph: no module-level cycles, TYPE_CHECKING and lazy imports included.

The layer order itself is import-linter's `[tool.importlinter]` contract in pyproject.toml (see
docs/architecture.md); a layers contract cannot see a cycle between two modules of one layer, so this
test looks for every cycle in the whole package with grimp, which import-linter is built on.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest
from conftest import REPO


def cycles(package: str) -> list[list[str]]:
    """Every set of modules that import each other round a circle (strongly connected, more than one)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=False)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:  # Tarjan's algorithm without recursion
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found)


def test_no_module_of_vmss_lint_is_part_of_an_import_cycle() -> None:
    assert cycles("vmss_lint") == []


def test_type_checking_and_lazy_imports_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check would pass vacuously if an import under TYPE_CHECKING or inside a function were not an
    edge: a package whose only cycle is made of those two is reported."""
    package = tmp_path / "circle"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(
        textwrap.dedent(
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from circle.b import B
            """
        )
    )
    (package / "b.py").write_text("def f():\n    from circle import a\n    return a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cycles("circle") == [["circle.a", "circle.b"]]


def test_the_layer_contract_holds() -> None:
    """`lint-imports` (import-linter) with the contract in pyproject.toml, as `.ci/run` runs it."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Folders docs/architecture.md describes as a whole ("one module per format", "hooks/ for what TOML
# cannot say") rather than module by module.
MAPPED_AS_A_FOLDER = ("report/formats/", "rules/hooks/")


def test_the_package_map_names_every_module() -> None:
    """docs/architecture.md is the newcomer's map: a module it does not name is one a reader cannot find.

    A module counts as named by its path under vmss_lint/ (`core/redact.py`), or by its file name in
    backquotes on the line of a sibling (`"values.py"` in the `arm/expressions/` entries)."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = REPO / "vmss_lint"
    missing = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if (path.name == "__init__.py" and relative != "cli/__init__.py") or relative.startswith(
            MAPPED_AS_A_FOLDER
        ):
            continue
        folder = relative.rpartition("/")[0]
        by_name = any(
            f"`{path.name}`" in line and (not folder or f"{folder}/" in line or f"`{folder}" in line)
            for line in _entries(text)
        )
        if f"`{relative}`" not in text and not by_name:
            missing.append(relative)
    assert missing == [], f"docs/architecture.md does not say what these own: {missing}"


def _entries(text: str) -> list[str]:
    """The package map's entries, each one bullet with its continuation lines joined."""
    entries: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            entries.append(line)
        elif line.startswith("  ") and entries:
            entries[-1] += " " + line.strip()
    return entries
