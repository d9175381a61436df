"""Secrets never leave: every fixture case and every secret-bearing edit, rendered in every output format.

A secret is any value under adminPassword, customData, userData or protectedSettings (and its Key Vault
form) in the base model, the patch or the instance list, the decoded text of a base64 payload, the value of
a SAS signature (`sig=`), and anything carrying the fixtures' markers `Fixture-Secret` / `FIXTURESAS`.
The output may say that such a value changed (and a base64 payload's decoded length), never what it is.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Iterator
from html import escape as xml_escape
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, FIXTURES, REPO, case_files, load_case

from vmss_lint.arm.files import parse_text
from vmss_lint.core.redact import SECRET_KEYS
from vmss_lint.engine.packs import load_rules
from vmss_lint.inputs.instances import load_instances
from vmss_lint.inputs.read import model_from
from vmss_lint.inputs.sources import apply_patch
from vmss_lint.pipeline import LintOptions, lint_pair, make_report
from vmss_lint.report.document import Report
from vmss_lint.report.formats import FORMATS, renderer

MARKERS = ("Fixture-Secret", "FIXTURESAS")
INSTANCES = FIXTURES / "instances" / "web-rest.json"
_SECRET_KEYS = {k.lower() for k in SECRET_KEYS}
_SIG = re.compile(r"(?i)\bsig=([^&\s\"']+)")
_RULES: list[Any] = []


def _rules() -> list[Any]:
    if not _RULES:
        _RULES.extend(load_rules())
    return _RULES


def secrets_in(value: Any, under_secret: bool = False) -> Iterator[str]:
    """Every secret string inside a JSON value (see the module docstring)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from secrets_in(inner, under_secret or str(key).lower() in _SECRET_KEYS)
    elif isinstance(value, list):
        for inner in value:
            yield from secrets_in(inner, under_secret)
    elif isinstance(value, str):
        yield from _SIG.findall(value)
        if under_secret and len(value) >= 8:
            yield value
            decoded = _decoded(value)
            if decoded is not None and len(decoded) >= 8:
                yield decoded
        elif any(m in value for m in MARKERS) and "sig=" not in value.lower():
            yield value


def _decoded(value: str) -> str | None:
    try:
        raw = base64.b64decode(value, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if text.isprintable() or "\n" in text else None


def variants(secret: str) -> set[str]:
    """The secret as each format could spell it: raw, JSON-escaped, XML-escaped, GitHub-escaped."""
    out = {secret, json.dumps(secret)[1:-1], xml_escape(secret, quote=True)}
    out.add(secret.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    for line in secret.splitlines():  # a multi-line payload could leak one line at a time
        if len(line.strip()) >= 8:
            out.add(line.strip())
    return out


def available_formats() -> list[Any]:
    params = []
    for fmt in FORMATS:
        try:
            renderer(fmt)
        except ModuleNotFoundError as exc:
            params.append(
                pytest.param(fmt, marks=pytest.mark.skip(reason=f"format {fmt} not written yet ({exc.name})"))
            )
        else:
            params.append(pytest.param(fmt))
    return params


def render_all(report: Report, fmt: str, tmp_path: Path) -> str:
    """The rendered text, plus the GitHub job summary the github format writes next to it."""
    summary = tmp_path / f"summary-{fmt}.md"
    summary.unlink(missing_ok=True)
    kwargs: dict[str, Any] = {"colour": False, "rules": _rules()}
    if fmt == "github":
        kwargs["step_summary"] = str(summary)
    text: str = renderer(fmt)(report, **kwargs)
    if summary.exists():
        text += summary.read_text(encoding="utf-8")
    return text


@functools.cache
def case_report(path: Path) -> tuple[Report, frozenset[str]]:
    """A fixture case run like tests/caserunner.run_case, keeping the Report (and its secrets).

    The report holds the case twice, without and with the instance list (whose userData is a secret too),
    and is cached: each case is linted once and rendered in every format.
    """
    case = load_case(path)
    base_path = FIXTURES / case["base"]
    base = parse_text(base_path.read_bytes(), f"fixtures/{case['base']}")
    results = []
    for instances in (None, load_instances(INSTANCES)):
        current = model_from(base)
        proposed = apply_patch(base, case["patch"], str(path.relative_to(REPO)))
        if case.get("as_model"):
            proposed.removed = frozenset()
            proposed.edits = {}
        options = LintOptions(api_version=case.get("api_version"), instances=instances)
        results.append(lint_pair(current, proposed, _rules(), options))
    found = frozenset(secrets_in(base.value)) | frozenset(secrets_in(case["patch"]))
    return make_report(results, "error"), found


def assert_clean(text: str, secrets: set[str] | frozenset[str], label: str) -> None:
    for marker in MARKERS:
        assert marker not in text, f"{label}: '{marker}' reached the output"
    for secret in secrets:
        for spelled in variants(secret):
            assert spelled not in text, f"{label}: a secret value reached the output: {spelled[:6]}..."


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("secrets")


@pytest.fixture(scope="module")
def instance_secrets() -> set[str]:
    found = set(secrets_in(json.loads(INSTANCES.read_text(encoding="utf-8"))))
    assert found, "the instance fixture should carry a secret (userData) to prove it never leaks"
    return found


@pytest.mark.parametrize("fmt", available_formats())
@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(CASES)).replace("/", "-"))
def test_no_secret_in_any_format(path: Path, fmt: str, instance_secrets: set[str], scratch: Path) -> None:
    report, found = case_report(path)
    text = render_all(report, fmt, scratch)
    assert_clean(text, found | instance_secrets, f"{path.name} [{fmt}]")


CLOUD_INIT = "#cloud-config\nchpasswd:\n  list: |\n    azureuser:Fixture-Secret-cloudinit-42\n"
CUSTOM_DATA = base64.b64encode(CLOUD_INIT.encode()).decode()
USER_DATA = base64.b64encode(b"token=Fixture-Secret-userdata-7f3a9c").decode()
OS = "/properties/virtualMachineProfile/osProfile"
EXT = "/properties/virtualMachineProfile/extensionProfile/extensions"
EDITS: dict[str, list[dict[str, Any]]] = {
    "custom-data": [{"op": "add", "path": f"{OS}/customData", "value": CUSTOM_DATA}],
    "user-data": [{"op": "add", "path": "/properties/virtualMachineProfile/userData", "value": USER_DATA}],
    "admin-password": [{"op": "add", "path": f"{OS}/adminPassword", "value": "Fixture-Secret-Pa55word!"}],
    "protected-settings-added": [
        {
            "op": "add",
            "path": f"{EXT}/1/properties/protectedSettings",
            "value": {
                "storageAccountKey": "Fixture-Secret-accountkey==",
                "commandToExecute": "run Fixture-Secret-cmd",
            },
        }
    ],
    "extension-with-protected-settings": [
        {
            "op": "add",
            "path": f"{EXT}/-",
            "value": {
                "name": "secrets-ext",
                "properties": {
                    "publisher": "Microsoft.Azure.Extensions",
                    "type": "CustomScript",
                    "typeHandlerVersion": "2.1",
                    "protectedSettings": {"managedIdentity": {}, "script": "Fixture-Secret-script-body"},
                },
            },
        }
    ],
    "sas-url-changed": [
        {
            "op": "replace",
            "path": f"{EXT}/1/properties/settings/fileUris/0",
            "value": "https://stweb.blob.core.windows.net/scripts/v2.sh?sv=2024-08-04&sr=b&sp=r&sig=FIXTURESASnewSignature987%3D",
        }
    ],
    "key-vault-protected-settings": [
        {
            "op": "add",
            "path": f"{EXT}/1/properties/protectedSettingsFromKeyVault",
            "value": {
                "secretUrl": "https://kv-web.vault.azure.net/secrets/Fixture-Secret-name/0123456789abcdef",
                "sourceVault": {
                    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-web"
                },
            },
        }
    ],
}


@pytest.mark.parametrize("fmt", available_formats())
@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("base", ["web-rest.json", "web-az.json", "web-powershell.json"])
def test_secret_edits_never_leak(base: str, edit: str, fmt: str, tmp_path: Path) -> None:
    ops = EDITS[edit]
    if base != "web-rest.json":
        ops = _shape_ops(ops, base)
    file = parse_text((FIXTURES / "models" / base).read_bytes(), f"fixtures/models/{base}")
    proposed = apply_patch(file, ops, "edit.json")
    report = make_report([lint_pair(model_from(file), proposed, _rules(), LintOptions())], "error")
    text = render_all(report, fmt, tmp_path)
    assert_clean(text, set(secrets_in(ops)) | set(secrets_in(file.value)), f"{base} {edit} [{fmt}]")


def _shape_ops(ops: list[dict[str, Any]], base: str) -> list[dict[str, Any]]:
    """The same edit in the flattened az / PascalCase PowerShell document shapes."""
    out = []
    for op in ops:
        parts = [p for p in op["path"].split("/")[1:] if p != "properties"]
        if base == "web-powershell.json":
            free = parts.index("settings") + 1 if "settings" in parts else len(parts)
            parts = [
                p[:1].upper() + p[1:] if i < free and not p.isdigit() else p for i, p in enumerate(parts)
            ]
        value = op.get("value")
        if isinstance(value, dict) and "properties" in value:
            value = {**{k: v for k, v in value.items() if k != "properties"}, **value["properties"]}
            if base == "web-powershell.json":
                value = {k[:1].upper() + k[1:]: v for k, v in value.items()}
        out.append({**op, "path": "/" + "/".join(parts), **({"value": value} if "value" in op else {})})
    return out


def test_a_changed_base64_payload_is_described_by_its_decoded_length(tmp_path: Path) -> None:
    file = parse_text((FIXTURES / "models" / "web-rest.json").read_bytes(), "fixtures/models/web-rest.json")
    proposed = apply_patch(file, EDITS["custom-data"], "edit.json")
    report = make_report([lint_pair(model_from(file), proposed, _rules(), LintOptions())], "error")
    text = render_all(report, "json", tmp_path)
    assert f"<secret: {len(CLOUD_INIT.encode())} bytes after base64 decoding>" in text
    assert "customData" in text


PASSWORD_ADDED = {"op": "add", "path": f"{OS}/adminPassword", "value": "Fixture-Secret-Pa55word!"}
FILE_URI = f"{EXT}/1/properties/settings/fileUris/0"


@pytest.mark.parametrize(
    "ops",
    [
        [PASSWORD_ADDED, {"op": "test", "path": f"{OS}/adminPassword", "value": "Fixture-Secret-guess"}],
        [
            {
                "op": "test",
                "path": FILE_URI,
                "value": "https://stweb.blob.core.windows.net/s.sh?sig=FIXTURESASguess",
            }
        ],
        [PASSWORD_ADDED, {"op": "test", "path": OS, "value": {"adminPassword": "Fixture-Secret-guess"}}],
    ],
    ids=["password", "sas-url", "object-holding-a-password"],
)
def test_a_failed_patch_test_never_shows_a_secret(ops: list[dict[str, Any]]) -> None:
    """A `test` op that fails says so and where, but the values it compared may be secrets (QA: the
    message printed the current password and the tested one on stderr)."""
    from vmss_lint.core.errors import InputError

    file = parse_text((FIXTURES / "models" / "web-rest.json").read_bytes(), "fixtures/models/web-rest.json")
    with pytest.raises(InputError) as raised:
        apply_patch(file, ops, "edit.json")
    message = str(raised.value)
    assert "test failed" in message
    assert_clean(message, set(secrets_in(ops)) | set(secrets_in(file.value)), "test op")


@pytest.mark.parametrize("fmt", available_formats())
@pytest.mark.parametrize("op", ["copy", "move"])
def test_a_secret_copied_or_moved_by_a_patch_stays_secret(op: str, fmt: str, tmp_path: Path) -> None:
    """A patch that copies or moves a secret to an ordinary property (a tag) makes that property a secret
    of the proposed model: the value derives from the secret (QA: the tag printed the password)."""
    ops: list[dict[str, Any]] = [
        PASSWORD_ADDED,
        {"op": op, "from": f"{OS}/adminPassword", "path": "/tags/copied"},
        {"op": op, "from": FILE_URI, "path": "/tags/uri"},
    ]
    file = parse_text((FIXTURES / "models" / "web-rest.json").read_bytes(), "fixtures/models/web-rest.json")
    proposed = apply_patch(file, ops, "edit.json")
    report = make_report([lint_pair(model_from(file), proposed, _rules(), LintOptions())], "error")
    text = render_all(report, fmt, tmp_path)
    assert "/tags/copied" in text or fmt in ("github", "junit", "azure-pipelines")  # the change is said
    assert_clean(text, set(secrets_in(ops)) | set(secrets_in(file.value)), f"{op} [{fmt}]")
