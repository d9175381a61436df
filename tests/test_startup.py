"""The start-up path stays light: a check of two models imports none of the heavy modules.

Timings are never asserted (they depend on the machine); what a run imports does not, and it is what
made a cold check slow before: pydantic (output records and rule specs), tomllib (rule files and config),
importlib.metadata (it imports the email package), importlib.resources (zipfile, tempfile and its
readers), dataclasses and inspect (value types are `core.records.Record`s), the template machinery
and the live-input module for plain models, a CLI framework, and
shutil (argparse imports it to size its help formatter; it imports three compression modules). A
regression here shows up as a failing test rather than as a slower pre-commit hook.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

HEAVY = [
    "pydantic",
    "tomllib",
    "importlib.metadata",
    "importlib.resources",
    "email",
    "typer",
    "click",
    "vmss_lint.arm.templates",
    "azure.mgmt.compute",  # the property classification is a data file; the SDK only generates it
    "vmss_lint.inputs.live",
    "shutil",  # zlib, bz2, lzma: argparse's help formatter imports it unless told the width (vmss_lint.cli.parser)
    "dataclasses",  # a dataclass compiles its methods at import, and the module imports inspect (core/records.py)
    "inspect",  # ast, dis, tokenize
]

PROBE = """
import sys
from vmss_lint.cli import main
code = main(sys.argv[1:])
heavy = {heavy!r}
print("LOADED", [m for m in heavy if m in sys.modules])
"""


def _loaded(tmp_path: Path, *args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no config file up the tree of a temporary folder
        check=False,
    )
    line = next(x for x in proc.stdout.splitlines() if x.startswith("LOADED"))
    return list(json.loads(line.removeprefix("LOADED ").replace("'", '"')))


def test_a_model_pair_check_imports_nothing_heavy(tmp_path: Path) -> None:
    current = FIXTURES / "models" / "web-rest.json"
    doc = json.loads(current.read_text())
    doc["sku"]["name"] = "Standard_E8s_v5"  # findings, a plan and a location: the whole path runs
    proposed = tmp_path / "proposed.json"
    proposed.write_text(json.dumps(doc, indent=2))
    for fmt in ("text", "json", "github"):
        assert _loaded(tmp_path, "check", str(current), str(proposed), "--format", fmt) == [], fmt


def test_an_unclassified_property_is_judged_without_the_sdk(tmp_path: Path) -> None:
    current = FIXTURES / "models" / "web-rest.json"
    doc = json.loads(current.read_text())
    doc["properties"]["futureResiliencyMode"] = "Strict"  # VMSS701 runs the property classification
    proposed = tmp_path / "proposed.json"
    proposed.write_text(json.dumps(doc, indent=2))
    assert _loaded(tmp_path, "check", str(current), str(proposed), "--format", "json") == []


def test_a_template_pair_check_imports_only_the_template_machinery(tmp_path: Path) -> None:
    current = FIXTURES / "templates" / "vmss-windows-app-gateway" / "azuredeploy.json"
    doc = json.loads(current.read_text())
    doc["parameters"]["vmSku"]["defaultValue"] = "Standard_E8s_v5"
    proposed = tmp_path / "azuredeploy.json"
    proposed.write_text(json.dumps(doc, indent=2))
    loaded = _loaded(tmp_path, "check", str(current), str(proposed), "--format", "json")
    assert loaded == ["vmss_lint.arm.templates"]


@pytest.mark.parametrize("args", [["rules"], ["explain", "VMSS101"]])
def test_listing_rules_imports_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    assert _loaded(tmp_path, *args) == []


@pytest.mark.parametrize(
    "path", [None, "", "azure:///subscriptions/s", "AZURE://x", "azure:/x", "./azure://x", "m.json"]
)
def test_the_cli_recognises_a_live_current_as_the_live_module_does(path: str | None) -> None:
    from vmss_lint.cli.options import names_live
    from vmss_lint.inputs.live import is_live

    assert names_live(path) == is_live(path)
