"""A likely swap of CURRENT and PROPOSED is a warning notice in every format, run from the CLI; the exit
code stays what the rules say, and the right order (or two live models) says nothing."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES
from test_outfile import run

TEMPLATE = str(FIXTURES / "templates" / "web" / "azuredeploy.json")
LIVE = str(FIXTURES / "models" / "web-rest.json")
EXAMPLE = FIXTURES / "example"
SWAPPED = "CURRENT and PROPOSED look swapped"


def test_template_first_live_model_second_is_a_warning_and_keeps_exit_0() -> None:
    proc = run(TEMPLATE, LIVE)
    assert proc.returncode == 0, proc.stderr  # the rules find only infos; the notice does not fail the run
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"warning: {SWAPPED}: PROPOSED ({LIVE}) has what only a running scale set")
    assert (
        "provisioningState, uniqueId, timeCreated, etag" in first
        and f"CURRENT ({TEMPLATE}) is a template" in first
    )


def test_a_live_model_only_on_the_proposed_side_is_a_warning() -> None:
    proc = run(str(EXAMPLE / "proposed.json"), str(EXAMPLE / "current.json"), "--format", "json")
    assert proc.returncode == 1, proc.stderr  # the reversed change has a real error: exit 1 as the rules say
    swapped = [n for n in json.loads(proc.stdout)["notices"] if SWAPPED in n]
    assert len(swapped) == 1 and swapped[0].startswith("warning: ") and "has none of them" in swapped[0]


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        ("github", "::warning title=vmss-lint::warning: "),
        ("azure-pipelines", "##vso[task.logissue type=warning;"),
    ],
)
def test_ci_formats_raise_it_as_a_warning_annotation(fmt: str, marker: str) -> None:
    proc = run(TEMPLATE, LIVE, "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert next(line for line in proc.stdout.splitlines() if SWAPPED in line).startswith(marker)


@pytest.mark.parametrize(
    "pair",
    [
        (LIVE, TEMPLATE),  # the right order
        (str(EXAMPLE / "current.json"), str(EXAMPLE / "proposed.json")),  # live -> edited copy without them
        (LIVE, LIVE),  # both live: a copy of `az vmss show`, edited
    ],
    ids=["live-then-template", "live-then-model", "both-live"],
)
def test_the_right_order_says_nothing(pair: tuple[str, str]) -> None:
    proc = run(*pair, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert not [n for n in json.loads(proc.stdout)["notices"] if SWAPPED in n]
