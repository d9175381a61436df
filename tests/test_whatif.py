"""What-if results (`az deployment group what-if --no-pretty-print`) as a single input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from vmss_lint.cli import main
from vmss_lint.core.errors import InputError
from vmss_lint.inputs.whatif import is_whatif
from vmss_lint.pipeline import LintOptions, check_inputs

WEB_MODEL = FIXTURES / "models" / "web-rest.json"
RG = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-web/providers"


def web() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WEB_MODEL.read_text(encoding="utf-8"))
    return data


def change(kind: str, rid: str, before: Any = None, after: Any = None, **extra: Any) -> dict[str, Any]:
    return {"resourceId": rid, "changeType": kind, "before": before, "after": after, "delta": [], **extra}


def whatif(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"status": "Succeeded", "error": None, "changes": list(changes)}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "whatif.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def run(path: Path) -> dict[str, Any]:
    return check_inputs(str(path), None, LintOptions()).dump()


def test_modify_is_linted_from_before_and_after(tmp_path: Path) -> None:
    before = web()
    after = copy.deepcopy(before)
    after["apiVersion"] = "2024-07-01"
    after["zones"] = ["1", "2"]
    vnet = f"{RG}/Microsoft.Network/virtualNetworks"
    unrelated = change("Modify", f"{vnet}/vnet-hub", {"name": "vnet-hub"}, {"name": "vnet-hub"})
    path = write(tmp_path, whatif(unrelated, change("Modify", before["id"], before, after)))
    report = run(path)
    (result,) = report["results"]
    assert result["name"] == "web"
    assert result["apiVersion"] == {"value": "2024-07-01", "origin": "template", "detail": None}
    zone = [f for f in result["findings"] if f["rule"] == "VMSS101"]
    assert [f["severity"] for f in zone] == ["error"]
    # The finding points at the line of `zones` inside `after`.
    text = path.read_text(encoding="utf-8")
    after_at = text.index('"after"', text.index('"changeType": "Modify"', text.index(before["id"])))
    at = text.index('"zones"', after_at)
    line, column = text.count("\n", 0, at) + 1, at - text.rindex("\n", 0, at)
    assert zone[0]["location"] == {
        "file": str(path),
        "line": line,
        "column": column,
        "valueFrom": None,
        "valueAt": None,
    }


def test_no_change_has_no_findings(tmp_path: Path) -> None:
    before = web()
    report = run(write(tmp_path, whatif(change("NoChange", before["id"], before, copy.deepcopy(before)))))
    assert [r["findings"] for r in report["results"]] == [[]]


def test_create_delete_ignore_and_unsupported(tmp_path: Path) -> None:
    before = web()
    created = copy.deepcopy(before)
    created["name"] = "api"
    created_id = before["id"].replace("/web", "/api")
    data = whatif(
        change("Create", created_id, None, created),
        change("Delete", before["id"], before, None),
        change("Ignore", before["id"].replace("/web", "/old"), None, None),
        change(
            "Unsupported", before["id"].replace("/web", "/dyn"), unsupportedReason="name uses reference()"
        ),
    )
    report = run(write(tmp_path, data))
    status = {
        r["name"]: (r["status"], [(f["rule"], f["severity"]) for f in r["findings"]])
        for r in report["results"]
    }
    assert status == {
        "api": ("created", [("VMSS005", "info")]),
        "web": ("deleted", [("VMSS004", "warning")]),
    }
    assert any("old" in n and "Ignore" in n for n in report["notices"])
    assert any("reference()" in n for n in report["notices"])


def test_extension_child_change_is_folded_into_its_scale_set(tmp_path: Path) -> None:
    before = web()
    after = copy.deepcopy(before)
    ext_id = f"{before['id']}/extensions/install-app"
    ext_before = before["properties"]["virtualMachineProfile"]["extensionProfile"]["extensions"][1]
    ext_after = copy.deepcopy(ext_before)
    ext_after["properties"]["typeHandlerVersion"] = "2.2"
    data = whatif(
        change("NoChange", before["id"], before, after),
        change("Modify", ext_id, ext_before, ext_after),
    )
    report = run(write(tmp_path, data))
    pointers = {f["pointer"] for r in report["results"] for f in r["findings"]}
    changed = {p for p in pointers if "/extensions/" in p}
    assert all(
        p.startswith("/properties/virtualMachineProfile/extensionProfile/extensions/1") for p in changed
    )
    assert "sig=FIXTURESAS" not in json.dumps(report)


def test_expression_left_by_whatif_is_unknown(tmp_path: Path) -> None:
    before = web()
    after = copy.deepcopy(before)
    after["sku"]["name"] = "[reference('sizing').outputs.sku.value]"
    after["zones"] = "[reference('zones').outputs.list.value]"
    report = run(write(tmp_path, whatif(change("Modify", before["id"], before, after))))
    found = [(f["rule"], f["severity"], f["pointer"]) for r in report["results"] for f in r["findings"]]
    assert sorted(found) == [("VMSS001", "info", "/sku/name"), ("VMSS001", "info", "/zones")]


def test_rest_envelope_and_detection(tmp_path: Path) -> None:
    before = web()
    after = copy.deepcopy(before)
    after["sku"]["name"] = "Standard_E4s_v5"
    body = {"status": "Succeeded", "properties": {"changes": [change("Modify", before["id"], before, after)]}}
    assert is_whatif(body)
    assert not is_whatif(before)
    report = run(write(tmp_path, body))
    assert [f["rule"] for r in report["results"] for f in r["findings"]] == ["VMSS301"]


def test_cli_single_whatif_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = web()
    after = copy.deepcopy(before)
    after["zones"] = ["1"]
    path = write(tmp_path, whatif(change("Modify", before["id"], before, after)))
    assert main(["check", str(path), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["errors"] >= 1


def test_whatif_with_a_second_input_is_a_usage_error(tmp_path: Path) -> None:
    before = web()
    path = write(tmp_path, whatif(change("NoChange", before["id"], before, before)))
    with pytest.raises(InputError, match="pass it alone"):
        check_inputs(str(path), str(WEB_MODEL), LintOptions())


def test_model_alone_still_needs_proposed() -> None:
    with pytest.raises(InputError, match="missing PROPOSED"):
        check_inputs(str(WEB_MODEL), None, LintOptions())
