"""Rule packs: the built-in pack loads through the entry point from an editable install and from a wheel
in a fresh virtual environment, third-party packs load the same way, and broken or clashing packs stop
the run with exit 2 naming both sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from vmss_lint.cli import main
from vmss_lint.core.errors import InputError
from vmss_lint.engine.packs import discover_packs, load_rules

WEB = str(FIXTURES / "models" / "web-rest.json")


def test_builtin_pack_is_an_entry_point_of_this_install() -> None:
    packs = dict(discover_packs())
    assert packs["vmss"] == "vmss_lint.rules"
    from importlib import metadata

    names = {ep.name for ep in metadata.entry_points(group="vmss_lint.rules")}
    assert "vmss" in names, "the editable install must register the built-in pack as an entry point"


def test_builtin_rules_load_and_are_unique() -> None:
    rules = load_rules()
    ids = [r.spec.id for r in rules]
    assert len(ids) == len(set(ids))
    assert {"VMSS101", "VMSS103", "VMSS105", "VMSS106", "VMSS301"} <= set(ids)
    for rule in rules:
        assert Path(rule.source).name.startswith(rule.spec.id + "-"), rule.source
        assert Path(rule.source).name == f"{rule.spec.id}-{rule.spec.name}.toml"


def _local_rule(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


RULE = """
id = "{id}"
name = "{name}"
severity = "warning"
impact = "model-only"
summary = "Owner tag changed."
why = "Cost reports key on it."
fix = "Keep it."
references = ["https://example.invalid"]
{extra}
[match]
path = "/tags/owner"

[example]
current = {{ tags = {{ owner = "a" }} }}
proposed = {{ tags = {{ owner = "b" }} }}
"""


def test_rules_dir_adds_local_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _local_rule(
        tmp_path / "rules", "LOCAL901-owner.toml", RULE.format(id="LOCAL901", name="owner-tag", extra="")
    )
    doc = json.loads(Path(WEB).read_text())
    doc["tags"]["owner"] = "someone"
    proposed = tmp_path / "p.json"
    proposed.write_text(json.dumps(doc))
    # VMSS511 (tags-change) reports the same tag edit; ignore it to see the local rule alone.
    args = ["check", WEB, str(proposed), "--rules-dir", str(tmp_path / "rules"), "--ignore", "VMSS511"]
    code = main([*args, "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [f["rule"] for f in out["results"][0]["findings"]] == ["LOCAL901"]


def test_duplicate_id_names_both_sources(tmp_path: Path) -> None:
    _local_rule(tmp_path / "rules", "VMSS101-dup.toml", RULE.format(id="VMSS101", name="dup-rule", extra=""))
    with pytest.raises(InputError) as info:
        load_rules([tmp_path / "rules"])
    text = str(info.value)
    assert "VMSS101-dup.toml" in text and "VMSS101-zone-removed.toml" in text


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (RULE.format(id="LOCAL902", name="x", extra="colour = 'red'"), "unknown key"),
        (RULE.format(id="bad id", name="x", extra=""), "id"),
        ("id = [", "not valid TOML"),
        (RULE.format(id="LOCAL903", name="x", extra='hook = "nowhere:nothing"'), "exactly one"),
    ],
)
def test_invalid_rule_files_exit_2(
    tmp_path: Path, text: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _local_rule(tmp_path / "rules", "LOCAL902-x.toml", text)
    code = main(["check", WEB, WEB, "--rules-dir", str(tmp_path / "rules")])
    err = capsys.readouterr().err
    assert code == 2
    assert "LOCAL902-x.toml" in err and needle in err


def test_local_python_hooks_need_explicit_permission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rules"
    text = RULE.format(id="LOCAL904", name="py-hook", extra='hook = "myhooks:owner"').replace(
        '[match]\npath = "/tags/owner"\n', ""
    )
    _local_rule(folder, "LOCAL904-py-hook.toml", text)
    marker = tmp_path / "ran"
    (folder / "myhooks.py").write_text(
        "from pathlib import Path\n"
        "def owner(ctx):\n"
        f"    Path({str(marker)!r}).write_text('x')\n"
        "    return []\n"
    )
    assert main(["check", WEB, WEB, "--rules-dir", str(folder)]) == 2
    assert "--allow-python-rules" in capsys.readouterr().err
    assert not marker.exists(), "a local hook must not run without permission"
    assert main(["check", WEB, WEB, "--rules-dir", str(folder), "--allow-python-rules"]) == 0
    assert marker.exists()


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout plus the third-party test pack, installed in a brand-new virtualenv."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    for project in (REPO, FIXTURES / "plugin_pack"):
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(project)],
            check=True,
            capture_output=True,
            cwd=root,
        )
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    wheels = sorted(str(p) for p in dist.glob("*.whl"))
    subprocess.run([str(env_dir / "bin" / "pip"), "install", "-q", *wheels], check=True, capture_output=True)
    return env_dir


# The wheel ships rules/index.json, and the installed built-in pack loads without parsing a rule file.
_INDEX_IN_WHEEL = """
from importlib import resources
from vmss_lint.engine.packs import _load_folder, _parse_rule_cached
print(resources.files("vmss_lint.rules").joinpath("index.json").is_file())
_load_folder(resources.files("vmss_lint.rules"), "vmss", "vmss_lint.rules")
print(_parse_rule_cached.cache_info().currsize)
"""


@pytest.mark.slow
def test_wheel_in_fresh_venv_finds_builtin_and_third_party_packs(fresh_venv: Path, tmp_path: Path) -> None:
    exe = fresh_venv / "bin" / "vmss-lint"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    listing = subprocess.run(
        [str(exe), "rules"], capture_output=True, text=True, cwd=tmp_path, env=env, check=False
    )
    assert listing.returncode == 0, listing.stderr
    assert "VMSS101" in listing.stdout and "ACME001" in listing.stdout
    assert "ACME004" in listing.stdout, "the pack's hook module must import from the installed wheel"
    # The installed package must not be the checkout: run from elsewhere, with no rules/ folder around.
    where = subprocess.run(
        [str(fresh_venv / "bin" / "python"), "-c", "import vmss_lint.rules as r; print(r.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert str(fresh_venv) in where.stdout
    index = subprocess.run(
        [str(fresh_venv / "bin" / "python"), "-c", _INDEX_IN_WHEEL],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert index.stdout.split() == ["True", "0"], index.stderr
    check = subprocess.run(
        [
            str(exe),
            "check",
            str(FIXTURES / "example" / "current.json"),
            str(FIXTURES / "example" / "proposed.json"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert check.returncode == 1 and "VMSS101" in check.stdout
    broken = subprocess.run(
        [str(exe), "rules"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "VMSS_LINT_DISABLE_PLUGINS": ""},
        check=False,
    )
    assert broken.returncode == 0


@pytest.mark.slow
def test_wheel_ships_the_report_schema(fresh_venv: Path, tmp_path: Path) -> None:
    """The JSON Schema of the output (docs/output.md) is package data, so consumers of an installed
    vmss-lint can validate against the schema of exactly that version."""
    code = (
        "from importlib import resources; import json; "
        "f = resources.files('vmss_lint').joinpath('data', 'report.schema.json'); "
        "print(json.loads(f.read_text())['title'], f)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run(
        [str(fresh_venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("vmss-lint JSON report ") and str(fresh_venv) in run.stdout
