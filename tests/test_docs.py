"""Docs are generated from the rule files: the README table must be current, and the CLI must explain and
list every rule (run through the real entry point, output captured)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from vmss_lint.cli import main
from vmss_lint.engine.docs import BEGIN, END, markdown_reference, update_readme
from vmss_lint.engine.packs import load_rules

RULES = load_rules()


def readme_section(text: str) -> str:
    assert BEGIN in text and END in text, "README lost its rule reference markers"
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def test_readme_rule_table_is_current() -> None:
    current = readme_section((REPO / "README.md").read_text(encoding="utf-8"))
    assert current == markdown_reference(RULES), (
        "README.md's rule reference is stale: run `python -m vmss_lint.engine.docs README.md`"
    )


def test_update_readme_rewrites_only_the_generated_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{BEGIN}\n| stale |\n{END}\n\nafter\n", encoding="utf-8")
    assert update_readme(readme, RULES) is True
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# title\n\n") and text.endswith("\n\nafter\n")
    assert readme_section(text) == markdown_reference(RULES)
    assert update_readme(readme, RULES) is False


def test_every_rule_is_in_the_reference_once() -> None:
    table = markdown_reference(RULES)
    for rule in RULES:
        assert table.count(f"| {rule.spec.id} | `{rule.spec.name}` |") == 1


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.spec.id)
def test_explain_every_rule(rule: object, capsys: pytest.CaptureFixture[str]) -> None:
    spec = rule.spec  # type: ignore[attr-defined]
    for key in (spec.id, spec.name, spec.id.lower()):
        assert main(["explain", key]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{spec.id} {spec.name}\n")
        assert spec.summary in out
        for section in ("Why it matters:", "Fix:", "References:"):
            assert section in out
        for ref in spec.references:
            assert ref in out


def test_explain_unknown_rule_is_exit_2_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "VMSS0000-nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no rule 'VMSS0000-nope'" in err


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["ID", "NAME"]
    listed = [line.split()[0] for line in lines[1:]]
    assert listed == [r.spec.id for r in RULES]
    for line, rule in zip(lines[1:], RULES, strict=True):
        assert rule.spec.name in line and line.rstrip().endswith(rule.spec.summary)
