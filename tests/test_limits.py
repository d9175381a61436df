"""Every safety limit ends the run with exit 2 and one line naming the limit and how to raise it.

One test per limit (input size, JSON nesting, expression length and depth, copy count, nested
deployments, scale sets per run, JSON Patch operations, `az vmss update` length), each checked at
the default and, where it can be raised, with its `VMSS_LINT_*` variable set. Plus the promise behind
all of them: no input executes code or reaches the network.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, QUICKSTART_TEMPLATES

from vmss_lint.cli import main
from vmss_lint.core import limits
from vmss_lint.core.errors import InputError, LimitExceeded

WEB = FIXTURES / "models" / "web-rest.json"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def assert_limit_message(rc: int, err: str, env: str) -> None:
    """Exit 2, one line, the variable that raises the limit named in it, no traceback."""
    assert rc == 2, err
    assert err.startswith("vmss-lint: error: "), err
    assert err.count("\n") == 1, err
    assert env in err, err
    assert "limit" in err, err
    assert "Traceback" not in err and "internal error" not in err, err


def write(tmp_path: Path, name: str, value: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(value) if not isinstance(value, str) else value, encoding="utf-8")
    return str(path)


def scale_set(name: str = "web", **extra: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "type": "Microsoft.Compute/virtualMachineScaleSets",
        "apiVersion": "2024-07-01",
        "name": name,
        "location": "westeurope",
        "sku": {"name": "Standard_D2s_v5", "capacity": 2},
        "properties": {
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "ubuntu",
                        "sku": "24_04",
                        "version": "latest",
                    }
                }
            },
        },
    }
    res.update(extra)
    return res


def template(*resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", **sections, "resources": list(resources)}


def check_pair(tmp_path: Path, current: Any, proposed: Any) -> tuple[int, str, str]:
    return run(
        ["check", write(tmp_path, "current.json", current), write(tmp_path, "proposed.json", proposed)]
    )


# ------------------------------------------------------------------------------------- the module


def test_every_limit_has_its_own_variable_and_a_message_naming_it() -> None:
    envs = [lim.env for lim in limits.ALL_LIMITS]
    assert len(set(envs)) == len(envs)
    for lim in limits.ALL_LIMITS:
        assert lim.env.startswith("VMSS_LINT_") and lim.default > 0
        exc = lim.exceeded("file.json", lim.default + 1)
        assert isinstance(exc, LimitExceeded) and isinstance(exc, InputError)
        assert lim.env in str(exc) and str(lim.default) in str(exc)


def test_arm_defaults_are_arms_documented_limits() -> None:
    assert limits.EXPRESSION_MAX_LENGTH == 24_576
    assert limits.COPY_MAX_COUNT == 800
    assert limits.INPUT_MAX_BYTES >= 4 * 1024 * 1024  # ARM's own template size limit must always pass


def test_override_and_bad_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMSS_LINT_MAX_SCALE_SETS", "1_000")
    assert limits.SCALE_SETS.value == 1000
    monkeypatch.setenv("VMSS_LINT_MAX_SCALE_SETS", "0")
    with pytest.raises(InputError, match="VMSS_LINT_MAX_SCALE_SETS"):
        _ = limits.SCALE_SETS.value
    monkeypatch.setenv("VMSS_LINT_MAX_BYTES", "lots")
    rc, _, err = run(["check", str(WEB), str(WEB)])
    assert rc == 2 and "VMSS_LINT_MAX_BYTES" in err and "positive whole number" in err


# --------------------------------------------------------------------------------------- readers


def test_input_size_is_checked_before_reading(tmp_path: Path) -> None:
    """A file over the limit is refused from its size alone (a sparse file: nothing is read)."""
    big = tmp_path / "huge.json"
    with big.open("wb") as fh:
        fh.truncate(limits.INPUT_MAX_BYTES + 1)
    rc, _, err = run(["check", str(WEB), str(big)])
    assert_limit_message(rc, err, "VMSS_LINT_MAX_BYTES")
    assert str(limits.INPUT_MAX_BYTES + 1) in err


def test_input_size_limit_can_be_lowered_and_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    size = WEB.stat().st_size
    monkeypatch.setenv("VMSS_LINT_MAX_BYTES", str(size - 1))
    assert_limit_message(*run(["check", str(WEB), str(WEB)])[::2], "VMSS_LINT_MAX_BYTES")
    monkeypatch.setenv("VMSS_LINT_MAX_BYTES", str(size))
    assert run(["check", str(WEB), str(WEB)])[0] == 0


def test_stdin_is_read_only_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    data = WEB.read_bytes()
    monkeypatch.setenv("VMSS_LINT_MAX_BYTES", "1000")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert_limit_message(*run(["check", "-", str(WEB)])[::2], "VMSS_LINT_MAX_BYTES")


def test_json_nesting_depth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = write(tmp_path, "deep.json", "[" * 300 + "]" * 300)
    assert_limit_message(*run(["check", str(WEB), deep])[::2], "VMSS_LINT_MAX_DEPTH")
    monkeypatch.setenv("VMSS_LINT_MAX_DEPTH", "400")
    rc, _, err = run(["check", str(WEB), deep])
    assert rc == 2 and "VMSS_LINT_MAX_DEPTH" not in err  # read now; refused as not a scale set


def test_absurd_depth_with_the_limit_raised_is_still_a_clean_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Raising the limit past Python's recursion limit must give a message, never a traceback."""
    monkeypatch.setenv("VMSS_LINT_MAX_DEPTH", "1000000")
    doc = json.loads(WEB.read_text())
    inner = '{"a":' * 20_000 + "1" + "}" * 20_000
    text = json.dumps(doc).replace('"priority": "Regular"', f'"priority": "Regular", "x": {inner}', 1)
    assert '"x": {"a"' in text
    rc, _, err = run(["check", str(WEB), write(tmp_path, "deep.json", text)])
    assert rc == 2, err
    assert err.startswith("vmss-lint: error: ") and "Traceback" not in err and "internal error" not in err


# -------------------------------------------------------------------------------------- templates


def _sku_expression(tmp_path: Path, expression: str) -> tuple[int, str, str]:
    current = template(scale_set())
    proposed = template(scale_set(sku={"name": expression, "capacity": 2}))
    return check_pair(tmp_path, current, proposed)


def test_expression_length(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "a" * limits.EXPRESSION_MAX_LENGTH
    expression = f"[substring('{body}', 0, 15)]"
    assert_limit_message(*_sku_expression(tmp_path, expression)[::2], "VMSS_LINT_EXPRESSION_MAX_LENGTH")
    monkeypatch.setenv("VMSS_LINT_EXPRESSION_MAX_LENGTH", str(len(expression)))
    rc, out, err = _sku_expression(tmp_path, expression)
    assert rc in (0, 1), err
    assert "aaaaaaaaaaaaaaa" in out  # evaluated: the new size is shown


def test_expression_depth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    depth = limits.EXPRESSION_MAX_DEPTH + 1
    expression = "[" + "toLower(" * depth + "'Standard_D4s_v5'" + ")" * depth + "]"
    assert_limit_message(*_sku_expression(tmp_path, expression)[::2], "VMSS_LINT_EXPRESSION_MAX_DEPTH")
    monkeypatch.setenv("VMSS_LINT_EXPRESSION_MAX_DEPTH", str(depth + 1))
    rc, _, err = _sku_expression(tmp_path, expression)
    assert rc in (0, 1), err


def _disks(count: int) -> dict[str, Any]:
    res = scale_set()
    res["properties"]["virtualMachineProfile"]["storageProfile"]["copy"] = [
        {
            "name": "dataDisks",
            "count": count,
            "input": {"lun": "[copyIndex('dataDisks')]", "createOption": "Empty", "diskSizeGB": 8},
        }
    ]
    return res


def test_property_copy_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    over = limits.COPY_MAX_COUNT + 1
    rc, _, err = check_pair(tmp_path, template(_disks(2)), template(_disks(over)))
    assert_limit_message(rc, err, "VMSS_LINT_COPY_MAX_COUNT")
    assert "Azure rejects this too" in err
    monkeypatch.setenv("VMSS_LINT_COPY_MAX_COUNT", str(over))
    rc, _, err = check_pair(tmp_path, template(_disks(2)), template(_disks(over)))
    assert rc in (0, 1), err


def test_resource_copy_count(tmp_path: Path) -> None:
    res = scale_set("[concat('web', copyIndex())]", copy={"name": "sets", "count": limits.COPY_MAX_COUNT + 1})
    rc, _, err = check_pair(tmp_path, template(scale_set()), template(res))
    assert_limit_message(rc, err, "VMSS_LINT_COPY_MAX_COUNT")


def _nested(depth: int) -> dict[str, Any]:
    doc = template(scale_set())
    for i in range(depth):
        deployment = {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": f"level{i}",
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "template": doc,
            },
        }
        doc = template(deployment)
    return doc


def test_nested_deployment_depth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = _nested(limits.NESTED_DEPLOYMENT_MAX_DEPTH + 1)
    assert_limit_message(*check_pair(tmp_path, deep, deep)[::2], "VMSS_LINT_NESTED_DEPLOYMENT_MAX_DEPTH")
    monkeypatch.setenv("VMSS_LINT_NESTED_DEPLOYMENT_MAX_DEPTH", str(limits.NESTED_DEPLOYMENT_MAX_DEPTH + 1))
    rc, out, err = run(
        ["check", *(write(tmp_path, n, deep) for n in ("a.json", "b.json")), "--format", "json"]
    )
    assert rc == 0, err
    assert json.loads(out)["summary"]["scaleSets"] == 1  # the scale set at the bottom was read


def test_number_of_scale_sets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMSS_LINT_MAX_SCALE_SETS", "3")  # the default (500) works the same, just slower
    sets = [scale_set(f"web{i}") for i in range(4)]
    rc, _, err = check_pair(tmp_path, template(*sets), template(*sets))
    assert_limit_message(rc, err, "VMSS_LINT_MAX_SCALE_SETS")
    monkeypatch.setenv("VMSS_LINT_MAX_SCALE_SETS", "4")
    assert check_pair(tmp_path, template(*sets), template(*sets))[0] == 0


# ------------------------------------------------------------------------------------------ edits


def test_json_patch_operations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ops = [{"op": "test", "path": "/name", "value": "web"}] * (limits.PATCH_MAX_OPS + 1)
    patch = write(tmp_path, "patch.json", ops)
    assert_limit_message(*run(["check", str(WEB), "--patch", patch])[::2], "VMSS_LINT_PATCH_MAX_OPS")
    monkeypatch.setenv("VMSS_LINT_PATCH_MAX_OPS", "20")
    short = write(tmp_path, "short.json", ops[:20])
    assert run(["check", str(WEB), "--patch", short])[0] == 0


def test_az_update_command_length() -> None:
    from vmss_lint.inputs.edits.az_update import MAX_COMMAND_CHARS

    command = "az vmss update -g rg-web -n web --set tags.x=" + "a" * MAX_COMMAND_CHARS
    rc, _, err = run(["check", str(WEB), "--az-update", command])
    assert rc == 2 and "Traceback" not in err and "internal error" not in err
    assert str(MAX_COMMAND_CHARS) in err or "limit" in err, err


# -------------------------------------------------------------------- no code, no network, ever


LIVE_TEMPLATE = template(
    {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "linked",
        "properties": {
            "mode": "Incremental",
            "templateLink": {
                "uri": "https://raw.githubusercontent.com/Azure/azure-quickstart-templates/x.json"
            },
        },
    },
    scale_set(
        sku={
            "name": "[reference(resourceId('Microsoft.Resources/deployments', 'linked')).outputs.sku.value]"
        },
        properties={
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "osProfile": {
                    "customData": "[base64(listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), "
                    "'2023-01-01').keys[0].value)]"
                },
                "extensionProfile": {
                    "extensions": [
                        {
                            "name": "setup",
                            "properties": {
                                "publisher": "Microsoft.Azure.Extensions",
                                "type": "CustomScript",
                                "typeHandlerVersion": "2.1",
                                "settings": {
                                    "fileUris": ["[uri('https://example.com/scripts/', 'install.sh')]"],
                                    "commandToExecute": "[concat('curl -s ', environment().resourceManager)]",
                                },
                            },
                        }
                    ]
                },
            },
        },
    ),
    parameters={"secret": {"type": "securestring", "defaultValue": "[newGuid()]"}},
)


def test_no_input_reaches_the_network_or_runs_a_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """reference(), listKeys(), a templateLink and URLs: evaluated offline with sockets and processes blocked."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"vmss-lint tried to reach the outside world: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    current = copy.deepcopy(LIVE_TEMPLATE)
    current["resources"][1]["sku"] = {"name": "Standard_D2s_v5"}
    rc, out, err = check_pair(tmp_path, current, LIVE_TEMPLATE)
    assert rc in (0, 1), err
    assert "tried to reach" not in out + err
    for template_file in QUICKSTART_TEMPLATES:
        rc, out, err = run(["check", str(template_file), str(template_file), "--format", "json"])
        assert rc == 0, err
