"""The compiled rule index (`rules/index.json`): it is current, it only ever saves time (an edited, a new
or an unindexed rule file is parsed; a broken index is ignored), and a pack loads the same rules with or
without it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from vmss_lint.core.findings import Impact, Severity
from vmss_lint.engine import index as rule_index
from vmss_lint.engine import packs as registry
from vmss_lint.engine.spec import Example, LoadedRule, Match, RuleSpec

RULES = REPO / "vmss_lint" / "rules"
ZONES = "VMSS101-zone-removed.toml"


def _load(folder: Path) -> list[LoadedRule]:
    """What the registry does for every installed pack."""
    return registry._load_folder(folder, "vmss", "vmss_lint.rules")


def _specs(folder: Path) -> list[RuleSpec]:
    return [r.spec for r in _load(folder)]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the built-in rule files and their index."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for path in [*RULES.glob("*.toml"), RULES / rule_index.INDEX_NAME]:
        shutil.copy(path, folder / path.name)
    return folder


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, source: str) -> RuleSpec:
        raise AssertionError(f"{source} was parsed although the index covers it")

    monkeypatch.setattr(registry, "parse_rule", refuse)


def test_committed_index_is_current() -> None:
    expected, notes = rule_index.build_index(RULES)
    committed = (RULES / rule_index.INDEX_NAME).read_text(encoding="utf-8")
    assert committed == expected, (
        "rules/index.json is stale: a rule file changed since it was generated. "
        "Regenerate it with `python -m vmss_lint.engine.index` and commit it."
    )
    assert notes == [], "every built-in rule should be served from the index"


def test_every_rule_file_is_indexed_and_the_index_is_no_rule() -> None:
    indexed = json.loads((RULES / rule_index.INDEX_NAME).read_text(encoding="utf-8"))["rules"]
    files = sorted(p.name for p in RULES.glob("*.toml"))
    assert sorted(indexed) == files
    assert sorted(Path(r.source).name for r in registry.load_rules() if r.pack == "vmss") == files


def test_builtin_pack_loads_from_the_index_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _specs(RULES)
    _no_parsing(monkeypatch)
    specs = _specs(RULES)
    assert specs == expected
    zones = next(s for s in specs if s.id == "VMSS101")
    assert isinstance(zones.severity, Severity) and zones.severity.rank == 3
    assert isinstance(zones.impact, Impact) and zones.impact is Impact.RECREATE
    assert isinstance(zones.example, Example)
    assert any(isinstance(s.match, Match) for s in specs)


def test_edited_rule_with_stale_index_loads_the_edit(pack: Path) -> None:
    path = pack / ZONES
    path.write_text(path.read_text().replace('summary = "', 'summary = "EDITED: ', 1))
    zones = next(s for s in _specs(pack) if s.id == "VMSS101")
    assert zones.summary.startswith("EDITED: ")
    assert rule_index.main(["--check", str(pack)]) == 1


def test_new_rule_file_missing_from_the_index_loads(pack: Path) -> None:
    text = (pack / ZONES).read_text().replace('"VMSS101"', '"VMSS901"').replace('"zone-removed"', '"copy"')
    (pack / "VMSS901-copy.toml").write_text(text)
    assert "VMSS901" in {s.id for s in _specs(pack)}


def test_pack_without_index_loads_the_same_rules(pack: Path) -> None:
    with_index = _load(pack)
    (pack / rule_index.INDEX_NAME).unlink()
    without = _load(pack)
    assert [r.spec for r in without] == [r.spec for r in with_index]
    assert [r.source for r in without] == [r.source for r in with_index]


@pytest.mark.parametrize(
    "garbage",
    [
        "{ not json",
        "[]",
        '{"format": 99, "hash": "blake2b-256", "rules": {}}',
        '{"format": 1, "hash": "blake2b-256", "rules": []}',
        '{"format": 1, "hash": "blake2b-256", "rules": {"' + ZONES + '": "x"}}',
    ],
)
def test_garbage_index_falls_back_to_parsing(pack: Path, garbage: str) -> None:
    expected = _specs(RULES)
    (pack / rule_index.INDEX_NAME).write_text(garbage)
    assert _specs(pack) == expected


@pytest.mark.parametrize(
    ("key", "value"),
    [("severity", "fatal"), ("summary", 5), ("references", "https://x"), ("colour", "red"), ("id", "bad")],
)
def test_entry_that_does_not_build_is_parsed_instead(pack: Path, key: str, value: object) -> None:
    """Even with the right digest, an entry is only used if it builds into a valid RuleSpec."""
    expected = _specs(RULES)
    index = json.loads((pack / rule_index.INDEX_NAME).read_text())
    index["rules"][ZONES]["rule"][key] = value
    (pack / rule_index.INDEX_NAME).write_text(json.dumps(index))
    assert _specs(pack) == expected


def test_generator_is_deterministic_and_check_passes_after_it(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (pack / rule_index.INDEX_NAME).unlink()
    assert rule_index.main(["--check", str(pack)]) == 1
    assert "python -m vmss_lint.engine.index" in capsys.readouterr().err
    assert rule_index.main([str(pack)]) == 0
    first = (pack / rule_index.INDEX_NAME).read_bytes()
    assert first == (RULES / rule_index.INDEX_NAME).read_bytes()
    assert rule_index.main([str(pack)]) == 0
    assert (pack / rule_index.INDEX_NAME).read_bytes() == first
    assert first.endswith(b"}\n")
    assert rule_index.main(["--check", str(pack)]) == 0


def test_generator_refuses_an_invalid_rule(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = pack / ZONES
    path.write_text(path.read_text() + '\ncolour = "red"\n')
    before = (pack / rule_index.INDEX_NAME).read_bytes()
    assert rule_index.main([str(pack)]) == 2
    assert ZONES in capsys.readouterr().err
    assert (pack / rule_index.INDEX_NAME).read_bytes() == before


def test_rule_json_cannot_carry_is_left_out_and_parsed(tmp_path: Path) -> None:
    """A TOML date has no JSON form: that rule stays out of the index and is parsed at run time."""
    shutil.copy(RULES / ZONES, tmp_path / ZONES)
    dated = (
        (RULES / ZONES)
        .read_text()
        .replace('current = { zones = ["1", "2", "3"] }', "current = { when = 2024-01-01 }")
    )
    assert "2024-01-01" in dated
    (tmp_path / "VMSS902-dated.toml").write_text(
        dated.replace('"VMSS101"', '"VMSS902"').replace('"zone-removed"', '"dated"')
    )
    text, notes = rule_index.build_index(tmp_path)
    assert sorted(json.loads(text)["rules"]) == [ZONES]
    assert len(notes) == 1 and "VMSS902-dated.toml" in notes[0]
    assert rule_index.main([str(tmp_path)]) == 0
    assert {s.id for s in _specs(tmp_path)} == {"VMSS101", "VMSS902"}
