"""ARM template functions against Microsoft's documented example outputs, and the .NET behaviours the
docs imply (UTF-16 string lengths, culture-aware string order, Newtonsoft's single-quoted JSON).

The example templates and the documented values are in fixtures/arm-functions (sources and licences in
its README): one test per documented example output.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXTURES

from vmss_lint.arm.expressions.api import EvalScope, evaluate, resolve
from vmss_lint.arm.expressions.parse import ExpressionError, Unknown
from vmss_lint.arm.reader import load_arm_json

EXAMPLES = FIXTURES / "arm-functions"
DOCUMENTED = json.loads((EXAMPLES / "documented-outputs.json").read_text(encoding="utf-8"))["examples"]
CASES = [
    (name, output, value) for name, doc in DOCUMENTED.items() for output, value in doc["outputs"].items()
]


@pytest.mark.parametrize(("name", "output", "documented"), CASES, ids=[f"{n[:-5]}:{o}" for n, o, _ in CASES])
def test_documented_output(name: str, output: str, documented: Any) -> None:
    template = load_arm_json((EXAMPLES / name).read_bytes(), name).value
    assert isinstance(template, dict)
    scope = EvalScope.from_template(template, source=name)
    assert resolve(template["outputs"][output]["value"], scope) == documented


def test_every_example_output_is_checked() -> None:
    for name, doc in DOCUMENTED.items():
        template = load_arm_json((EXAMPLES / name).read_bytes(), name).value
        assert isinstance(template, dict)
        assert set(template["outputs"]) == set(doc["outputs"]), name


def value(expression: str) -> Any:
    return evaluate(expression, EvalScope.from_template({}))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[greater('b', 'A')]", True),  # ordinal would say 'b' (98) > 'A' (65) too
        ("[less('apple', 'Banana')]", True),  # ordinal: 'a' (97) > 'B' (66)
        ("[greater('ab', 'a')]", True),
        ("[less('2017-03-30', '2018-01-01')]", True),  # API versions compare as expected
        ("[less('v1', 'v10')]", True),
        ("[lessOrEquals('A', 'A')]", True),
    ],
)
def test_string_order_is_culture_aware(expression: str, expected: bool) -> None:
    assert value(expression) is expected


@pytest.mark.parametrize(
    "expression", ["[greater('é', 'f')]", "[less('a-b', 'a_b')]", "[less('co-op', 'coo')]"]
)
def test_string_order_that_needs_full_collation_is_unknown(expression: str) -> None:
    assert isinstance(value(expression), Unknown)


def test_json_of_single_quoted_json_is_read_as_arm_reads_it() -> None:
    """Newtonsoft (ARM's reader) accepts single-quoted strings; an extension setting written so made
    the whole run exit 2."""
    assert value("[json('{''fileUris'': [''https://x/y.sh''], ''cmd'': ''say \"hi\"''}')]") == {
        "fileUris": ["https://x/y.sh"],
        "cmd": 'say "hi"',
    }
    assert value("[base64ToJson(base64('{''a'': ''b''}'))]") == {"a": "b"}
    with pytest.raises(ExpressionError, match="not valid JSON"):
        value("[json('{''a'': }')]")


def test_group_by_takes_the_value_lambda_bicep_emits() -> None:
    """Bicep's groupBy(array, keyPredicate, valuePredicate) compiles to a third lambda argument."""
    expr = (
        "[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1)), "
        "lambda('x', toUpper(lambdaVariables('x'))))]"
    )
    assert value(expr) == {"f": ["FOO"], "b": ["BAR", "BAZ"]}


def test_range_bounds_follow_the_reference() -> None:
    assert value("[range(2147483646, 1)]") == [2147483646]
    with pytest.raises(ExpressionError, match="no greater than 2147483647"):
        value("[range(2147483647, 1)]")
    with pytest.raises(ExpressionError, match="between 0 and 10000"):
        value("[range(0, 10001)]")


def test_strings_count_utf16_code_units_as_dotnet_does() -> None:
    smile = "\U0001f600"
    assert value(f"[length('{smile}x')]") == 3
    assert value(f"[substring('{smile}x', 2, 1)]") == "x"
    assert value(f"[substring('a{smile}', 1, 2)]") == smile
    assert value(f"[indexOf('{smile}x', 'x')]") == 2
    assert value(f"[padLeft('{smile}', 3, '0')]") == f"0{smile}"
    assert value(f"[take('{smile}x', 2)]") == smile
    # consistent: the whole string by its own length
    assert value(f"[substring('{smile}x', 0, length('{smile}x'))]") == f"{smile}x"
    # cutting a surrogate pair in half has no valid result: unknown, not made up
    assert isinstance(value(f"[substring('{smile}x', 1, 2)]"), Unknown)
    assert isinstance(value(f"[first('{smile}')]"), Unknown)
