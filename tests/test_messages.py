"""Messages as a user reads them from the CLI (issue #15, item 11): zones as zones, edits counted from 1
the same way for patches and az commands, VMSS006 naming every differing part, and usage mistakes that
say what to do (an unquoted --az-update, a folder without --base)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_outfile import run

CURRENT = str(FIXTURES / "example" / "current.json")


def findings(proc_stdout: str) -> list[dict[str, object]]:
    return [f for r in json.loads(proc_stdout)["results"] for f in r["findings"]]


def patched(tmp_path: Path, ops: list[dict[str, object]]) -> list[dict[str, object]]:
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps(ops), encoding="utf-8")
    proc = run(CURRENT, "--patch", str(patch), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return findings(proc.stdout)


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (
            {"op": "replace", "path": "/zones", "value": ["1"]},
            "zones 2, 3 would be removed (zones 1, 2, 3 -> 1)",
        ),
        (
            {"op": "remove", "path": "/zones"},
            "zones 1, 2, 3 would be removed (zones 1, 2, 3 -> none, regional)",
        ),
        (
            {"op": "replace", "path": "/zones", "value": ["1", "2"]},
            "zone 3 would be removed (zones 1, 2, 3 -> 1, 2)",
        ),
    ],
)
def test_zones_are_shown_as_zones(tmp_path: Path, op: dict[str, object], message: str) -> None:
    [zone] = [f for f in patched(tmp_path, [op]) if f["rule"] == "VMSS101"]
    assert str(zone["message"]).startswith(message)
    assert "[" not in str(zone["message"]).split(";")[0], "no Python list repr"


def test_zones_added_read_as_a_list(tmp_path: Path) -> None:
    doc = json.loads(Path(CURRENT).read_text())
    doc["zones"] = ["1"]
    current = tmp_path / "current.json"
    current.write_text(json.dumps(doc), encoding="utf-8")
    proc = run(str(current), CURRENT, "--format", "json")
    added = [f for f in findings(proc.stdout) if f["rule"] == "VMSS401"]
    assert [str(f["message"]).split(".")[0] for f in added] == ["new zones: 2, 3"]


def test_patch_ops_and_az_edits_are_counted_the_same_way(tmp_path: Path) -> None:
    ops = [
        {"op": "add", "path": "/tags", "value": {"a": "b"}},
        {"op": "replace", "path": "/sku/name", "value": "Standard_D4s_v5"},
    ]
    [by_patch] = [f for f in patched(tmp_path, ops) if f["rule"] == "VMSS301"]
    assert by_patch["edit"] == "patch op #2 (replace /sku/name)"
    az = run(
        CURRENT,
        "--az-update",
        "az vmss update -g myResourceGroup -n web --set overprovision=false --set sku.name=Standard_D4s_v5",
        "--format",
        "json",
    )
    [by_az] = [f for f in findings(az.stdout) if f["rule"] == "VMSS301"]
    assert by_az["edit"] == "--set #2 sku.name"


def test_vmss006_names_every_part_that_differs() -> None:
    proc = run(
        CURRENT, "--az-update", "az vmss update -g rg-other -n web2 --set sku.capacity=3", "--format", "json"
    )
    assert proc.returncode == 1, proc.stderr
    [other] = [f for f in findings(proc.stdout) if f["rule"] == "VMSS006"]
    text = str(other["message"])
    assert "resource group 'rg-other' (the current model's is 'myResourceGroup')" in text
    assert "name 'web2' (the current model's is 'web')" in text


@pytest.mark.parametrize(
    "args",
    [
        ["--az-update", "az", "vmss", "update", "-g", "rg", "-n", "web", "--set", "sku.name=X"],
        ["--az-update=az", "vmss", "update", "--set", "sku.name=X"],
    ],
    ids=["separate", "equals"],
)
def test_an_unquoted_az_update_says_to_quote_it(args: list[str]) -> None:
    proc = run(CURRENT, *args)
    assert proc.returncode == 2 and proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert "--az-update got 'az' alone: pass the whole command as one quoted argument" in line
    assert "Traceback" not in proc.stderr


def test_a_folder_without_base_suggests_git_mode(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    proc = run("infra/", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line == (
        "vmss-lint: error: vmss-lint check: 'infra/' is a folder: to check the files in it that changed, use "
        "git mode: vmss-lint check --base REF infra/ (e.g. --base origin/main)"
    )


def test_vmss105_fix_says_what_convert_to_single_placement_group_does() -> None:
    import subprocess
    import sys

    from conftest import REPO

    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "explain", "VMSS105"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    fix = proc.stdout.split("Fix:", 1)[1]
    assert (
        "converts the property to false" in fix
        and "build a new scale set with singlePlacementGroup true" in fix
    )
    assert "only if you really need one group" not in fix
