"""ARM templates as inputs: the real corpus, and variants derived from it in each test.

Every variant is made by editing the fixture's text, so line numbers in the expectations are computed
from the text the test wrote, never typed in by hand.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, QUICKSTART_TEMPLATES

from vmss_lint.arm.files import read_file
from vmss_lint.arm.template_model import model_from_found
from vmss_lint.arm.templates import scan_template
from vmss_lint.cli import main
from vmss_lint.compare import compare
from vmss_lint.core.errors import InputError
from vmss_lint.inputs.pairing import pairs_from_files
from vmss_lint.inputs.params import ParameterValues, TemplateContext, TemplateParams
from vmss_lint.pipeline import LintOptions, check_inputs

TEMPLATES = FIXTURES / "templates"
WEB = TEMPLATES / "web" / "azuredeploy.json"
WEB_PARAMS = TEMPLATES / "web" / "azuredeploy.parameters.json"
WEB_MODEL = FIXTURES / "models" / "web-rest.json"
SOURCES = FIXTURES / "SOURCES.md"
CORPUS = QUICKSTART_TEMPLATES


def run(current: Path | str, proposed: Path | str | None = None, **params: Any) -> dict[str, Any]:
    report = check_inputs(
        str(current),
        str(proposed) if proposed is not None else None,
        LintOptions(),
        params=TemplateParams(**params),
    )
    return report.dump()


def findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for r in report["results"] for f in r["findings"]]


def essentials(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What must agree between a template pair and the equivalent model pair."""
    return sorted(
        (f["rule"], f["severity"], f["impact"], f["pointer"], json.dumps(f["old"]), json.dumps(f["new"]))
        for f in findings(report)
    )


def line_of(text: str, needle: str, start: int = 0) -> int:
    index = text.index(needle, start)
    return text.count("\n", 0, index) + 1


def variant(tmp_path: Path, text: str, name: str = "azuredeploy.json", params: bool = True) -> Path:
    """Write a derived template; the web fixture's parameters file goes next to it, as in a repository."""
    folder = tmp_path / name.replace(".json", "")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "azuredeploy.json"
    path.write_text(text, encoding="utf-8")
    if params:
        shutil.copy(WEB_PARAMS, folder / "azuredeploy.parameters.json")
    return path


def sub(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) >= count, old
    return text.replace(old, new, count)


# --- the real corpus -------------------------------------------------------------------------------


def test_corpus_copies_are_the_upstream_bytes() -> None:
    """The quickstart templates are real third-party files: fixtures/SOURCES.md records each one's upstream
    commit and digest, and an edit (even a reformat) would make them no longer what users deploy."""
    listed = dict(
        re.findall(r"`(templates/vmss-[^`]+)`.*? sha256 `([0-9a-f]{64})`", SOURCES.read_text("utf-8"))
    )
    on_disk = sorted(str(p.relative_to(FIXTURES)) for p in TEMPLATES.glob("vmss-*/*.json"))
    assert sorted(listed) == on_disk and len(CORPUS) == 4
    for name, digest in listed.items():
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.parent.name)
def test_corpus_template_loads(path: Path) -> None:
    file = read_file(path)
    scan = scan_template(file, ParameterValues(), TemplateContext())
    assert len(scan.scale_sets) == 1
    found = scan.scale_sets[0]
    model = model_from_found(found, TemplateContext())
    raw = next(r for r in file.value["resources"] if r["type"].endswith("virtualMachineScaleSets"))
    assert model.api_version == raw["apiVersion"]
    assert model.shape == "template"
    assert "virtualMachineProfile" in model.doc["properties"]
    # Every canonical pointer of a finding can be placed on a line of the file.
    assert model.positions["/sku"].file == str(path)


@pytest.mark.parametrize("path", [*CORPUS, WEB], ids=lambda p: p.parent.name)
def test_template_against_itself_has_no_findings(path: Path) -> None:
    report = run(path, path)
    assert findings(report) == []
    assert [r["status"] for r in report["results"]] == ["unchanged"]


@pytest.mark.parametrize("path", [*CORPUS, WEB], ids=lambda p: p.parent.name)
def test_reformatted_template_with_comments_has_no_findings(path: Path, tmp_path: Path) -> None:
    data = read_file(path).value
    text = json.dumps(data, indent=4, sort_keys=True)
    text = text.replace('"properties": {', '/* reformatted */ "properties": { // keep this\n', 5)
    text = "\ufeff// header comment\n" + text.replace("\n}", ",\n}", 1)  # a trailing comma as well
    out = tmp_path / "azuredeploy.json"
    out.write_text(text, encoding="utf-8")
    for params in path.parent.glob("*.parameters.json"):
        shutil.copy(params, tmp_path / params.name)
    report = run(path, out)
    assert findings(report) == []


def test_corpus_parameters_file_is_discovered_and_named() -> None:
    path = TEMPLATES / "vmss-windows-app-gateway" / "azuredeploy.json"
    report = run(path, path)
    assert any("azuredeploy.parameters.json" in n and "found next to it" in n for n in report["notices"])
    # vmssName comes from the file (GEN-UNIQUE-32), but the name also takes uniqueString(resourceGroup().id),
    # which is unknown offline: the name is shown as written, never with a made-up resource group.
    assert report["results"][0]["name"] == "[variables('namingInfix')]"


def test_corpus_secure_parameter_is_compared_and_never_printed(tmp_path: Path) -> None:
    base = TEMPLATES / "vmss-windows-app-gateway"
    p1 = tmp_path / "p1.json"
    p2 = tmp_path / "p2.json"
    text = (base / "azuredeploy.parameters.json").read_text(encoding="utf-8")
    p1.write_text(text.replace("GEN-PASSWORD", "Fixture-Secret-One1!"), encoding="utf-8")
    p2.write_text(text.replace("GEN-PASSWORD", "Fixture-Secret-Two2!"), encoding="utf-8")
    params = TemplateParams(current_parameters=[str(p1)], proposed_parameters=[str(p2)])
    file = read_file(base / "azuredeploy.json")
    ((current, proposed),), _ = pairs_from_files(file, file, params)
    assert current is not None and proposed is not None
    pointer = "/properties/virtualMachineProfile/osProfile/adminPassword"
    assert pointer in proposed.secret_pointers
    assert [c.pointer for c in compare(current, proposed)] == [pointer]
    report = run(base / "azuredeploy.json", base / "azuredeploy.json", **vars(params))
    assert "Fixture-Secret" not in json.dumps(report)


# --- values: parameter defaults, parameters files ---------------------------------------------------


def test_parameter_default_change_matches_model_pair(tmp_path: Path) -> None:
    text = WEB.read_text(encoding="utf-8")
    head_text = sub(text, '"defaultValue": "Standard_D2s_v5"', '"defaultValue": "Standard_E4s_v5"')
    head = variant(tmp_path, head_text)
    report = run(WEB, head)
    # The same change as a pair of models.
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps([{"op": "replace", "path": "/sku/name", "value": "Standard_E4s_v5"}]))
    model_report = check_inputs(str(WEB_MODEL), None, LintOptions(), patch=str(patch)).dump()
    assert essentials(report) == essentials(model_report)
    assert [f["rule"] for f in findings(report)] == ["VMSS301"]
    (finding,) = findings(report)
    assert finding["location"]["file"] == str(head)
    assert finding["location"]["line"] == line_of(head_text, '"name": "[parameters(\'vmSku\')]"')
    default_line = line_of(head_text, '"defaultValue": "Standard_E4s_v5"')
    assert finding["location"]["valueFrom"] == f"parameters('vmSku') = azuredeploy.json:{default_line}"


def test_resource_change_points_at_the_resource_line(tmp_path: Path) -> None:
    text = WEB.read_text(encoding="utf-8")
    head_text = sub(text, '"zones": "[parameters(\'zones\')]"', '"zones": ["1", "2"]')
    head = variant(tmp_path, head_text)
    report = run(WEB, head)
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps([{"op": "replace", "path": "/zones", "value": ["1", "2"]}]))
    model_report = check_inputs(str(WEB_MODEL), None, LintOptions(), patch=str(patch)).dump()
    assert essentials(report) == essentials(model_report)
    (finding,) = [f for f in findings(report) if f["rule"] == "VMSS101"]
    assert finding["severity"] == "error"
    assert finding["location"]["line"] == line_of(head_text, '"zones": ["1", "2"]')
    assert finding["location"]["valueFrom"] is None


def test_variable_member_change_names_the_variable_line(tmp_path: Path) -> None:
    text = WEB.read_text(encoding="utf-8")
    head_text = sub(text, '"publisher": "Canonical"', '"publisher": "MicrosoftCBLMariner"')
    head = variant(tmp_path, head_text)
    (finding,) = [f for f in findings(run(WEB, head)) if f["rule"] == "VMSS103"]
    assert finding["pointer"] == "/properties/virtualMachineProfile/storageProfile/imageReference/publisher"
    assert finding["location"]["line"] == line_of(
        head_text, '"imageReference": "[variables(\'imageReference\')]"'
    )
    publisher_line = line_of(head_text, '"publisher": "MicrosoftCBLMariner"')
    assert (
        finding["location"]["valueFrom"] == f"variables('imageReference') = azuredeploy.json:{publisher_line}"
    )


def test_parameters_file_change(tmp_path: Path) -> None:
    base = tmp_path / "base.parameters.json"
    head = tmp_path / "head.parameters.json"
    data = json.loads(WEB_PARAMS.read_text(encoding="utf-8"))
    base.write_text(json.dumps(data, indent=2))
    data["parameters"]["vmSku"] = {"value": "Standard_D4s_v5"}
    head_text = json.dumps(data, indent=2)
    head.write_text(head_text)
    report = run(WEB, WEB, current_parameters=[str(base)], proposed_parameters=[str(head)])
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps([{"op": "replace", "path": "/sku/name", "value": "Standard_D4s_v5"}]))
    model_report = check_inputs(str(WEB_MODEL), None, LintOptions(), patch=str(patch)).dump()
    assert essentials(report) == essentials(model_report)
    (finding,) = findings(report)
    assert (finding["rule"], finding["severity"], finding["old"], finding["new"]) == (
        "VMSS301",
        "warning",
        "Standard_D2s_v5",
        "Standard_D4s_v5",
    )
    assert finding["impact"] == "update-instances"  # same family and generation
    value_line = line_of(head_text, '"value": "Standard_D4s_v5"')
    assert finding["location"]["valueFrom"] == f"parameters('vmSku') = head.parameters.json:{value_line}"
    assert not any("found next to it" in n for n in report["notices"])  # explicit files win


def test_later_parameters_file_wins(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    first.write_text(json.dumps({"parameters": {"vmSku": {"value": "Standard_E2s_v5"}}}))
    second.write_text(json.dumps({"parameters": {"vmSku": {"value": "Standard_D2s_v5"}}}))
    report = run(
        WEB,
        WEB,
        current_parameters=[str(WEB_PARAMS)],
        proposed_parameters=[str(WEB_PARAMS), str(first), str(second)],
    )
    assert findings(report) == []


def test_key_vault_reference_is_unknown_and_secret(tmp_path: Path) -> None:
    params = tmp_path / "kv.parameters.json"
    params.write_text(
        json.dumps(
            {
                "parameters": {
                    "sshPublicKey": {
                        "reference": {"keyVault": {"id": "/subscriptions/x/vaults/kv"}, "secretName": "ssh"}
                    },
                    "vmSku": {
                        "reference": {"keyVault": {"id": "/subscriptions/x/vaults/kv"}, "secretName": "sku"}
                    },
                }
            }
        )
    )
    report = run(WEB, WEB, proposed_parameters=[str(params)], current_parameters=[str(WEB_PARAMS)])
    assert {f["severity"] for f in findings(report)} == {"info"}
    sku = [f for f in findings(report) if f["pointer"] == "/sku/name"]
    assert [f["rule"] for f in sku] == ["VMSS001"]
    assert "Key Vault" in sku[0]["message"]
    assert "AAAAB3" not in json.dumps(report)


def test_missing_required_parameter_is_unknown_not_an_error(tmp_path: Path) -> None:
    text = WEB.read_text(encoding="utf-8")
    head_text = sub(
        text,
        '"vmSku": { "type": "string", "defaultValue": "Standard_D2s_v5" }',
        '"vmSku": { "type": "string" }',
    )
    head = variant(tmp_path, head_text)
    report = run(WEB, head)
    assert [(f["rule"], f["severity"], f["pointer"]) for f in findings(report)] == [
        ("VMSS001", "info", "/sku/name")
    ]
    assert "parameter 'vmSku' has no value" in findings(report)[0]["message"]


# --- expressions that cannot be resolved -------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "pointer"),
    [
        ('"name": "[parameters(\'vmSku\')]"', '"name": "[reference(\'sizing\').vmSku]"', "/sku/name"),
        (
            '"zones": "[parameters(\'zones\')]"',
            "\"zones\": \"[pickZones('Microsoft.Compute', 'virtualMachineScaleSets', parameters('location'), 2)]\"",
            "/zones",
        ),
        (
            '"publisher": "Canonical"',
            "\"publisher\": \"[listKeys('x', '2020-01-01').publisher]\"",
            "/properties/virtualMachineProfile/storageProfile/imageReference/publisher",
        ),
        (
            '"diskSizeGB": 30',
            '"diskSizeGB": "[length(utcNow())]"',
            "/properties/virtualMachineProfile/storageProfile/osDisk/diskSizeGB",
        ),
    ],
    ids=["reference", "pickZones", "listKeys", "utcNow"],
)
def test_unresolvable_expression_is_one_info_never_an_error(
    tmp_path: Path, old: str, new: str, pointer: str
) -> None:
    head = variant(tmp_path, sub(WEB.read_text(encoding="utf-8"), old, new))
    report = run(WEB, head)
    assert [(f["rule"], f["severity"], f["pointer"]) for f in findings(report)] == [
        ("VMSS001", "info", pointer)
    ]
    assert report["summary"]["failed"] is False


def test_unchanged_unresolvable_expression_is_silent(tmp_path: Path) -> None:
    head = variant(
        tmp_path,
        sub(
            WEB.read_text(encoding="utf-8"),
            '"name": "[parameters(\'vmSku\')]"',
            '"name": "[reference(\'sizing\').vmSku]"',
        ),
    )
    assert findings(run(head, head)) == []


# --- finding the scale sets -----------------------------------------------------------------------


def _as_symbolic(text: str) -> str:
    """The web template in languageVersion 2.0: resources keyed by symbolic name, plus an `existing` one."""
    data = json.loads(re.sub(r"(?m)^\s*//.*$|/\*.*?\*/", "", text))
    vmss, ext = data["resources"]
    ext["dependsOn"] = ["vmss"]
    data["languageVersion"] = "2.0"
    data["resources"] = {
        "vnet": {
            "existing": True,
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": "2023-09-01",
            "name": "vnet-hub",
        },
        "vmss": vmss,
        "installApp": ext,
        "other": {
            "existing": True,
            "type": "Microsoft.Compute/virtualMachineScaleSets",
            "apiVersion": "2024-07-01",
            "name": "legacy",
        },
    }
    return json.dumps(data, indent=2)


def test_symbolic_name_resources(tmp_path: Path) -> None:
    head = variant(tmp_path, _as_symbolic(WEB.read_text(encoding="utf-8")))
    scan = scan_template(read_file(head), ParameterValues(), TemplateContext())
    assert [(s.symbolic, s.display_name) for s in scan.scale_sets] == [("vmss", "web")]  # `existing` skipped
    assert [e.name for e in scan.scale_sets[0].extensions] == ["web/install-app"]
    assert findings(run(WEB, head)) == []


def test_symbolic_name_pairs_scale_sets_whose_names_cannot_be_resolved(tmp_path: Path) -> None:
    def two(sku_front: str) -> str:
        data = json.loads(_as_symbolic(WEB.read_text(encoding="utf-8")))
        front = data["resources"]["vmss"]
        back = json.loads(json.dumps(front))
        front["name"] = "[parameters('frontName')]"
        back["name"] = "[parameters('backName')]"
        front["sku"]["name"] = sku_front
        data["parameters"]["frontName"] = {"type": "string"}
        data["parameters"]["backName"] = {"type": "string"}
        data["resources"] = {"back": back, "front": front}
        return json.dumps(data, indent=2)

    base = variant(tmp_path, two("Standard_D2s_v5"), "base.json")
    text = two("Standard_E2s_v5").replace("frontName", "frontendName")  # the name expression changes too
    head = variant(tmp_path, text, "head.json")
    report = run(base, head)
    changed = {
        r["name"]: [f["rule"] for f in r["findings"] if f["severity"] != "info"] for r in report["results"]
    }
    assert changed == {"[parameters('backName')]": [], "[parameters('frontendName')]": ["VMSS301"]}


def _nested(text: str, scope: str) -> str:
    """Move the scale set and its extension into a nested deployment with the given expression scope."""
    data = json.loads(re.sub(r"(?m)^\s*//.*$|/\*.*?\*/", "", text))
    inner = {
        "$schema": data["$schema"],
        "contentVersion": "1.0.0.0",
        "resources": data["resources"],
    }
    props: dict[str, Any] = {"mode": "Incremental", "template": inner}
    if scope == "inner":
        inner["parameters"] = data["parameters"]
        inner["variables"] = data["variables"]
        props["expressionEvaluationOptions"] = {"scope": "inner"}
        props["parameters"] = {name: {"value": f"[parameters('{name}')]"} for name in data["parameters"]}
    data["resources"] = [
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "vmssModule",
            "properties": props,
        }
    ]
    return json.dumps(data, indent=2)


@pytest.mark.parametrize("scope", ["inner", "outer"])
def test_nested_deployment(tmp_path: Path, scope: str) -> None:
    text = WEB.read_text(encoding="utf-8")
    base = variant(tmp_path, _nested(text, scope), "base.json")
    scan = scan_template(read_file(base), ParameterValues(), TemplateContext())
    assert [(s.display_name, s.origin.deployment) for s in scan.scale_sets] == [("web", ("vmssModule",))]
    assert findings(run(base, base)) == []
    head_text = _nested(
        sub(text, '"defaultValue": "Standard_D2s_v5"', '"defaultValue": "Standard_E4s_v5"'), scope
    )
    head = variant(tmp_path, head_text, "head.json")
    (finding,) = findings(run(base, head))
    assert finding["rule"] == "VMSS301"
    assert finding["location"]["line"] == line_of(head_text, '"name": "[parameters(\'vmSku\')]"')
    if scope == "inner":  # the value reaches the inner template through the deployment's parameters
        passed = head_text.count("\n", 0, head_text.rindex('"vmSku": {')) + 1
        assert finding["location"]["valueFrom"] == f"parameters('vmSku') = azuredeploy.json:{passed}"
    else:  # outer scope: the parent's own parameter default
        default = line_of(head_text, '"defaultValue": "Standard_E4s_v5"')
        assert finding["location"]["valueFrom"] == f"parameters('vmSku') = azuredeploy.json:{default}"


def test_inner_scope_does_not_see_outer_variables(tmp_path: Path) -> None:
    data = json.loads(_nested(WEB.read_text(encoding="utf-8"), "inner"))
    data["resources"][0]["properties"]["template"]["variables"]["lbName"] = "lb-inner"
    data["variables"]["lbName"] = "lb-outer"
    path = variant(tmp_path, json.dumps(data, indent=2))
    context = TemplateContext(subscription={"subscriptionId": "s1"}, resource_group={"name": "rg1"})
    (found,) = scan_template(read_file(path), ParameterValues(), context).scale_sets
    probe = found.body["properties"]["virtualMachineProfile"]["networkProfile"]["healthProbe"]["id"]
    assert "/loadBalancers/lb-inner/" in probe


def test_linked_template_with_relative_path(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    (folder / "modules").mkdir(parents=True)
    shutil.copy(WEB, folder / "modules" / "vmss.json")
    main_template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"sku": {"type": "string", "defaultValue": "Standard_D2s_v5"}},
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "vmss",
                "properties": {
                    "mode": "Incremental",
                    "templateLink": {"relativePath": "modules/vmss.json"},
                    "parameters": {"vmSku": {"value": "[parameters('sku')]"}, "sshPublicKey": {"value": "k"}},
                },
            },
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "remote",
                "properties": {
                    "mode": "Incremental",
                    "templateLink": {"uri": "https://example.invalid/t.json"},
                },
            },
        ],
    }
    base = folder / "main.json"
    base.write_text(json.dumps(main_template, indent=2))
    main_template["parameters"]["sku"]["defaultValue"] = "Standard_E2s_v5"
    head = folder / "main.head.json"
    head.write_text(json.dumps(main_template, indent=2))
    report = run(base, head)
    assert [f["rule"] for f in findings(report)] == ["VMSS301"]
    assert findings(report)[0]["location"]["file"] == str(folder / "modules" / "vmss.json")
    assert any("'remote'" in n and "not followed" in n for n in report["notices"])


def test_copy_loop_expands_and_pairs_by_name(tmp_path: Path) -> None:
    text = WEB.read_text(encoding="utf-8")

    def looped(count: int) -> str:
        t = sub(
            text,
            '"name": "[parameters(\'vmssName\')]",',
            f'"name": "[concat(parameters(\'vmssName\'), copyIndex(1))]", "copy": {{"name": "sets", "count": {count}}},',
        )
        return sub(
            t,
            '"computerNamePrefix": "[parameters(\'vmssName\')]"',
            '"computerNamePrefix": "[concat(parameters(\'vmssName\'), copyIndex(1))]"',
        )

    two = variant(tmp_path, looped(2), "two.json")
    three = variant(tmp_path, looped(3), "three.json")
    scan = scan_template(read_file(two), ParameterValues(), TemplateContext())
    assert [s.display_name for s in scan.scale_sets] == ["web1", "web2"]
    assert findings(run(two, two)) == []
    grown = run(two, three)
    assert {r["name"]: r["status"] for r in grown["results"]} == {
        "web1": "unchanged",
        "web2": "unchanged",
        "web3": "created",
    }
    created = [f for r in grown["results"] if r["status"] == "created" for f in r["findings"]]
    assert [(f["rule"], f["severity"]) for f in created] == [("VMSS005", "info")]
    shrunk = run(three, two)
    gone = [r for r in shrunk["results"] if r["status"] == "unmanaged"]
    assert [r["name"] for r in gone] == ["web3"]
    assert [(f["rule"], f["severity"]) for f in gone[0]["findings"]] == [("VMSS004", "info")]
    assert shrunk["summary"]["failed"] is False


def test_unknown_copy_count_is_one_templated_instance(tmp_path: Path) -> None:
    text = sub(
        WEB.read_text(encoding="utf-8"),
        '"name": "[parameters(\'vmssName\')]",',
        '"name": "[concat(parameters(\'vmssName\'), copyIndex())]", "copy": {"name": "sets", "count": "[length(reference(\'x\').items)]"},',
    )
    path = variant(tmp_path, text)
    scan = scan_template(read_file(path), ParameterValues(), TemplateContext())
    assert len(scan.scale_sets) == 1
    assert any("copy loop" in n for n in scan.notices)
    assert [f["severity"] for f in findings(run(path, path))] == []


def test_property_copy_loop(tmp_path: Path) -> None:
    head_text = sub(WEB.read_text(encoding="utf-8"), '"count": 2,', '"count": 1,')
    head = variant(tmp_path, head_text)
    ((current, proposed),), _ = pairs_from_files(read_file(WEB), read_file(head), TemplateParams())
    assert current is not None and proposed is not None
    disks = "/properties/virtualMachineProfile/storageProfile/dataDisks"
    assert [d["diskSizeGB"] for d in current.get(disks)] == [128, 256]
    assert [(c.pointer, c.op) for c in compare(current, proposed)] == [(f"{disks}/1", "remove")]
    # A disk's values point into the loop's `input`, with the line of the property.
    assert proposed.positions[f"{disks}/0/caching"].line == line_of(head_text, '"caching": "[if(')


@pytest.mark.parametrize("condition", ["[equals(parameters('vmSku'), 'none')]", False])
def test_condition_false_means_no_longer_managed(tmp_path: Path, condition: Any) -> None:
    data = json.loads(re.sub(r"(?m)^\s*//.*$|/\*.*?\*/", "", WEB.read_text(encoding="utf-8")))
    data["resources"][0]["condition"] = condition
    head = variant(tmp_path, json.dumps(data, indent=2))
    report = run(WEB, head)
    assert [(r["name"], r["status"]) for r in report["results"]] == [("web", "unmanaged")]
    assert [f["rule"] for f in findings(report)] == ["VMSS004"]


def test_extension_child_resource_is_merged(tmp_path: Path) -> None:
    head_text = sub(
        WEB.read_text(encoding="utf-8"),
        '"commandToExecute": "bash install.sh"',
        '"commandToExecute": "bash v2.sh"',
    )
    head = variant(tmp_path, head_text)
    ((current, proposed),), _ = pairs_from_files(read_file(WEB), read_file(head), TemplateParams())
    assert current is not None and proposed is not None
    extensions = proposed.get("/properties/virtualMachineProfile/extensionProfile/extensions")
    assert [e["name"] for e in extensions] == ["HealthExtension", "install-app"]
    assert extensions[1]["properties"]["type"] == "CustomScript"
    pointer = "/properties/virtualMachineProfile/extensionProfile/extensions/1/properties/settings"
    changed = [c.pointer for c in compare(current, proposed)]
    assert len(changed) == 1 and changed[0].startswith(pointer)
    assert proposed.positions[changed[0]].line == line_of(head_text, '"commandToExecute": "bash v2.sh"')
    assert proposed.positions[pointer].file == str(head)


# --- a live model against the template about to be deployed --------------------------------------


def test_live_model_against_template() -> None:
    report = run(WEB_MODEL, WEB)
    assert {f["severity"] for f in findings(report)} <= {"info"}
    # resourceGroup().location is not known offline: unknown, not a region change (VMSS110 is an error).
    location = [f for f in findings(report) if f["pointer"] == "/location"]
    assert [f["rule"] for f in location] == ["VMSS001"]
    assert "resourceGroup().location is not known offline" in location[0]["message"]
    # resourceId() used the live scale set's subscription and resource group, so ids are unchanged.
    assert not any("subnet" in f["pointer"] for f in findings(report))


def test_live_model_against_template_with_context(tmp_path: Path) -> None:
    ctx = tmp_path / "context.json"
    ctx.write_text(
        json.dumps(
            {
                "subscriptionId": "11111111-2222-3333-4444-555555555555",
                "resourceGroup": {"name": "rg-web", "location": "westeurope"},
            }
        )
    )
    from vmss_lint.inputs.params import load_context

    report = run(WEB_MODEL, WEB, context=load_context(str(ctx)))
    assert not [f for f in findings(report) if f["pointer"] == "/location"]
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps(
            {
                "subscriptionId": "11111111-2222-3333-4444-555555555555",
                "resourceGroup": "rg-web",
                "location": "northeurope",
            }
        )
    )
    moved = run(WEB_MODEL, WEB, context=load_context(str(other)))
    assert [f["rule"] for f in findings(moved) if f["pointer"] == "/location"] == ["VMSS110"]


def test_live_model_against_changed_template_matches_model_pair(tmp_path: Path) -> None:
    head = variant(
        tmp_path,
        sub(
            WEB.read_text(encoding="utf-8"),
            '"defaultValue": "Standard_D2s_v5"',
            '"defaultValue": "Standard_E4s_v5"',
        ),
    )
    report = run(WEB_MODEL, head)
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps([{"op": "replace", "path": "/sku/name", "value": "Standard_E4s_v5"}]))
    model_report = check_inputs(str(WEB_MODEL), None, LintOptions(), patch=str(patch)).dump()
    severe = [e for e in essentials(report) if e[1] != "info"]
    assert severe == [e for e in essentials(model_report) if e[1] != "info"]


def test_live_model_against_corpus_template(tmp_path: Path) -> None:
    """A live model made from a corpus template (as Azure would return it) against that template."""
    path = TEMPLATES / "vmss-windows-app-gateway" / "azuredeploy.json"
    file = read_file(path)
    from vmss_lint.inputs.pairing import side_parameters

    values = side_parameters(file, "proposed", TemplateParams(), [])
    (found,) = scan_template(
        file,
        values,
        TemplateContext(
            resource_group={"name": "rg-app", "location": "westeurope"},
            subscription={"subscriptionId": "11111111-2222-3333-4444-555555555555"},
        ),
    ).scale_sets
    live = json.loads(json.dumps(found.body))
    live["id"] = (
        f"/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachineScaleSets/{live['name']}"
    )
    live["properties"]["provisioningState"] = "Succeeded"
    del live["properties"]["virtualMachineProfile"]["osProfile"]["adminPassword"]  # never returned by a GET
    live_path = tmp_path / "live.json"
    live_path.write_text(json.dumps(live, indent=2))
    report = run(live_path, path)
    assert {f["severity"] for f in findings(report)} <= {"info"}
    assert {f["pointer"] for f in findings(report)} <= {
        "/location",
        "/properties/virtualMachineProfile/osProfile/adminPassword",
    }
    assert "GEN-PASSWORD" not in json.dumps(report)


def test_live_model_with_a_template_that_lacks_it() -> None:
    two = json.loads(re.sub(r"(?m)^\s*//.*$|/\*.*?\*/", "", WEB.read_text(encoding="utf-8")))
    other = json.loads(json.dumps(two["resources"][0]))
    other["name"] = "api"
    two["resources"] = [other, {**other, "name": "jobs"}]
    with pytest.raises(InputError, match="no scale set named 'web'"):
        pairs_from_files(read_file(WEB_MODEL), _file(two), TemplateParams())


def _file(value: Any) -> Any:
    from vmss_lint.arm.files import parse_text

    return parse_text(json.dumps(value, indent=2), "<derived>")


# --- API and CLI ----------------------------------------------------------------------------------


def test_pairs_from_files_for_git_mode() -> None:
    pairs, notices = pairs_from_files(None, read_file(WEB), TemplateParams(discover=False))
    assert [(c, p.name if p else None) for c, p in pairs] == [(None, "web")]
    pairs, _ = pairs_from_files(read_file(WEB), None, TemplateParams(discover=False))
    assert [(c.name if c else None, p) for c, p in pairs] == [("web", None)]
    assert notices == []


def test_parameters_file_as_template_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="parameters file, not a template"):
        run(WEB_PARAMS, WEB)


def test_cli_parameters_and_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = tmp_path / "head.parameters.json"
    head.write_text(json.dumps({"parameters": {"vmSku": {"value": "Standard_E4s_v5"}}}))
    ctx = tmp_path / "ctx.json"
    ctx.write_text(json.dumps({"resourceGroup": "rg-web", "location": "westeurope"}))
    rc = main(
        [
            "check",
            str(WEB),
            str(WEB),
            "--current-parameters",
            str(WEB_PARAMS),
            "--proposed-parameters",
            str(WEB_PARAMS),
            "--proposed-parameters",
            str(head),
            "--context",
            str(ctx),
            "--subscription-id",
            "11111111-2222-3333-4444-555555555555",
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [f["rule"] for f in findings(out)] == ["VMSS301"]
    assert out["results"][0]["resourceGroup"] == "rg-web"
    assert out["results"][0]["subscription"] == "11111111-2222-3333-4444-555555555555"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceGroupName": "x"}))
    assert main(["check", str(WEB), str(WEB), "--context", str(bad)]) == 2
    assert "unknown context field" in capsys.readouterr().err


def test_template_metadata_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = sub(
        WEB.read_text(encoding="utf-8"),
        '"defaultValue": "Standard_D2s_v5"',
        '"defaultValue": "Standard_E4s_v5"',
    )
    suppress = {
        "vmss-lint": {"suppress": [{"rule": "VMSS301", "pointer": "/sku/name", "reason": "planned resize"}]}
    }
    text = sub(
        text,
        '"contentVersion": "1.0.0.0",',
        f'"contentVersion": "1.0.0.0",\n  "metadata": {json.dumps(suppress)},',
    )
    head = variant(tmp_path, text)
    assert main(["check", str(WEB), str(head), "--format", "json", "--fail-on", "warning"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in findings(out)] == []


def _values_for(template: dict[str, Any]) -> dict[str, Any]:
    """A value for every parameter that has no default, as a user's parameters file would give them."""
    out: dict[str, Any] = {}
    for name, spec in template["parameters"].items():
        kind = spec["type"].lower()
        if "defaultValue" in spec:
            continue
        if spec.get("allowedValues"):
            value: Any = spec["allowedValues"][-1]
        elif kind == "int":
            value = max(spec.get("minValue", 2), 2)
        elif kind == "bool":
            value = True
        elif kind == "array":
            value = ["1"]
        elif kind in ("object", "secureobject"):
            value = {}
        else:
            value = f"fixture{name.lower()}"[: spec.get("maxLength", 50)]
        out[name] = {"value": value}
    return out


@pytest.mark.parametrize("path", [*CORPUS, WEB], ids=lambda p: p.parent.name)
@pytest.mark.parametrize("direction", ["known-to-unknown", "unknown-to-known"])
def test_parameters_without_values_never_give_an_error_or_warning(
    path: Path, direction: str, tmp_path: Path
) -> None:
    """Every rule sees values that are unknown on one side (no parameters file): only infos may come out."""
    params = tmp_path / "all.parameters.json"
    params.write_text(json.dumps({"parameters": _values_for(read_file(path).value)}))
    given: dict[str, Any] = {"current_parameters": [str(params)], "proposed_parameters": []}
    if direction == "unknown-to-known":
        given = {"current_parameters": [], "proposed_parameters": [str(params)]}
    report = run(path, path, discover=False, **given)
    severe = [(f["rule"], f["pointer"]) for f in findings(report) if f["severity"] != "info"]
    assert severe == []


def test_limits_on_copy_count_and_nesting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = sub(
        WEB.read_text(encoding="utf-8"),
        '"name": "[parameters(\'vmssName\')]",',
        '"name": "[concat(parameters(\'vmssName\'), copyIndex())]", "copy": {"name": "s", "count": 801},',
    )
    with pytest.raises(InputError, match="copy count is 801"):
        run(variant(tmp_path, text, "many.json"), WEB)
    nested = variant(tmp_path, _nested(WEB.read_text(encoding="utf-8"), "inner"), "nested.json")
    monkeypatch.setenv("VMSS_LINT_NESTED_DEPLOYMENT_MAX_DEPTH", "1")
    assert findings(run(nested, nested)) == []
    twice = json.loads(nested.read_text(encoding="utf-8"))
    twice["resources"][0]["properties"]["template"] = json.loads(nested.read_text(encoding="utf-8"))
    with pytest.raises(InputError, match="nested deployment depth"):
        run(variant(tmp_path, json.dumps(twice), "twice.json"), WEB)


def test_moving_scale_sets_into_a_module_keeps_them(tmp_path: Path) -> None:
    """ARM identifies a resource by where it is deployed and its name, not by the deployment that holds it."""
    data = json.loads(re.sub(r"(?m)^\s*//.*$|/\*.*?\*/", "", WEB.read_text(encoding="utf-8")))
    vmss = data["resources"][0]
    other = json.loads(json.dumps(vmss))
    other["name"] = "api"
    data["resources"] = [vmss, other]
    flat = variant(tmp_path, json.dumps(data, indent=2), "flat.json")
    moved = json.loads(_nested(json.dumps(data), "outer"))
    module = variant(tmp_path, json.dumps(moved, indent=2), "module.json")
    report = run(flat, module)
    assert sorted((r["name"], r["status"]) for r in report["results"]) == [
        ("api", "unchanged"),
        ("web", "unchanged"),
    ]
    moved["resources"][0]["resourceGroup"] = "rg-other"  # now the module deploys them elsewhere
    elsewhere = variant(tmp_path, json.dumps(moved, indent=2), "elsewhere.json")
    statuses = sorted(r["status"] for r in run(flat, elsewhere)["results"])
    assert statuses == ["created", "created", "unmanaged", "unmanaged"]


def test_patch_on_a_template_is_a_usage_error(tmp_path: Path) -> None:
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps([{"op": "replace", "path": "/sku/name", "value": "x"}]))
    with pytest.raises(InputError, match="edit a scale-set model, not a template"):
        check_inputs(str(WEB), None, LintOptions(), patch=str(patch))


# --- a parameters file for another template ------------------------------------------------------------


def test_a_parameters_file_of_another_template_is_bad_input(tmp_path: Path) -> None:
    """Not one name in the file is a parameter of the template: the file belongs to another template
    (Azure rejects the deployment). Judging the template with its defaults instead would be a verdict on
    a deployment nobody runs, so this is exit 2 with one line, like any input that cannot be read as meant."""
    other = tmp_path / "other.parameters.json"
    other.write_text(
        json.dumps({"parameters": {"dnsLabelPrefix": {"value": "x"}, "vmSizeOfOther": {"value": "B2s"}}}),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        run(WEB, WEB, parameters=[str(other)])
    message = str(raised.value)
    assert str(other) in message and "dnslabelprefix" in message.lower()
    assert "another template" in message and "\n" not in message


def test_a_parameters_file_that_sets_one_undeclared_name_is_a_notice(tmp_path: Path) -> None:
    """Some names match: the file is this template's, one entry is stale; the run goes on and says so."""
    stale = json.loads(WEB_PARAMS.read_text(encoding="utf-8"))
    stale["parameters"]["retiredSetting"] = {"value": 1}
    path = tmp_path / "stale.parameters.json"
    path.write_text(json.dumps(stale), encoding="utf-8")
    report = run(WEB, WEB, parameters=[str(path)])
    assert any("retiredsetting, which the template does not declare" in n for n in report["notices"])


def test_a_discovered_parameters_file_of_another_template_is_only_a_notice(tmp_path: Path) -> None:
    """A file found next to the template by name (not one the user named) never stops the run."""
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(WEB, folder / "azuredeploy.json")
    (folder / "azuredeploy.parameters.json").write_text(
        json.dumps({"parameters": {"dnsLabelPrefix": {"value": "x"}}}), encoding="utf-8"
    )
    report = run(folder / "azuredeploy.json", folder / "azuredeploy.json")
    assert any("dnslabelprefix, which the template does not declare" in n for n in report["notices"])


def test_parameters_files_no_side_can_use_are_said_to_be_unused(tmp_path: Path) -> None:
    """Two models (or a model and a patch) read no parameters file: the run says so instead of dropping
    the files without a word, and judges the models as they are."""
    report = run(WEB_MODEL, WEB_MODEL, parameters=[str(WEB_PARAMS)])
    assert f"{WEB_PARAMS}: not used, no side of this check is an ARM template" in report["notices"]
    assert not findings(report)
    templated = run(WEB_MODEL, WEB, parameters=[str(WEB_PARAMS)])  # live model vs template: used
    assert not any("not used" in n for n in templated["notices"])
