"""Config: discovery upwards, strict validation (unknown key → exit 2 naming it), CLI-over-config, trust."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from vmss_lint.cli import main
from vmss_lint.config.file import parse_config
from vmss_lint.config.find import find_config, load_config
from vmss_lint.core.errors import InputError

CONFIGS = FIXTURES / "configs"
CURRENT = str(FIXTURES / "example" / "current.json")
PROPOSED = str(FIXTURES / "example" / "proposed.json")


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_STEP_SUMMARY", "VMSS_LINT_UNTRUSTED_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def check(*args: str) -> int:
    return main(["check", CURRENT, PROPOSED, "--format", "json", *args])


def report_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    rc = check(*args)
    out = capsys.readouterr().out
    return rc, json.loads(out)


def rules_fired(report: dict[str, object]) -> list[str]:
    return [f["rule"] for r in report["results"] for f in r["findings"]]  # type: ignore[attr-defined,index]


# --- discovery -------------------------------------------------------------------------------------------


def test_dedicated_file_found_upwards(tmp_path: Path) -> None:
    (tmp_path / ".vmss-lint.toml").write_text('fail-on = "warning"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == (tmp_path / ".vmss-lint.toml").resolve()
    assert load_config(cwd=deep).config.fail_on == "warning"


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.vmss-lint]\nfail-on = "info"\n')
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert find_config(inner) == (tmp_path / "pyproject.toml").resolve()
    assert load_config(cwd=inner).config.fail_on == "info"


def test_a_pyproject_that_never_names_us_is_not_parsed(tmp_path: Path) -> None:
    """Another tool's broken pyproject.toml is not ours to judge; one naming our table still is."""
    (tmp_path / "pyproject.toml").write_text('[tool.vmss-lint]\nfail-on = "info"\n')
    inner = tmp_path / "svc"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project\nname = 'broken'\n")
    assert find_config(inner) == (tmp_path / "pyproject.toml").resolve()
    (inner / "pyproject.toml").write_text("[project.scripts\nvmss-lint = 'vmss_lint.cli:main'\n")
    assert find_config(inner) == (tmp_path / "pyproject.toml").resolve()  # names the tool, not the table
    (inner / "pyproject.toml").write_text("[tool.vmss-lint\n")
    with pytest.raises(InputError, match="not valid TOML"):
        find_config(inner)


@pytest.mark.parametrize(
    "text",
    [
        '[tool.vmss-lint]\nfail-on = "info"\n',
        '[tool."vmss-lint"]\nfail-on = "info"\n',
        '[project]\nname = "x"\n[tool]\nvmss-lint = { fail-on = "info" }\n',
        'tool.vmss-lint.fail-on = "info"\n',
    ],
)
def test_every_way_to_write_the_table_is_found(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert load_config(cwd=tmp_path).config.fail_on == "info"


def test_dedicated_file_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.vmss-lint]\nfail-on = "info"\n')
    (tmp_path / ".vmss-lint.toml").write_text('fail-on = "never"\n')
    assert load_config(cwd=tmp_path).config.fail_on == "never"


def test_nearest_folder_wins(tmp_path: Path) -> None:
    (tmp_path / ".vmss-lint.toml").write_text('fail-on = "never"\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[tool.vmss-lint]\nfail-on = "info"\n')
    assert load_config(cwd=inner).config.fail_on == "info"


def test_no_config_means_defaults(tmp_path: Path) -> None:
    loaded = load_config(cwd=tmp_path)
    assert loaded.path is None or loaded.path.parent != tmp_path
    assert parse_config({}, "x").fail_on is None


def test_full_example_config_is_valid() -> None:
    loaded = load_config(CONFIGS / "full.vmss-lint.toml")
    cfg = loaded.config
    assert cfg.fail_on == "warning"
    assert cfg.select == ["VMSS1", "vm-size-change"]
    assert cfg.context is not None and cfg.context.resource_group == "rg-web"
    assert loaded.rules_dirs() == [CONFIGS / "python-rules"]  # relative to the config file, not the cwd
    assert loaded.parameter_files()["infra/other.json"] == [
        CONFIGS / "infra/a.parameters.json",
        CONFIGS / "infra/b.parameters.json",
    ]
    assert [s.reason for s in cfg.suppress] == [
        "Resize to D4s_v5 approved in CHG-1234; deployed in the Saturday window."
    ]
    assert loaded.suppress_lines == [21]


# --- validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fail_on_warnings = true\n", "unknown key 'fail_on_warnings'"),
        ('fail_on = "error"\n', "did you mean 'fail-on'?"),
        ('fail-on = "sometimes"\n', "fail-on"),
        ('[context]\nregion = "westeurope"\n', "context: unknown key 'region'"),
        (
            '[[suppress]]\nrule = "VMSS101"\nreason = "x"\nresaon = "typo"\n',
            "suppress[0]: unknown key 'resaon'",
        ),
        ('[[suppress]]\nrule = "VMSS101"\npointer = "sku/name"\nreason = "x"\n', "starting with '/'"),
        ('api-version = "latest"\n', "api-version must look like"),
        ("select = [\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = tmp_path / ".vmss-lint.toml"
    path.write_text(text)
    assert check("--config", str(path)) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert str(path) in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unknown_key_found_by_discovery_also_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(CONFIGS / "unknown-key.vmss-lint.toml", tmp_path / ".vmss-lint.toml")
    monkeypatch.chdir(tmp_path)
    assert check() == 2
    assert "unknown key 'fail_on_warnings'" in capsys.readouterr().err


def test_pyproject_keys_are_named_with_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.vmss-lint]\nselct = ["VMSS1"]\n')
    assert check("--config", str(path)) == 2
    assert "[tool.vmss-lint]: unknown key 'selct'" in capsys.readouterr().err


def test_explicit_pyproject_without_table_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    assert check("--config", str(path)) == 2
    assert "has no [tool.vmss-lint] table" in capsys.readouterr().err
    assert check("--config", str(tmp_path / "nope.toml")) == 2
    assert "config file does not exist" in capsys.readouterr().err


# --- config drives the run; the command line wins -------------------------------------------------------------


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / ".vmss-lint.toml"
    path.write_text(text)
    return str(path)


def test_fail_on_from_config_and_flag_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path, 'ignore = ["VMSS101", "subnet-other-vnet"]\nfail-on = "warning"\n')
    rc, report = report_of(capsys, "--config", cfg)
    assert rules_fired(report) == ["VMSS301"]
    assert rc == 1 and report["summary"]["failOn"] == "warning"  # type: ignore[index]
    rc, _ = report_of(capsys, "--config", cfg, "--fail-on", "error")
    assert rc == 0


def test_select_by_prefix_and_cli_select_replaces_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, 'select = ["VMSS3"]\n')
    assert rules_fired(report_of(capsys, "--config", cfg)[1]) == ["VMSS301"]
    assert rules_fired(report_of(capsys, "--config", cfg, "--select", "zone-removed")[1]) == ["VMSS101"]


def test_cli_ignore_adds_to_config_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path, 'ignore = ["VMSS101"]\n')
    fired = rules_fired(report_of(capsys, "--config", cfg, "--ignore", "VMSS106")[1])
    assert fired == ["VMSS301"]


def test_severity_override_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path, '[severity]\nvm-size-change = "error"\n')
    report = report_of(capsys, "--config", cfg)[1]
    sizes = [f for r in report["results"] for f in r["findings"] if f["rule"] == "VMSS301"]  # type: ignore[attr-defined,index]
    assert [f["severity"] for f in sizes] == ["error"]
    assert report["summary"]["errors"] == 3  # type: ignore[index]


def test_severity_override_for_unknown_rule_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, '[severity]\nno-such-rule = "error"\n')
    assert check("--config", cfg) == 2
    assert "unknown rule 'no-such-rule'" in capsys.readouterr().err


def test_api_version_from_config_and_flag_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path, 'api-version = "2024-07-01"\n')
    report = report_of(capsys, "--config", cfg)[1]
    assert report["results"][0]["apiVersion"] == {"value": "2024-07-01", "origin": "option", "detail": None}  # type: ignore[index]
    report = report_of(capsys, "--config", cfg, "--api-version", "2025-11-01")[1]
    assert report["results"][0]["apiVersion"]["value"] == "2025-11-01"  # type: ignore[index]


# --- trust: a config file may not switch on Python hooks where a pull request controls it -----------------------


@pytest.mark.parametrize(
    ("env", "allowed"),
    [
        ({}, True),
        ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push"}, True),
        ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request"}, False),
        ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request_target"}, False),
        ({"VMSS_LINT_UNTRUSTED_CONFIG": "1"}, False),
    ],
)
def test_config_python_rules_trust(tmp_path: Path, env: dict[str, str], allowed: bool) -> None:
    loaded = load_config(Path(write(tmp_path, "allow-python-rules = true\n")))
    ok, why = loaded.python_rules_allowed(env)
    assert ok is allowed
    assert (why is None) is allowed


def test_parse_errors_are_input_errors() -> None:
    with pytest.raises(InputError, match="unknown key 'nope'"):
        parse_config({"nope": 1}, "cfg")


def test_context_table_maps_onto_the_context_file_shape(tmp_path: Path) -> None:
    loaded = load_config(Path(write(tmp_path, '[context]\nresource-group = "rg"\ndeployment = "d1"\n')))
    assert loaded.config.context is not None
    assert loaded.config.context.as_context_file() == {"resourceGroup": "rg", "deployment": "d1"}


def test_default_config_matches_an_empty_config_file() -> None:
    """A run without a config file must behave exactly like one with an empty file."""
    from vmss_lint.config.file import Config
    from vmss_lint.config.find import DefaultConfig
    from vmss_lint.core.records import record_fields

    default = DefaultConfig()
    empty = Config()
    assert {f.name for f in record_fields(DefaultConfig)} == set(Config.model_fields)
    for name in Config.model_fields:
        assert getattr(default, name) == getattr(empty, name), name
