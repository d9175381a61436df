"""The light entry-point reader must see exactly what importlib.metadata sees."""

from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from vmss_lint.engine.entrypoints import _scan, entry_points


def _groups() -> set[str]:
    return {ep.group for dist in metadata.distributions() for ep in dist.entry_points}


def test_every_installed_group_reads_the_same_as_importlib_metadata() -> None:
    groups = _groups()
    assert "vmss_lint.rules" in groups and "console_scripts" in groups
    for group in sorted(groups):
        expected = [(ep.name, ep.value) for ep in metadata.entry_points(group=group)]
        assert _scan(group) == expected, group


def _dist(folder: Path, dirname: str, text: str) -> None:
    (folder / dirname).mkdir(parents=True)
    (folder / dirname / "entry_points.txt").write_text(text)


def test_first_distribution_of_a_name_wins_and_egg_info_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(
        first,
        "Acme.Rules-1.0.dist-info",
        "# comment\n[vmss_lint.rules]\nacme = acme_rules\n\n[other]\nx = y\n",
    )
    _dist(second, "acme_rules-2.0.dist-info", "[vmss_lint.rules]\nacme = acme_rules_old\n")  # same name
    _dist(second, "legacy.egg-info", "[vmss_lint.rules]\n  legacy =  legacy.rules  \n")
    (second / "plain.egg-info").write_text("Metadata-Version: 1.0\n")  # an egg-info file has none
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    expected = [(ep.name, ep.value) for ep in metadata.entry_points(group="vmss_lint.rules")]
    assert _scan("vmss_lint.rules") == expected == [("acme", "acme_rules"), ("legacy", "legacy.rules")]


def test_a_zip_on_the_path_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "packs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n")
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", "[vmss_lint.rules]\nzipped = zipped_rules\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert _scan("vmss_lint.rules") is None
    assert entry_points("vmss_lint.rules") == [("zipped", "zipped_rules")]
