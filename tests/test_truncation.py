"""Long values are cut where they do not differ: two subnet ids that differ only at the end stay apart in
every format that shortens values (text, github, azure-pipelines, junit)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_outfile import run

from vmss_lint.report.formats._common import ELLIPSIS, short_pointer, shorten_pair

VNET = (
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/myResourceGroup/providers/"
    "Microsoft.Network/virtualNetworks/nsgExistingVnet/subnets/"
)
SUBNET = "/properties/virtualMachineProfile/networkProfile/networkInterfaceConfigurations/0/properties/ipConfigurations/0/properties/subnet/id"


@pytest.mark.parametrize("limit", [40, 60, 120])
def test_ids_that_differ_at_the_end_stay_different(limit: int) -> None:
    old, new = shorten_pair(VNET + "frontend-a", VNET + "frontend-b", limit)
    assert old != new
    assert old.endswith("frontend-a") and new.endswith("frontend-b")
    assert len(old) <= limit and len(new) <= limit
    assert old.startswith("/subscri") and ELLIPSIS in old


def test_a_difference_in_the_middle_is_kept_with_context() -> None:
    old, new = shorten_pair("a" * 100 + "OLD" + "z" * 100, "a" * 100 + "NEW" + "z" * 100, 60)
    assert "OLD" in old and "NEW" in new
    assert old.endswith(ELLIPSIS) and len(old) == 60


def test_values_different_from_the_start_keep_head_and_tail() -> None:
    old, new = shorten_pair("x" * 100 + "END", "y" * 100 + "FIN", 40)
    assert old.startswith("x") and old.endswith("END") and new.endswith("FIN") and len(old) == 40


def test_a_prefix_is_cut_in_the_middle_so_the_extra_tail_shows() -> None:
    old, new = shorten_pair(VNET + "web", VNET + "web2", 50)
    assert old.endswith("/web") and new.endswith("/web2")


def test_short_values_and_one_long_value_are_left_alone_where_they_fit() -> None:
    assert shorten_pair("a", "b", 10) == ("a", "b")
    old, new = shorten_pair("short", VNET + "x", 60)
    assert old == "short" and new.endswith("x") and len(new) <= 60


def test_a_pointer_keeps_its_last_segments() -> None:
    shown = short_pointer(SUBNET, 48)
    assert shown.startswith(".../") and shown.endswith("/subnet/id") and len(shown) <= 48
    assert short_pointer("/zones", 48) == "/zones"


@pytest.fixture
def subnet_change(tmp_path: Path) -> list[str]:
    current = tmp_path / "current.json"
    shutil.copyfile(FIXTURES / "example" / "current.json", current)
    doc = json.loads(current.read_text())
    nic = doc["properties"]["virtualMachineProfile"]["networkProfile"]["networkInterfaceConfigurations"][0]
    nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"] = VNET + "frontend-subnet-a"
    current.write_text(json.dumps(doc, indent=2))
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps([{"op": "replace", "path": SUBNET, "value": VNET + "frontend-subnet-b"}]))
    return [str(current), "--patch", str(patch)]


@pytest.mark.parametrize("fmt", ["text", "github", "azure-pipelines", "junit"])
def test_every_shortening_format_shows_both_ends(fmt: str, subnet_change: list[str]) -> None:
    proc = run(*subnet_change, "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert "subnets/frontend-subnet-a -" in proc.stdout, proc.stdout  # junit: "-&gt;"
    assert "subnets/frontend-subnet-b" in proc.stdout
