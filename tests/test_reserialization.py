"""A template and its re-serialization judge the same (property test, hypothesis).

Seeds are the real template pairs in fixtures/real-history. A re-serialization reorders every object's
keys, re-indents (spaces, tabs, no-break spaces, one line), re-cases function names, and rewrites
`concat` of strings as the equivalent `format` ('{0}{1}...'), each expression one way wherever it occurs.
Applied to both versions of a pair, it must leave the verdict unchanged: the same scale sets with the same statuses, and the same findings
(rule, severity, pointer). Locations and quoted expression text may differ; verdicts may not.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmss_lint.arm.reader import load_arm_json
from vmss_lint.inputs.params import TemplateParams
from vmss_lint.pipeline import LintOptions, check_inputs

HISTORY = FIXTURES / "real-history"
CASES = sorted(p.name for p in HISTORY.iterdir() if (p / "current" / "azuredeploy.json").is_file())
_CONCAT = re.compile(r"^\[(concat)\((.*)\)\]$", re.IGNORECASE | re.DOTALL)
_SIMPLE_ARG = re.compile(
    r"^\s*(?:'(?:[^']|'')*'|(?:parameters|variables)\('(?:[^']|'')*'\))\s*$", re.IGNORECASE
)
_CALL = re.compile(r"\b([A-Za-z][A-Za-z0-9]*)\(")
_LITERAL = re.compile(r"('(?:[^']|'')*')")


def _top_level_args(text: str) -> list[str] | None:
    """Split `a, b, c` at depth 0 outside string literals; None when it is not that simple."""
    args, depth, start, quoted = [], 0, 0, False
    for i, c in enumerate(text):
        if c == "'":
            quoted = not quoted
        elif not quoted and c in "([":
            depth += 1
        elif not quoted and c in ")]":
            depth -= 1
        elif not quoted and depth == 0 and c == ",":
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    return None if quoted or depth else args


def _rewrite(value: str, rng: random.Random) -> str:
    """An equivalent expression: `concat` of string literals and parameters/variables as `format`, and
    function names in another case. Values that are not such expressions are kept."""
    if not (value.startswith("[") and value.endswith("]")) or value.startswith("[["):
        return value
    match = _CONCAT.match(value)
    if match and rng.random() < 0.7:
        args = _top_level_args(match.group(2))
        if args and all(_SIMPLE_ARG.match(a) for a in args) and any(a.strip().startswith("'") for a in args):
            # A literal among them makes it string concatenation, which format reproduces exactly.
            template = "".join("{" + str(i) + "}" for i in range(len(args)))
            value = f"[format('{template}', {', '.join(a.strip() for a in args)})]"
    if rng.random() < 0.5:  # function names are case-insensitive; string literals are left alone
        parts = _LITERAL.split(value)
        for i in range(0, len(parts), 2):
            parts[i] = _CALL.sub(
                lambda m: (m.group(1).upper() if rng.random() < 0.5 else m.group(1).lower()) + "(", parts[i]
            )
        value = "".join(parts)
    return value


def _reshape(node: Any, rng: random.Random, seed: int) -> Any:
    if isinstance(node, dict):
        items = [(k, _reshape(v, rng, seed)) for k, v in node.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(node, list):
        return [_reshape(v, rng, seed) for v in node]
    if isinstance(node, str):
        # One re-serialization rewrites a given expression one way, wherever it occurs (both versions).
        return _rewrite(node, random.Random(f"{seed}:{node}"))
    return node


def _dump(doc: Any, rng: random.Random) -> str:
    indent = rng.choice([None, 1, 2, 4, "\t", "\u00a0\u00a0"])
    text = json.dumps(doc, indent=indent, ensure_ascii=rng.random() < 0.5)
    return text if rng.random() < 0.5 else "\ufeff" + text


def _variant(case: str, side: str, out: Path, seed: int) -> Path:
    rng = random.Random(seed)
    folder = out / side
    folder.mkdir(parents=True)
    for name in ("azuredeploy.json", "azuredeploy.parameters.json"):
        source = HISTORY / case / side / name
        if source.is_file():
            doc = load_arm_json(source.read_bytes(), str(source)).value
            reshaped = _reshape(doc, rng, seed) if name == "azuredeploy.json" else doc
            (folder / name).write_text(_dump(reshaped, rng), encoding="utf-8")
    return folder / "azuredeploy.json"


def _verdict(current: Path, proposed: Path) -> list[Any]:
    report = check_inputs(str(current), str(proposed), LintOptions(), params=TemplateParams()).dump()
    return sorted(
        (
            r["name"].lower(),
            r["status"],
            sorted((f["rule"], f["severity"], f["pointer"]) for f in r["findings"]),
        )
        for r in report["results"]
    )


@pytest.mark.parametrize("case", CASES)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_reserialized_pair_is_judged_the_same(case: str, seed: int) -> None:
    expected = _verdict(
        HISTORY / case / "current" / "azuredeploy.json", HISTORY / case / "proposed" / "azuredeploy.json"
    )
    with tempfile.TemporaryDirectory() as tmp:
        current = _variant(case, "current", Path(tmp), seed)
        proposed = _variant(case, "proposed", Path(tmp), seed)
        assert _verdict(current, proposed) == expected


def test_the_rewrite_is_equivalent_and_really_rewrites() -> None:
    """The generator's own check: a concat of a literal and a parameter becomes a format call."""
    rng = random.Random(1)
    seen = {_rewrite("[concat('vmss-', parameters('name'))]", rng) for _ in range(20)}
    assert (
        "[format('{0}{1}', 'vmss-', parameters('name'))]"
        in {s.replace("FORMAT", "format") for s in seen} | seen
    )
    assert all(s.lower().startswith(("[concat(", "[format(")) for s in seen)


def test_rewriting_an_unresolved_concat_as_format_on_one_side_is_no_change() -> None:
    """An unresolved string built by concat or by the equivalent format is the same value (it is
    identified by its pieces), whatever the case of the names in it."""
    from vmss_lint.arm.expressions.api import EvalScope, evaluate

    scope = EvalScope.from_template({"parameters": {"p": {"type": "string"}}})
    a = evaluate("[concat('vmss-', parameters('p'), '-', 1)]", scope)
    b = evaluate("[FORMAT('{0}{1}-{2}', 'vmss-', Parameters('P'), 1)]", scope)
    c = evaluate("[toLower(concat('vmss-', parameters('p'), '-', 1))]", scope)
    d = evaluate("[format('{0,5}{1}-1', 'vmss-', parameters('p'))]", scope)  # an alignment: not plain text
    assert a.identity == b.identity  # type: ignore[union-attr]
    assert c.identity != a.identity  # type: ignore[union-attr]
    assert d.identity != a.identity  # type: ignore[union-attr]
