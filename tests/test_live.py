"""The live scale set as CURRENT, end to end: the CLI as a user runs it, the real azure-identity chain and
azure-mgmt-compute client, and a loopback ARM (tests/armserver.py). No test reaches the network."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

pytest.importorskip("azure.mgmt.compute", reason="the live scale set needs the azure extra")
pytest.importorskip("cryptography", reason="the loopback ARM needs a test certificate")

from armserver import LoopbackAzure, loopback_azure

SUB, RG, NAME = "11111111-2222-3333-4444-555555555555", "rg-web", "web"
BASE = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachineScaleSets/{NAME}"
LIVE = "azure://" + BASE
TEMPLATE = FIXTURES / "templates" / "web" / "azuredeploy.json"


def model() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "models" / "web-rest.json").read_text(encoding="utf-8"))
    return doc


def instances() -> list[dict[str, Any]]:
    doc = json.loads((FIXTURES / "instances" / "web-rest.json").read_text(encoding="utf-8"))
    value: list[dict[str, Any]] = doc["value"]
    return value


@pytest.fixture
def azure(tmp_path: Path) -> Iterator[LoopbackAzure]:
    with web_scale_set(tmp_path) as server:
        yield server


@contextlib.contextmanager
def web_scale_set(tmp_path: Path) -> Iterator[LoopbackAzure]:
    """The loopback ARM serving the web scale set and its instances (two pages)."""
    with loopback_azure(tmp_path) as server:
        server.serve(BASE, model())
        vms = instances()
        nxt = f"{server.arm_endpoint}{BASE}/virtualMachines?api-version=2025-04-01&$skiptoken=page2"
        pages = {"page2": {"value": vms[3:]}}

        def vm_list(_path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
            token = query.get("$skiptoken", [None])[0]
            if token:
                return 200, {}, pages[token]
            return 200, {}, {"value": vms[:3], "nextLink": nxt}

        server.routes[f"{BASE}/virtualMachines".lower()] = vm_list
        yield server


def run(
    azure: LoopbackAzure, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ARM_", "IDENTITY_", "MSI_"))}
    full.update(azure.env())
    full.update(env or {})
    full["VMSS_LINT_AZURE_RETRIES"] = full.get("VMSS_LINT_AZURE_RETRIES", "1")
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *map(str, args)],
        capture_output=True,
        text=True,
        env=full,
        check=False,
        timeout=120,
    )


def changed_template(tmp_path: Path) -> Path:
    """The web template with another VM size: the plan then names the live instances."""
    text = TEMPLATE.read_text(encoding="utf-8")
    params = json.loads((TEMPLATE.parent / "azuredeploy.parameters.json").read_text(encoding="utf-8"))
    (tmp_path / "azuredeploy.json").write_text(text, encoding="utf-8")
    params["parameters"]["vmSku"] = {"value": "Standard_E4s_v5"}
    (tmp_path / "azuredeploy.parameters.json").write_text(json.dumps(params), encoding="utf-8")
    return tmp_path / "azuredeploy.json"


@pytest.mark.parametrize("fmt", ["text", "full", "json", "sarif"])
def test_live_scale_set_against_a_template(azure: LoopbackAzure, tmp_path: Path, fmt: str) -> None:
    template = changed_template(tmp_path)
    proc = run(
        azure, "--format", fmt, LIVE, template, "--parameters", tmp_path / "azuredeploy.parameters.json"
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "loopback-token" not in proc.stdout + proc.stderr
    paths = [r.path for r in azure.requests]
    assert paths[0] == BASE and paths.count(f"{BASE}/virtualMachines") == 2  # the second page via nextLink
    assert all(r.authorization == "Bearer loopback-token" for r in azure.requests)
    assert "$expand" not in azure.requests[0].query  # userData only when the proposed side mentions it
    if fmt == "json":
        report = json.loads(proc.stdout)
        [result] = report["results"]
        assert result["current"] == LIVE
        rules = {f["rule"] for f in result["findings"]}
        assert "VMSS301" in rules  # the size change
        assert "VMSS001" not in rules  # resourceGroup().location came from the live resource
        notes = " ".join(result["plan"]["notes"])
        assert "Protected from scale-set actions: 4" in notes  # the instance list was fetched
    elif fmt == "sarif":
        jsonschema = pytest.importorskip("jsonschema")
        schema = json.loads(
            (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
        )
        jsonschema.Draft4Validator(schema).validate(json.loads(proc.stdout))
    else:
        assert "VMSS301" in proc.stdout and (fmt == "text" or LIVE in proc.stdout)  # full names the sides


def test_live_by_resource_group_and_name_and_saved_for_offline(azure: LoopbackAzure, tmp_path: Path) -> None:
    saved, saved_vms = tmp_path / "current.json", tmp_path / "instances.json"
    template = changed_template(tmp_path)
    proc = run(
        azure,
        "--format", "json", "--live", f"{RG}/{NAME}", template,
        "--save-current", saved, "--save-instances", saved_vms,
        env={"AZURE_SUBSCRIPTION_ID": SUB},
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    live = json.loads(proc.stdout)
    offline = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--format", "json", saved, template, "--instances", saved_vms,
         "--context", _context(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert offline.returncode == proc.returncode, offline.stderr
    strip = lambda r: [(f["rule"], f["pointer"]) for f in r["results"][0]["findings"]]  # noqa: E731
    assert strip(json.loads(offline.stdout)) == strip(live)


def _context(tmp_path: Path) -> Path:
    path = tmp_path / "context.json"
    loc = model()["location"]
    path.write_text(
        json.dumps({"subscription": {"subscriptionId": SUB}, "resourceGroup": {"name": RG, "location": loc}})
    )
    return path


def test_user_data_is_expanded_only_when_the_proposed_side_sets_it(
    azure: LoopbackAzure, tmp_path: Path
) -> None:
    proposed = model()
    proposed["properties"]["virtualMachineProfile"]["userData"] = "bmV3LXVzZXItZGF0YQ=="
    (tmp_path / "p.json").write_text(json.dumps(proposed), encoding="utf-8")
    proc = run(azure, "--format", "json", LIVE, tmp_path / "p.json")
    assert proc.returncode in (0, 1), proc.stderr
    assert azure.requests[0].query.get("$expand") == ["userData"]


@pytest.mark.parametrize(
    ("status", "says"),
    [(403, "access denied"), (404, "no such scale set"), (500, "HTTP 500")],
)
def test_arm_errors_are_one_line(azure: LoopbackAzure, tmp_path: Path, status: int, says: str) -> None:
    azure.serve(BASE, {"error": {"code": "X", "message": "secret-ish detail"}}, status=status)
    proc = run(azure, LIVE, TEMPLATE, env={"VMSS_LINT_AZURE_RETRIES": "0"})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and says in proc.stderr and "Traceback" not in proc.stderr


def test_a_failed_login_is_one_line(azure: LoopbackAzure) -> None:
    azure.token_status = 400
    proc = run(azure, LIVE, TEMPLATE, env={"PATH": "/nonexistent"})  # no az/pwsh login to fall back to
    assert proc.returncode == 2
    assert "could not sign in" in proc.stderr and proc.stderr.count("\n") == 1
    assert not any(r.path == BASE for r in azure.requests)


def test_429_with_retry_after_is_retried(azure: LoopbackAzure) -> None:
    calls = {"n": 0}

    def throttled(_p: str, _q: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Retry-After": "1"}, {"error": {"code": "TooManyRequests", "message": "slow down"}}
        return 200, {}, model()

    azure.routes[BASE.lower()] = throttled
    proc = run(azure, "--format", "json", LIVE, TEMPLATE)
    assert proc.returncode in (0, 1), proc.stderr
    assert calls["n"] == 2


def test_a_slow_arm_is_bounded(azure: LoopbackAzure) -> None:
    import time

    def slow(_p: str, _q: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        time.sleep(4)
        return 200, {}, model()

    azure.routes[BASE.lower()] = slow
    proc = run(
        azure, LIVE, TEMPLATE, env={"VMSS_LINT_AZURE_READ_TIMEOUT": "1", "VMSS_LINT_AZURE_RETRIES": "0"}
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_bad_live_references_are_usage_errors(azure: LoopbackAzure) -> None:
    proc = run(azure, "azure:///subscriptions/x/resourceGroups/y", TEMPLATE)
    assert proc.returncode == 2 and "not a scale-set resource id" in proc.stderr
    proc = run(azure, "--live", "only-a-name", TEMPLATE)
    assert proc.returncode == 2 and "RESOURCE_GROUP/NAME" in proc.stderr
    proc = run(azure, "--live", f"{RG}/{NAME}", TEMPLATE)  # no subscription anywhere
    assert proc.returncode == 2 and "no subscription" in proc.stderr


def test_the_default_install_imports_no_azure_module() -> None:
    code = (
        "import sys\n"
        "from vmss_lint.cli import main\n"
        f"rc = main(['check', {str(FIXTURES / 'example' / 'current.json')!r}, {str(FIXTURES / 'example' / 'proposed.json')!r}])\n"
        "bad = sorted(m for m in sys.modules if m == 'azure' or m.startswith(('azure.', 'msal')))\n"
        "print(bad)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


def test_without_the_azure_extra_the_run_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['azure.mgmt.compute'] = None  # as if the extra were not installed\n"
        "from vmss_lint.cli import main\n"
        f"raise SystemExit(main(['check', {LIVE!r}, {str(TEMPLATE)!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "pip install 'vmss-lint[azure]'" in proc.stderr and proc.stderr.count("\n") == 1


def test_a_flexible_scale_set_lists_its_virtual_machines(azure: LoopbackAzure, tmp_path: Path) -> None:
    flex = model()
    flex["properties"]["orchestrationMode"] = "Flexible"
    azure.serve(BASE, flex)
    vms_path = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines"
    seen: list[dict[str, list[str]]] = []

    def vm_list(_p: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        seen.append(query)
        return 200, {}, {"value": [{"name": "web_1a2b3c", "id": f"{vms_path}/web_1a2b3c", "properties": {}}]}

    azure.routes[vms_path.lower()] = vm_list
    (tmp_path / "p.json").write_text(json.dumps(flex), encoding="utf-8")
    proc = run(azure, "--format", "json", LIVE, tmp_path / "p.json")
    assert proc.returncode in (0, 1), proc.stderr
    assert seen and seen[0]["$filter"] == [f"'virtualMachineScaleSet/id' eq '{BASE}'"]
