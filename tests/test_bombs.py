"""Work bombs from issue 11: each ends in exit 2 and one line naming the limit, in a real process.

Each attack is run as `python -m vmss_lint` in a subprocess so that a regression shows up as what it
is (a hang or an out-of-memory kill) rather than as a slow test: the timeout is a generous safety net,
never an assertion about speed. Exact boundaries (a value just at the limit passes, one past it fails)
are checked in-process, where no surrounding template adds to the count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_limits import scale_set, template

from vmss_lint.arm.expressions.api import EvalScope, evaluate
from vmss_lint.core import limits
from vmss_lint.core.budget import run_budget
from vmss_lint.core.errors import LimitExceeded

SAFETY_NET = 120  # seconds; each of these finishes in about one


def lint(tmp_path: Path, proposed: Any, *extra: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the CLI on (a plain scale-set template, `proposed`); return the exit code and stderr."""
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(template(scale_set())), encoding="utf-8")
    head.write_text(proposed if isinstance(proposed, str) else json.dumps(proposed), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", str(base), str(head), *extra],
        capture_output=True,
        text=True,
        timeout=SAFETY_NET,
        env={**os.environ, **(env or {})},
        cwd=tmp_path,
    )
    return proc.returncode, proc.stderr


def assert_stopped_by(rc: int, err: str, variable: str) -> None:
    assert rc == 2, err
    assert err.startswith("vmss-lint: error: ") and err.count("\n") == 1, err
    assert variable in err and "limit" in err, err
    assert "Traceback" not in err and "internal error" not in err, err


def tags(**values: str) -> dict[str, Any]:
    return scale_set(tags=values)


# ------------------------------------------------------------------------------ the run's budget


def test_nested_map_is_stopped_by_the_run_budget(tmp_path: Path) -> None:
    """1,000 x 10,000 elements: was 14 s and 3.7 GiB."""
    bomb = "[string(length(map(range(0, 1000), lambda('x', range(0, 10000)))))]"
    assert_stopped_by(*lint(tmp_path, template(tags(x=bomb))), "VMSS_LINT_EXPRESSION_MAX_STEPS")


BURN = {
    "namespace": "ns",
    "members": {
        "burn": {
            "parameters": [{"name": "n", "type": "int"}],
            "output": {
                "type": "int",
                "value": "[length(map(range(0, 10000), lambda('x', add(lambdaVariables('x'), parameters('n')))))]",
            },
        }
    },
}


def test_user_function_calls_share_one_budget(tmp_path: Path) -> None:
    """One call fits easily; forty used to get forty fresh budgets (50 s)."""
    one = template(tags(t="[string(ns.burn(1))]"), functions=[BURN])
    rc, err = lint(tmp_path, one)
    assert rc in (0, 1), err
    forty = template(tags(**{f"t{i}": f"[string(ns.burn({i}))]" for i in range(40)}), functions=[BURN])
    assert_stopped_by(*lint(tmp_path, forty), "VMSS_LINT_EXPRESSION_MAX_STEPS")


def test_nested_deployment_copies_share_one_budget(tmp_path: Path) -> None:
    """Copy caps are per loop (800 each, all legal), so three nested loops asked for 512 million."""
    inner = template(
        {
            "type": "Microsoft.Compute/virtualMachineScaleSets/extensions",
            "apiVersion": "2024-07-01",
            "name": "web/probe",
            "condition": False,
            "copy": {"name": "c", "count": limits.COPY_MAX_COUNT},
            "properties": {},
        }
    )
    for _ in range(2):
        inner = template(
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "[concat('d', copyIndex())]",
                "copy": {"name": "c", "count": limits.COPY_MAX_COUNT},
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "template": inner,
                },
            }
        )
    inner["resources"].append(scale_set())
    assert_stopped_by(*lint(tmp_path, inner), "VMSS_LINT_EXPRESSION_MAX_STEPS")


def test_the_budget_is_shared_across_evaluations_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMSS_LINT_EXPRESSION_MAX_STEPS", "1000")
    text = "[length(range(0, 300))]"  # a call, its 300-element result, and those elements as an argument
    assert evaluate(text, EvalScope()) == 300  # alone: well inside
    with run_budget(), pytest.raises(LimitExceeded, match="VMSS_LINT_EXPRESSION_MAX_STEPS"):
        for _ in range(3):
            evaluate(text, EvalScope())


# ------------------------------------------------------------------------------- sizes of values


def _doubling(step: str) -> dict[str, Any]:
    variables: dict[str, Any] = {"v0": "[range(0, 10)]"}
    for i in range(1, 40):
        prev = f"variables('v{i - 1}')"
        variables[f"v{i}"] = step.replace("PREV", prev)
    return variables


def test_variables_doubling_through_shared_references(tmp_path: Path) -> None:
    """2.5 KB of template, 2**39 elements if anything walked it: past 60 s before."""
    variables = _doubling("[createArray(PREV, PREV)]")
    bomb = template(tags(x="[string(length(variables('v39')))]"), variables=variables)
    assert_stopped_by(*lint(tmp_path, bomb), "VMSS_LINT_EXPRESSION_MAX_STEPS")


def test_literal_objects_doubling_through_shared_references(tmp_path: Path) -> None:
    """No function builds these: each variable is a JSON object whose two members are the previous one."""
    variables: dict[str, Any] = {"v0": "[range(0, 10)]"}
    for i in range(1, 40):
        variables[f"v{i}"] = {"a": f"[variables('v{i - 1}')]", "b": f"[variables('v{i - 1}')]"}
    bomb = template(tags(x="[string(equals(variables('v39'), variables('v38')))]"), variables=variables)
    assert_stopped_by(*lint(tmp_path, bomb), "VMSS_LINT_VALUE_MAX_ELEMENTS")


def test_resource_body_repeating_a_big_value(tmp_path: Path) -> None:
    """Each reference is small, the body they build is not: measured once resolved."""
    variables = {"big": "[range(0, 10000)]"}
    body = tags(**{f"t{i}": "[variables('big')]" for i in range(200)})
    assert_stopped_by(*lint(tmp_path, template(body, variables=variables)), "VMSS_LINT_VALUE_MAX_ELEMENTS")


@pytest.mark.parametrize(
    "expression",
    [
        "[format('{0,2000000000}', 'a')]",  # allocated 3.8 GiB before its size check
        "[format('{0,-2000000000}', 'a')]",
        "[format('{0:D2000000000}', 1)]",
        "[format('" + "{0,4000000}" * 100 + "', 1)]",  # each piece under the limit, the whole not
        "[join(createArray('a', 'b', 'c'), padLeft(replace(padLeft('', 16000, 'x'), 'x', padLeft('', 200, 'y')), 2))]",
        "[concat(" + ", ".join(["replace(padLeft('', 16000, 'x'), 'x', padLeft('', 200, 'y'))"] * 2) + ")]",
    ],
)
def test_text_is_measured_before_it_is_built(tmp_path: Path, expression: str) -> None:
    assert_stopped_by(*lint(tmp_path, template(tags(x=expression))), "VMSS_LINT_VALUE_MAX_CHARS")


def test_value_size_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Just at a limit passes, just past it stops; the override moves the line."""
    chars = limits.VALUE_MAX_CHARS
    assert len(str(evaluate(f"[format('{{0,{chars}}}', 'a')]", EvalScope()))) == chars
    with pytest.raises(LimitExceeded, match="VMSS_LINT_VALUE_MAX_CHARS"):
        evaluate(f"[format('{{0,{chars + 1}}}', 'a')]", EvalScope())
    monkeypatch.setenv("VMSS_LINT_VALUE_MAX_ELEMENTS", "101")
    assert evaluate("[range(0, 100)]", EvalScope()) == list(range(100))  # the array and its 100 numbers
    with pytest.raises(LimitExceeded, match="VMSS_LINT_VALUE_MAX_ELEMENTS"):
        evaluate("[range(0, 101)]", EvalScope())


def test_every_limit_is_documented() -> None:
    text = (Path(__file__).parent.parent / "docs" / "limits.md").read_text(encoding="utf-8")
    for limit in limits.ALL_LIMITS:
        assert f"`{limit.env}`" in text, limit.env


# ------------------------------------------------------------------------- matching and comparing


def _tags_pair(tmp_path: Path, count: int) -> tuple[Path, Path]:
    model = json.loads((Path(__file__).parent.parent / "fixtures" / "models" / "web-rest.json").read_text())
    paths = []
    for side in ("a", "b"):
        model["tags"] = {f"t{i}": side for i in range(count)}
        path = tmp_path / f"tags-{side}.json"
        path.write_text(json.dumps(model, indent=1), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", *args],
        capture_output=True,
        text=True,
        timeout=SAFETY_NET,
        cwd=tmp_path,
    )


def test_suppression_globs_with_many_double_stars_match_in_linear_time(tmp_path: Path) -> None:
    """`/**/**/.../x` against every changed tag: the recursive matcher backtracked exponentially."""
    current, proposed = _tags_pair(tmp_path, 200)
    glob = "/**" * 30 + "/nothing"
    (tmp_path / ".vmss-lint.toml").write_text(
        f'[[suppress]]\nrule = "VMSS001"\npointer = "{glob}"\nreason = "probe"\n', encoding="utf-8"
    )
    proc = run_cli(tmp_path, "check", str(current), str(proposed), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert any(
        f["rule"] == "VMSS002" for r in report["results"] for f in r["findings"]
    )  # unused, matched nothing


def test_glob_matcher_agrees_with_its_definition() -> None:
    from vmss_lint.engine.run import glob_match

    assert (
        glob_match(["**"], []) and glob_match(["a", "**"], ["a"]) and glob_match(["**", "b"], ["a", "c", "b"])
    )
    assert not glob_match(["a", "*", "b"], ["a", "b"]) and not glob_match(["**", "*"], [])
    assert not glob_match(["**"] * 40 + ["x"], ["a"] * 400)  # answers at once


def test_ten_thousand_changed_tags(tmp_path: Path) -> None:
    """Each finding looked up its edit and its line by scanning everything: past 120 s before."""
    current, proposed = _tags_pair(tmp_path, 10_000)
    for fmt in ("text", "json"):
        proc = run_cli(tmp_path, "check", str(current), str(proposed), "--format", fmt)
        assert proc.returncode in (0, 1), proc.stderr
    assert len(json.loads(proc.stdout)["results"][0]["findings"]) >= 10_000


# ------------------------------------------------------------------------------------------ edits


def test_json_patch_copy_doubling_is_checked_after_each_op(tmp_path: Path) -> None:
    """25 ops, each copying the tags into themselves: 2.6 GB when only the op count was capped."""
    web = Path(__file__).parent.parent / "fixtures" / "models" / "web-rest.json"
    ops = [{"op": "copy", "from": "/tags", "path": f"/tags/t{i}"} for i in range(25)]
    (tmp_path / "patch.json").write_text(json.dumps(ops), encoding="utf-8")
    proc = run_cli(tmp_path, "check", str(web), "--patch", "patch.json")
    assert_stopped_by(proc.returncode, proc.stderr, "VMSS_LINT_VALUE_MAX_ELEMENTS")
    assert "op #18 (copy /tags/t17)" in proc.stderr  # names the op that would cross it (numbered from 1)


# ------------------------------------------------------------------------------------------ rules


def test_rule_message_with_a_huge_format_width_is_refused_at_load(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "X001-wide.toml").write_text(
        'id = "XYZ001"\nname = "wide"\nseverity = "warning"\nimpact = "none"\n'
        'summary = "Wide."\nwhy = "Probe."\nfix = "None."\nreferences = ["https://example.com/"]\n'
        'message = "was {old:>2000000000}"\n[match]\npath = "/sku/name"\n',
        encoding="utf-8",
    )
    web = Path(__file__).parent.parent / "fixtures" / "models" / "web-rest.json"
    proc = run_cli(tmp_path, "check", str(web), str(web), "--rules-dir", str(rules))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "width or precision over 1000" in proc.stderr and "internal error" not in proc.stderr


# ------------------------------------------------------------------------- numbers and text at JSON's edges

WEB = Path(__file__).parent.parent / "fixtures" / "models" / "web-rest.json"


def _with_capacity(tmp_path: Path, token: str) -> Path:
    text = WEB.read_text(encoding="utf-8")
    doc = json.loads(text)
    doc["sku"]["capacity"] = "__CAPACITY__"
    path = tmp_path / "proposed.json"
    path.write_text(json.dumps(doc, indent=1).replace('"__CAPACITY__"', token), encoding="utf-8")
    return path


def _in_process(*argv: str) -> tuple[int, str, str]:
    import contextlib
    import io

    from vmss_lint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("1e400", "number 1e400 is outside the range of JSON numbers"),  # VMSS358 crashed on it
        ("-1e400", "outside the range of JSON numbers"),
        ("4" * 4000, "(4000 digits) is outside the range"),  # an internal error in the plan before
        ("4" * 5000, "(5000 digits) is outside the range"),  # past Python's int() limit
        ("NaN", "found the word 'NaN'"),
        ("Infinity", "found the word 'Infinity'"),
        ('"\\ud800"', "\\ud800 in a string is half of a character"),  # an internal error in every format
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_numbers_and_text_json_cannot_carry_are_input_errors_with_a_line(
    tmp_path: Path, token: str, words: str, fmt: str
) -> None:
    proposed = _with_capacity(tmp_path, token)
    rc, out, err = _in_process("check", str(WEB), str(proposed), "--format", fmt)
    assert rc == 2 and out == "" and err.count("\n") == 1, err
    assert "line " in err and words in err, err
    assert "internal error" not in err


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in the output is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "token", ["1.7976931348623157e308", "9223372036854775808", "4" * 300, "1e-400", "-0"]
)
def test_numbers_at_the_edge_of_the_range_give_valid_output_in_every_format(
    tmp_path: Path, token: str
) -> None:
    import xml.etree.ElementTree as ET

    import jsonschema

    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    proposed = _with_capacity(tmp_path, token)
    for fmt in ("text", "json", "sarif", "junit", "github", "azure-pipelines"):
        rc, out, err = _in_process("check", str(WEB), str(proposed), "--format", fmt)
        assert rc in (0, 1), err
        if fmt == "json":
            _strict_json(out)
        elif fmt == "sarif":
            jsonschema.Draft4Validator(schema).validate(_strict_json(out))
        elif fmt == "junit":
            ET.fromstring(out)


@pytest.mark.parametrize(
    "value",
    ["4" * 5000, "4" * 4000, "1e400", "-1e400", "'\"\\ud800\"'"],
)
@pytest.mark.parametrize("path", ["sku.capacity", "tags.x"])
def test_set_values_json_cannot_carry_are_input_errors(path: str, value: str) -> None:
    """A 5,000-digit `--set` value was an internal error (Python's int-to-str limit); 1e400 became
    `Infinity` in the JSON report."""
    command = f"az vmss update -g rg -n web --set {path}={value}"
    rc, out, err = _in_process("check", str(WEB), "--az-update", command, "--format", "json")
    assert rc == 2 and out == "" and err.count("\n") == 1, err
    assert "outside the range of JSON numbers" in err or "half of a character" in err, err


def test_json_function_with_an_out_of_range_number_is_an_input_error(tmp_path: Path) -> None:
    bomb = template(tags(x="[string(json('{\"a\": 1e400}'))]"))
    rc, err = lint(tmp_path, bomb, "--format", "json")
    assert rc == 2 and "outside the range of JSON numbers" in err and err.count("\n") == 1, err


# ------------------------------------------------------------------------------ scale sets per run


def test_git_mode_holds_the_scale_set_cap_across_files(tmp_path: Path) -> None:
    """Each file under the cap, the run over it: git mode checked the cap per file (2,000 reported)."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, timeout=SAFETY_NET)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    for i in range(3):
        (tmp_path / f"t{i}.json").write_text(json.dumps(template(scale_set(f"a{i}"), scale_set(f"b{i}"))))
    git("add", ".")
    git("commit", "-qm", "base")
    for i in range(3):
        (tmp_path / f"t{i}.json").write_text(
            json.dumps(template(scale_set(f"a{i}", tags={"v": "2"}), scale_set(f"b{i}", tags={"v": "2"})))
        )
    git("commit", "-qam", "head")
    env = {**os.environ, "VMSS_LINT_MAX_SCALE_SETS": "5"}  # two per file, three files
    env.pop("GITHUB_ACTIONS", None)
    env.pop("TF_BUILD", None)
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--base", "HEAD~1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=SAFETY_NET,
        env=env,
    )
    assert_stopped_by(proc.returncode, proc.stderr, "VMSS_LINT_MAX_SCALE_SETS")
    env["VMSS_LINT_MAX_SCALE_SETS"] = "6"
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--base", "HEAD~1", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=SAFETY_NET,
        env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["summary"]["scaleSets"] == 6
