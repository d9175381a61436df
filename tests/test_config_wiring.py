"""Config values that feed templates: the parameters mapping and the deployment context."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from vmss_lint.cli import main

WEB = FIXTURES / "templates" / "web"


def _repo(tmp_path: Path, config: str) -> Path:
    infra = tmp_path / "infra"
    infra.mkdir()
    shutil.copy(WEB / "azuredeploy.json", infra / "vmss.json")
    (infra / "prod.params.json").write_text(
        json.dumps(
            {
                "parameters": {
                    "sshPublicKey": {"value": "ssh-rsa AAAAB3Nza fixture"},
                    "vmSku": {"value": "Standard_E4s_v5"},
                }
            }
        )
    )
    (infra / "base.params.json").write_text(
        json.dumps({"parameters": {"sshPublicKey": {"value": "ssh-rsa AAAAB3Nza fixture"}}})
    )
    (tmp_path / ".vmss-lint.toml").write_text(config)
    return infra


def _run(tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        main(["check", *args, "--format", "json"])
    finally:
        os.chdir(old)
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def test_parameters_mapping_from_config_is_used_when_no_flag_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    infra = _repo(tmp_path, '[parameters]\n"infra/vmss.json" = "infra/prod.params.json"\n')
    report = _run(tmp_path, [str(WEB / "azuredeploy.json"), str(infra / "vmss.json")], capsys)
    rules = [f["rule"] for r in report["results"] for f in r["findings"]]  # type: ignore[index, union-attr]
    assert "VMSS301" in rules  # vmSku from the mapped parameters file: D2s_v5 -> E4s_v5

    # An explicit --parameters wins over the mapping.
    report = _run(
        tmp_path,
        [
            str(WEB / "azuredeploy.json"),
            str(infra / "vmss.json"),
            "--parameters",
            str(infra / "base.params.json"),
        ],
        capsys,
    )
    rules = [f["rule"] for r in report["results"] for f in r["findings"]]  # type: ignore[index, union-attr]
    assert "VMSS301" not in rules


def test_context_from_config_fills_resource_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    infra = _repo(
        tmp_path,
        '[context]\nsubscription-id = "11111111-2222-3333-4444-555555555555"\nresource-group = "rg-web"\n'
        'location = "westeurope"\n',
    )
    report = _run(
        tmp_path,
        [
            str(FIXTURES / "models" / "web-rest.json"),
            str(infra / "vmss.json"),
            "--parameters",
            str(infra / "base.params.json"),
        ],
        capsys,
    )
    findings = [f for r in report["results"] for f in r["findings"]]  # type: ignore[index, union-attr]
    # resourceGroup().location resolves to westeurope, so the location is not a change.
    assert not [f for f in findings if f["pointer"] == "/location"]
