"""A canary in every secret position, looked for in everything vmss-lint writes.

Each secret position gets its own canary (`CnRy` + a name), so a failure says which one leaked: an admin
password, protected settings, custom and user data (and their base64 forms), a secure template parameter,
a parameter derived from one through an expression, a languageVersion 2.0 `$ref` to a `securestring`
definition, a VM size read from a secure parameter (VMSS301's hook message quotes sizes), URL credentials
in every spelling, a JSON Patch `test` value, an `az vmss update --set` value for a secret path, a secure
value quoted by an expression error, and an unquoted secret in broken JSON. Every run is made in every
output format, to stdout and to `-o`, with the GitHub job summary file set and with `VMSS_LINT_DEBUG=1`;
stdout, stderr, the `-o` file and the summary are searched for the canaries (raw and base64).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from vmss_lint.cli import main
from vmss_lint.report.formats import FORMATS

PREFIX = "CnRy"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def canary(name: str, side: str) -> str:
    return f"{PREFIX}{name}{side}x9"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def model(side: str) -> dict[str, Any]:
    """The bundled example's model with a canary in every secret field and URL credential spelling."""
    doc: dict[str, Any] = copy.deepcopy(json.loads((FIXTURES / "example" / "current.json").read_text()))
    profile = doc["properties"]["virtualMachineProfile"]
    profile["osProfile"]["adminPassword"] = canary("AdminPassword", side)
    profile["osProfile"]["customData"] = b64(canary("CustomData", side))
    profile["userData"] = b64(canary("UserData", side))
    c = lambda name: canary(name, side)  # noqa: E731
    profile["extensionProfile"] = {
        "extensions": [
            {
                "name": "setup",
                "properties": {
                    "publisher": "Microsoft.Azure.Extensions",
                    "type": "CustomScript",
                    "typeHandlerVersion": "2.1",
                    "settings": {
                        "fileUris": [
                            f"https://deploy:{c('UserPassUrl')}@files.example.com/a.sh",
                            f"https://{c('TokenOnlyUrl')}@files.example.com/b.sh",
                            f"https://acct.blob.core.windows.net/c/d.sh?sv=2022-11-02&se=2030-01-01&sig={c('Sas')}",
                            f"https://acct.blob.core.windows.net/c/e.sh?sv=2022-11-02&sig%3D{c('SasEncoded')}",
                            f"https%3A%2F%2F{c('EncodedUserinfo')}%40files.example.com%2Ff.sh",
                            f"https://fn.azurewebsites.net/api/g?code={c('FunctionKey')}",
                            f"https://api.example.com/h?access_token={c('AccessToken')}&x=1",
                            f"https://api.example.com/i?a=1&token={c('QueryToken')}",
                        ]
                    },
                    "protectedSettings": {"commandToExecute": f"bash d.sh {c('Protected')}"},
                },
            }
        ]
    }
    return doc


def classic_template(side: str) -> dict[str, Any]:
    """A template whose tags and VM size come from a secure parameter, directly and through a derived one."""
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "pw": {"type": "securestring", "defaultValue": canary("SecureParam", side)},
            "derived": {"type": "string", "defaultValue": "[concat('prefix-', parameters('pw'))]"},
            "size": {"type": "secureString", "defaultValue": canary("SecureSize", side)},
        },
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachineScaleSets",
                "apiVersion": "2024-07-01",
                "name": "web",
                "location": "westeurope",
                "sku": {"name": "[parameters('size')]", "capacity": 2},
                "tags": {"direct": "[parameters('pw')]", "derived": "[parameters('derived')]"},
                "properties": {"upgradePolicy": {"mode": "Manual"}},
            }
        ],
    }


def v2_template(side: str) -> dict[str, Any]:
    """languageVersion 2.0: the parameter's type is a `$ref` to a securestring definition."""
    return {
        "$schema": SCHEMA,
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "definitions": {"password": {"type": "securestring", "minLength": 8}},
        "parameters": {"pw": {"$ref": "#/definitions/password", "defaultValue": canary("RefSecure", side)}},
        "resources": {
            "vmss": {
                "type": "Microsoft.Compute/virtualMachineScaleSets",
                "apiVersion": "2024-07-01",
                "name": "web",
                "location": "westeurope",
                "sku": {"name": "Standard_D2s_v5", "capacity": 2},
                "tags": {"fromRef": "[parameters('pw')]"},
                "properties": {"upgradePolicy": {"mode": "Manual"}},
            }
        },
    }


def write(folder: Path, name: str, value: Any) -> str:
    path = folder / name
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2), encoding="utf-8")
    return name


def scenarios(folder: Path) -> dict[str, list[str]]:
    """Command lines (run from `folder`) that read a canary; the last four end in exit 2."""
    broken_expression = classic_template("A")
    broken_expression["resources"][0]["sku"]["capacity"] = "[int(parameters('pw'))]"
    return {
        "model pair": [
            "check",
            write(folder, "cur.json", model("A")),
            write(folder, "prop.json", model("B")),
        ],
        "templates": [
            "check",
            write(folder, "t1.json", classic_template("A")),
            write(folder, "t2.json", classic_template("B")),
        ],
        "languageVersion 2.0": [
            "check",
            write(folder, "v1.json", v2_template("A")),
            write(folder, "v2.json", v2_template("B")),
        ],
        "az vmss update": [
            "check",
            "cur.json",
            "--az-update",
            "az vmss update -g rg -n web --set "
            f"virtualMachineProfile.osProfile.adminPassword={canary('AzSet', 'A')}",
        ],
        "patch test op (exit 2)": [
            "check",
            "cur.json",
            "--patch",
            write(
                folder,
                "p.json",
                [
                    {
                        "op": "test",
                        "path": "/properties/virtualMachineProfile/osProfile/adminPassword",
                        "value": canary("PatchTest", "A"),
                    }
                ],
            ),
        ],
        "az vmss update refused (exit 2)": [
            "check",
            "cur.json",
            "--az-update",
            f"az vmss update -g rg -n web --set virtualMachineProfile.osProfile.adminPassword={canary('AzBad', 'A')} "
            "--no-such-flag",
        ],
        "expression error (exit 2)": [
            "check",
            write(folder, "e1.json", broken_expression),
            "t2.json",
        ],
        "broken JSON (exit 2)": [
            "check",
            write(
                folder,
                "broken.json",
                '{"properties": {"osProfile": {"adminPassword": ' + canary("Unquoted", "A") + "}}}",
            ),
            "prop.json",
        ],
    }


def run(folder: Path, args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    try:
        os.environ.update(env)
        os.chdir(folder)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(args)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return rc, out.getvalue(), err.getvalue()


def leaked(text: str) -> list[str]:
    """Each canary in `text`, raw or base64 (of the canary alone, as customData carries it)."""
    found = []
    start = text.find(PREFIX)
    while start != -1:
        found.append(text[start : start + 40].split("x9")[0])
        start = text.find(PREFIX, start + 1)
    names = ["CustomData", "UserData"]
    found += [f"base64 of {n}{s}" for n in names for s in "AB" if b64(canary(n, s)) in text]
    return found


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    folder = tmp_path_factory.mktemp("canary")
    return folder, scenarios(folder)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "name",
    [
        "model pair",
        "templates",
        "languageVersion 2.0",
        "az vmss update",
        "patch test op (exit 2)",
        "az vmss update refused (exit 2)",
        "expression error (exit 2)",
        "broken JSON (exit 2)",
    ],
)
def test_no_canary_in_any_output(inputs: tuple[Path, dict[str, list[str]]], name: str, fmt: str) -> None:
    folder, commands = inputs
    summary = folder / f"summary-{fmt}.md"
    summary.write_text("", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary), "VMSS_LINT_DEBUG": "1"}
    args = [*commands[name], "--format", fmt]
    rc, stdout, stderr = run(folder, args, env)
    assert rc == 2 if "exit 2" in name else rc in (0, 1), stderr
    if "exit 2" in name:
        assert stderr.startswith("vmss-lint: error: ") and stderr.count("\n") == 1, stderr
    out_file = folder / f"out-{fmt}.txt"
    out_file.unlink(missing_ok=True)
    rc_o, stdout_o, stderr_o = run(folder, [*args, "-o", out_file.name], env)
    assert rc_o == rc
    written = out_file.read_text(encoding="utf-8") if out_file.exists() else ""
    if "exit 2" not in name:
        assert written, "the -o file was written"
        shown = stdout + written
        assert "secret" in shown or "REDACTED" in shown, "the changes are reported, described"
    for where, text in {
        "stdout": stdout + stdout_o,
        "stderr": stderr + stderr_o,
        "-o file": written,
        "job summary": summary.read_text(encoding="utf-8"),
    }.items():
        assert leaked(text) == [], f"{name} / {fmt}: {where} leaks {leaked(text)}:\n{text[:3000]}"


def test_no_canary_in_a_debug_traceback(
    inputs: tuple[Path, dict[str, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An internal error with VMSS_LINT_DEBUG=1 prints the traceback, redacted like every other line. No
    input triggers an internal error (each one found became a test and a fix), so this one simulates a bug
    in the reporting step whose exception quotes a secret value the run read."""
    folder, commands = inputs
    import vmss_lint.pipeline

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"bug while reporting {canary('AdminPassword', 'B')}")

    monkeypatch.setattr(vmss_lint.pipeline, "make_report", broken)
    rc, stdout, stderr = run(folder, commands["model pair"], {"VMSS_LINT_DEBUG": "1"})
    assert (
        rc == 2
        and "Traceback (most recent call last)" in stderr
        and "RuntimeError: bug while reporting" in stderr
    )
    assert leaked(stdout + stderr) == []
    rc, stdout, stderr = run(folder, commands["model pair"], {})
    assert rc == 2 and stderr.startswith(
        "vmss-lint: internal error: RuntimeError: bug while reporting <secret>"
    )


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("https://deploy:CnRyA1x9@files.example.com/a.sh", "files.example.com/a.sh"),
        ("https://CnRyA2x9@files.example.com/b.sh", "files.example.com/b.sh"),
        ("https://a.blob.core.windows.net/c?sv=2022-11-02&se=2030-01-01&sig=CnRyA3x9", "se=2030-01-01"),
        ("https://a.blob.core.windows.net/c?sv=2022-11-02&sig%3DCnRyA4x9", "sv=2022-11-02"),
        ("https%3A%2F%2FCnRyA5x9%40files.example.com%2Ff.sh", "files.example.com%2Ff.sh"),
        ("https://fn.azurewebsites.net/api/g?code=CnRyA6x9", "/api/g"),
        ("https://api.example.com/h?access_token=CnRyA7x9&x=1", "&x=1"),
        ("https://api.example.com/i?a=1&TOKEN=CnRyA8x9", "?a=1"),
        ("https%3A%2F%2Fh%2Fj%3Fa%3D1%26client_secret%3DCnRyA9x9", "https%3A%2F%2Fh%2Fj"),
    ],
)
def test_url_credentials_in_every_spelling_are_scrubbed(text: str, kept: str) -> None:
    from vmss_lint.core.redact import scrub_text

    scrubbed = scrub_text(text)
    assert PREFIX not in scrubbed and kept in scrubbed and "REDACTED" in scrubbed


def test_values_derived_from_secure_parameters_are_described(
    inputs: tuple[Path, dict[str, list[str]]],
) -> None:
    """Taint through expressions: a tag from a parameter whose default reads a secure one, a `$ref`
    securestring, and VMSS301's own message about a VM size read from a secure parameter."""
    folder, commands = inputs
    findings = {}
    for name in ("templates", "languageVersion 2.0"):
        rc, stdout, _ = run(folder, [*commands[name], "--format", "json"], {})
        assert rc in (0, 1)
        findings.update({f["pointer"]: f for r in json.loads(stdout)["results"] for f in r["findings"]})
    for pointer in ("/tags/derived", "/tags/direct", "/tags/fromRef", "/sku/name"):
        old, new = findings[pointer]["old"], findings[pointer]["new"]
        assert old.startswith("<secret") and new.startswith("<secret"), pointer
    assert findings["/sku/name"]["rule"] == "VMSS301"
    assert findings["/sku/name"]["message"].startswith("VM size <secret> -> <secret>")


def test_a_secret_that_is_a_word_of_the_marks_leaves_them_intact() -> None:
    from vmss_lint.core.redact import redact_text, remember

    remember("secret")
    remember("Pa55word-secret")
    text = '<secret: 76 bytes after base64 decoding> was "secret", then Pa55word-secret, now <secret>'
    assert (
        redact_text(text)
        == '<secret: 76 bytes after base64 decoding> was "<secret>", then <secret>, now <secret>'
    )
