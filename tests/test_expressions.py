"""Tests for ARM expression parsing and offline evaluation."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest
from conftest import QUICKSTART_TEMPLATES, QUICKSTARTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmss_lint.arm.expressions import evaluate as expr_eval
from vmss_lint.arm.expressions.api import (
    MAX_EXPRESSION_DEPTH,
    MAX_EXPRESSION_LENGTH,
    EvalScope,
    ExpressionError,
    Unknown,
    evaluate,
    is_expression,
    references_secret,
    resolve,
    unknowns_as_text,
)
from vmss_lint.arm.expressions.hashing import unique_string
from vmss_lint.arm.reader import load_arm_json
from vmss_lint.core.errors import InputError, LimitExceeded

CORPUS = QUICKSTARTS
# make_scope supplies the deployment context (as --context would); unsupplied, it is unknown (tests below).
PLACEHOLDER_ID = "11111111-2222-3333-4444-555555555555"
PLACEHOLDER_RESOURCE_GROUP = "rg-web"
PLACEHOLDER_LOCATION = "westeurope"
TEMPLATE_URI = "https://example.org/templates/azuredeploy.json"
CONTEXT: dict[str, Any] = {
    "subscription": {"subscriptionId": PLACEHOLDER_ID, "tenantId": PLACEHOLDER_ID},
    "resource_group": {"name": PLACEHOLDER_RESOURCE_GROUP, "location": PLACEHOLDER_LOCATION},
    "deployment": {"name": "dep", "properties": {"templateLink": {"uri": TEMPLATE_URI}}},
    "environment": {"name": "AzureCloud"},
}
RG_ID = f"/subscriptions/{PLACEHOLDER_ID}/resourceGroups/{PLACEHOLDER_RESOURCE_GROUP}"
LINUX_CONFIG = {"disablePasswordAuthentication": True, "ssh": {"publicKeys": []}}


def make_scope(**overrides: Any) -> EvalScope:
    params: dict[str, Any] = {
        "vmssName": "web",
        "authenticationType": "password",
        "count": 3,
        "obj": {"a": {"b": [1, 2]}, "Name": "x"},
        "adminPassword": "hunter2",
    }
    params.update(overrides.pop("params", {}))
    defaults = {"location": "[resourceGroup().location]", "sku": "Standard_D2s_v3"}
    variables: dict[str, Any] = {
        "linuxConfiguration": LINUX_CONFIG,
        "namingInfix": "[toLower(substring(concat(parameters('vmssName'), uniqueString(resourceGroup().id)), 0, 5))]",
        "lbName": "[concat(variables('namingInfix'), 'lb')]",
        "withUnknown": {"known": 1, "live": "[reference('x').id]"},
        "pw": "[parameters('adminPassword')]",
        "pwIndirect": "[concat('x', variables('pw'))]",
    }
    variables.update(overrides.pop("variables", {}))
    return EvalScope(
        parameters=params,
        parameter_defaults=defaults,
        declared_parameters={*params, *defaults, "noValue"},
        variables=variables,
        secret_parameters={"adminPassword"},
        copy_index={None: 2, "disks": 1},
        source="azuredeploy.json",
        **{**CONTEXT, **overrides},
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[concat('a', 'b')]", True),
        ("[[concat('a')]", False),
        ("plain", False),
        ("[test] value", False),
        ("[]", False),
        ("[x]", True),
        ("[\n  parameters('a')\n]", True),
    ],
)
def test_is_expression(text: str, expected: bool) -> None:
    assert is_expression(text) is expected


CASES: list[tuple[str, Any]] = [
    # literals and escapes
    ("plain", "plain"),
    ("[[not an expression]", "[not an expression]"),
    ("[test] value", "[test] value"),
    ("['it''s']", "it's"),
    ("[-5]", -5),
    ("[true]", True),
    ("[\n  concat(\n 'a' ,\t'b'\n )\n]", "ab"),
    # corpus constructs
    ("[concat(parameters('vmssName'), 'lb')]", "weblb"),
    (
        "[if(equals(parameters('authenticationType'), 'password'), json('null'), variables('linuxConfiguration'))]",
        None,
    ),
    ("[variables('LBNAME')]", "web" + unique_string(RG_ID.encode())[:2] + "lb"),
    ("[PARAMETERS('VMSSNAME')]", "web"),
    ("[parameters('location')]", PLACEHOLDER_LOCATION),
    ("[parameters('sku')]", "Standard_D2s_v3"),
    ("[resourceGroup().location]", PLACEHOLDER_LOCATION),
    ("[resourceGroup().Location]", PLACEHOLDER_LOCATION),
    ("[resourceGroup().id]", RG_ID),
    ("[subscription().subscriptionId]", PLACEHOLDER_ID),
    ("[tenant().tenantId]", PLACEHOLDER_ID),
    ("[deployment().properties.templateLink.uri]", TEMPLATE_URI),
    (
        "[uri(deployment().properties.templateLink.uri, 'install.sh')]",
        "https://example.org/templates/install.sh",
    ),
    ("[environment().name]", "AzureCloud"),
    (
        "[resourceId('Microsoft.Network/loadBalancers', 'lb')]",
        f"{RG_ID}/providers/Microsoft.Network/loadBalancers/lb",
    ),
    (
        "[resourceId('Microsoft.Network/loadBalancers/', 'lb')]",
        f"{RG_ID}/providers/Microsoft.Network/loadBalancers/lb",
    ),
    (
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sn')]",
        f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn",
    ),
    (
        "[resourceId('rg2', 'Microsoft.Network/loadBalancers', 'lb')]",
        f"/subscriptions/{PLACEHOLDER_ID}/resourceGroups/rg2/providers/Microsoft.Network/loadBalancers/lb",
    ),
    (
        "[resourceId('s1', 'rg2', 'Microsoft.Network/loadBalancers', 'lb')]",
        "/subscriptions/s1/resourceGroups/rg2/providers/Microsoft.Network/loadBalancers/lb",
    ),
    (
        "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')]",
        f"/subscriptions/{PLACEHOLDER_ID}/providers/Microsoft.Authorization/roleDefinitions/r1",
    ),
    ("[tenantResourceId('Microsoft.Billing/accounts', 'a')]", "/providers/Microsoft.Billing/accounts/a"),
    (
        "[extensionResourceId('/x/y', 'Microsoft.Authorization/locks', 'l')]",
        "/x/y/providers/Microsoft.Authorization/locks/l",
    ),
    (
        "[format('{0}/subnets/{1}', resourceId('Microsoft.Network/virtualNetworks', 'v'), 's')]",
        f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
    ),
    # strings
    ("[format('{0}-{1:D3}', 'a', 7)]", "a-007"),
    ("[format('{0:X}|{0:x4}|{0:N0}|{0:000}', 255)]", "FF|00ff|255|255"),
    ("[format('{{0}} {0,4}|{0,-4}|', 'ab')]", "{0}   ab|ab  |"),
    ("[format('{0}', true())]", "True"),
    ("[toLower('AbC')]", "abc"),
    ("[toUpper('AbC')]", "ABC"),
    ("[substring('abcdef', 1, 3)]", "bcd"),
    ("[substring('abcdef', 4)]", "ef"),
    ("[replace('a-b-c', '-', '+')]", "a+b+c"),
    ("[split('a,b,,c', ',')]", ["a", "b", "", "c"]),
    ("[split('a,b;c', createArray(',', ';'))]", ["a", "b", "c"]),
    ("[join(createArray('a', 1, true()), '-')]", "a-1-True"),
    ("[trim('  x  ')]", "x"),
    ("[padLeft('7', 3, '0')]", "007"),
    ("[padLeft(7, 3, '0')]", "007"),
    ("[startsWith('ABCD', 'ab')]", True),
    ("[endsWith('ABCD', 'cd')]", True),
    ("[indexOf('abcd', 'CD')]", 2),
    ("[lastIndexOf('abab', 'B')]", 3),
    ("[indexOf(createArray('a', 'b'), 'b')]", 1),
    ("[length('abc')]", 3),
    ("[length(createArray(1, 2))]", 2),
    ("[length(json('{\"a\": 1}'))]", 1),
    ("[empty('')]", True),
    ("[empty(json('[]'))]", True),
    ("[empty(json('{}'))]", True),
    ("[empty(null())]", True),
    ("[empty('x')]", False),
    ("[first('abc')]", "a"),
    ("[last(createArray(1, 2))]", 2),
    ("[take('abcdef', 2)]", "ab"),
    ("[skip(createArray(1, 2, 3), 1)]", [2, 3]),
    ("[contains('abc', 'B')]", False),
    ("[contains(json('{\"Key\": 1}'), 'key')]", True),
    ("[contains(createArray(1, 2), 2)]", True),
    ("[string(true())]", "True"),
    ("[string(5)]", "5"),
    ('[string(json(\'{"a": [1, "x"]}\'))]', '{"a":[1,"x"]}'),
    ("[base64('hello')]", "aGVsbG8="),
    ("[base64ToString('aGVsbG8=')]", "hello"),
    ("[base64ToJson(base64('{\"a\": 1}'))]", {"a": 1}),
    ("[uri('https://a.com/b/c', 'd.sh')]", "https://a.com/b/d.sh"),
    ("[uriComponent('a b/c')]", "a%20b%2Fc"),
    ("[uriComponentToString('a%20b%2Fc')]", "a b/c"),
    ("[dataUri('Hello')]", "data:text/plain;charset=utf8;base64,SGVsbG8="),
    ("[dataUriToString('data:text/plain;charset=utf8;base64,SGVsbG8=')]", "Hello"),
    ("[uniqueString('test')]", "rbgf3xv4ufgzg"),
    ("[uniqueString('hello', 'world')]", "a7wkljktk6wne"),
    ("[uniqueString('abc')]", "cgtzqvhu4i23s"),
    (f"[uniqueString('{PLACEHOLDER_ID}')]", unique_string(PLACEHOLDER_ID.encode())),
    ("[uniqueString('foo', 'bar', 'baz')]", "xzi4ioaxtmth4"),
    ("[guid('a', 'b')]", str(uuid.uuid5(uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830"), "a-b"))),
    # arrays and objects
    ("[array('a')]", ["a"]),
    ("[array(createArray(1))]", [1]),
    ("[createObject('a', 1, 'b', createArray())]", {"a": 1, "b": []}),
    ("[concat(createArray(1), createArray(2, 3))]", [1, 2, 3]),
    (
        '[union(json(\'{"p": {"one": "a", "three": "c1"}, "n": [1]}\'),'
        ' json(\'{"p": {"three": "c2", "four": "d"}, "n": [3]}\'))]',
        {"p": {"one": "a", "three": "c2", "four": "d"}, "n": [3]},
    ),
    ("[union(createArray(1, 2), createArray(2, 3))]", [1, 2, 3]),
    ("[intersection(createArray(1, 2, 3), createArray(3, 2))]", [2, 3]),
    ('[intersection(json(\'{"a": 1, "b": 2}\'), json(\'{"a": 1, "b": 3}\'))]', {"a": 1}),
    ('[items(json(\'{"b": 2, "a": 1}\'))]', [{"key": "a", "value": 1}, {"key": "b", "value": 2}]),
    ("[range(1, 3)]", [1, 2, 3]),
    ("[min(3, 1, 2)]", 1),
    ("[max(createArray(3, 5, 2))]", 5),
    ('[objectKeys(json(\'{"a": 1, "b": 2}\'))]', ["a", "b"]),
    ("[shallowMerge(createArray(json('{\"a\": 1}'), json('{\"b\": 2}')))]", {"a": 1, "b": 2}),
    ("[tryGet(parameters('obj'), 'a')]", {"b": [1, 2]}),
    ("[tryGet(parameters('obj'), 'missing')]", None),
    ("[flatten(createArray(createArray(1), createArray(2)))]", [1, 2]),
    # property access and indexing
    ("[parameters('obj').a.b[1]]", 2),
    ("[parameters('obj')['a']['b'][0]]", 1),
    ("[parameters('obj').name]", "x"),
    ("[createArray('x', 'y')[copyIndex('disks')]]", "y"),
    # comparison and logic
    ("[equals('a', 'A')]", False),
    ("[equals(1, 1)]", True),
    ("[equals(createArray(1, 'a'), createArray(1, 'a'))]", True),
    ("[equals(true(), 1)]", False),
    ("[greater(2, 1)]", True),
    ("[less('a', 'b')]", True),
    ("[greaterOrEquals(1, 1)]", True),
    ("[lessOrEquals(2, 1)]", False),
    ("[and(true(), false())]", False),
    ("[or(false(), true())]", True),
    ("[not(false())]", True),
    ("[bool('True')]", True),
    ("[bool(0)]", False),
    ("[coalesce(null(), 'x')]", "x"),
    ("[if(false(), 'a', 'b')]", "b"),
    # numbers
    ("[add(1, -2)]", -1),
    ("[sub(5, 7)]", -2),
    ("[mul(6, 7)]", 42),
    ("[div(-7, 2)]", -3),
    ("[mod(-7, 2)]", -1),
    ("[int('42')]", 42),
    ("[float('1.5')]", 1.5),
    # copy loops
    ("[copyIndex()]", 2),
    ("[copyIndex(1)]", 3),
    ("[copyIndex('disks')]", 1),
    ("[copyIndex('DISKS', 10)]", 11),
    # dates, CIDR, index from end
    ("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", "4/7/2023 2:53:14 PM"),
    ("[dateTimeAdd('2020-04-07 14:53:14Z', '-PT1H30M', 'yyyy-MM-ddTHH:mm:ssZ')]", "2020-04-07T13:23:14Z"),
    ("[dateTimeAdd('2020-01-31T00:00:00Z', 'P1M', 'o')]", "2020-02-29T00:00:00.0000000Z"),
    ("[dateTimeToEpoch('2023-02-16T00:00:00Z')]", 1676505600),
    ("[dateTimeFromEpoch(1676505600)]", "2023-02-16T00:00:00Z"),
    (
        "[parseCidr('10.144.0.0/20')]",
        {
            "network": "10.144.0.0",
            "netmask": "255.255.240.0",
            "broadcast": "10.144.15.255",
            "firstUsable": "10.144.0.1",
            "lastUsable": "10.144.15.254",
            "cidr": 20,
        },
    ),
    ("[parseCidr('fdad:3236:5555::/48').lastUsable]", "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff"),
    ("[cidrSubnet('10.144.0.0/20', 24, 3)]", "10.144.3.0/24"),
    ("[cidrSubnet('fdad:3236:5555::/48', 52, 3)]", "fdad:3236:5555:3000::/52"),
    ("[cidrHost('10.144.3.0/24', 0)]", "10.144.3.1"),
    ("[cidrHost('fdad:3236:5555:3000::/52', 0)]", "fdad:3236:5555:3000::1"),
    ("[indexFromEnd(createArray(1, 2, 3), 1)]", 3),
    ("[tryIndexFromEnd(createArray(1), 2)]", None),
    # lambdas
    ("[filter(createArray(1, 2, 3), lambda('x', greater(lambdaVariables('x'), 1)))]", [2, 3]),
    ("[map(createArray(1, 2), lambda('x', mul(lambdaVariables('x'), 10)))]", [10, 20]),
    (
        "[reduce(createArray(1, 2, 3), 0, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]",
        6,
    ),
    (
        "[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]",
        [1, 2, 3],
    ),
    (
        "[toObject(createArray('a', 'b'), lambda('x', lambdaVariables('x')), lambda('x', 1))]",
        {"a": 1, "b": 1},
    ),
    (
        "[groupBy(createArray('ab', 'ac', 'b'), lambda('x', first(lambdaVariables('x'))))]",
        {"a": ["ab", "ac"], "b": ["b"]},
    ),
    ("[mapValues(json('{\"a\": 1}'), lambda('v', add(lambdaVariables('v'), 1)))]", {"a": 2}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_evaluate(text: str, expected: Any) -> None:
    result = evaluate(text, make_scope())
    assert result == expected
    assert type(result) is type(expected)


def test_if_with_ssh_returns_the_variable() -> None:
    text = "[if(equals(parameters('authenticationType'), 'password'), json('null'), variables('linuxConfiguration'))]"
    assert evaluate(text, make_scope(params={"authenticationType": "sshPublicKey"})) == LINUX_CONFIG


def test_supplied_context_overrides_placeholders() -> None:
    scope = make_scope(
        resource_group={"name": "rg1", "location": "westeurope"}, subscription={"subscriptionId": "s1"}
    )
    assert evaluate("[resourceGroup().id]", scope) == "/subscriptions/s1/resourceGroups/rg1"
    assert evaluate("[parameters('location')]", scope) == "westeurope"
    assert evaluate("[resourceId('Microsoft.Compute/virtualMachineScaleSets', 'v')]", scope) == (
        "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachineScaleSets/v"
    )


def test_user_defined_function() -> None:
    functions = [
        {
            "namespace": "contoso",
            "members": {
                "prefixed": {
                    "parameters": [{"name": "n", "type": "string"}],
                    "output": {"type": "string", "value": "[concat('app-', parameters('n'))]"},
                }
            },
        }
    ]
    scope = make_scope(functions=functions)
    assert evaluate("[contoso.prefixed(parameters('vmssName'))]", scope) == "app-web"
    assert evaluate("[Contoso.Prefixed('x')]", scope) == "app-x"
    assert isinstance(evaluate("[other.fn('x')]", scope), Unknown)


UNKNOWN_CASES: list[tuple[str, str]] = [
    ("[reference('x').properties.y]", "function 'reference' needs a live Azure deployment"),
    ("[concat('a', reference('x').id)]", "function 'reference' needs a live Azure deployment"),
    ("[listKeys('id', '2020-01-01').keys[0].value]", "function 'listKeys' needs a live Azure deployment"),
    (
        "[pickZones('Microsoft.Compute', 'virtualMachines', 'westus')]",
        "function 'pickZones' needs a live Azure deployment",
    ),
    ("[providers('Microsoft.Compute')]", "function 'providers' needs a live Azure deployment"),
    ("[newGuid()]", "function 'newGuid' returns a different value on every deployment"),
    ("[utcNow('u')]", "function 'utcNow' returns a different value on every deployment"),
    ("[madeUpFunction('a')]", "unknown function 'madeUpFunction'"),
    ("[toUpper(parameters('noValue'))]", "parameter 'noValue' has no value"),
    ("[and(true(), reference('x').ok)]", "function 'reference' needs a live Azure deployment"),
    ("[or(false(), reference('x').ok)]", "function 'reference' needs a live Azure deployment"),
    ("[coalesce(null(), reference('x'))]", "function 'reference' needs a live Azure deployment"),
    ("[if(reference('x').ok, 'a', 'b')]", "function 'reference' needs a live Azure deployment"),
    ("[if(reference('x').ok, 1, true())]", "function 'reference' needs a live Azure deployment"),
    ("[concat(ns.listThings('a'), reference('b'))]", "unknown function 'ns.listThings'"),
    ("[equals(variables('withUnknown'), 1)]", "function 'reference' needs a live Azure deployment"),
    ("[copyIndex('nope')]", "copyIndex() is not known here (no copy loop 'nope' is being expanded)"),
    ("[dateTimeAdd('2020-04-07', 'P1D', 'dddd')]", "date-time format 'dddd' is not evaluated offline"),
    ("[format('{0:E2}', 5)]", "format specifier 'E2' is not evaluated offline"),
]


@pytest.mark.parametrize(("text", "reason"), UNKNOWN_CASES, ids=[c[0][:60] for c in UNKNOWN_CASES])
def test_unknown_propagates(text: str, reason: str) -> None:
    result = evaluate(text, make_scope())
    assert isinstance(result, Unknown)
    assert (result.reason, result.text) == (reason, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[if(true(), 'x', reference('y'))]", "x"),
        ("[if(reference('c').ok, 'same', 'same')]", "same"),
        ("[and(false(), reference('x').ok)]", False),
        ("[or(true(), reference('x').ok)]", True),
        ("[coalesce('x', reference('y'))]", "x"),
        ("[length(variables('withUnknown'))]", 2),
        ("[variables('withUnknown').known]", 1),
    ],
)
def test_unknown_does_not_leak_when_result_is_determined(text: str, expected: Any) -> None:
    assert evaluate(text, make_scope()) == expected


def test_unknown_leaves_stay_inside_structures() -> None:
    value = evaluate("[variables('withUnknown')]", make_scope())
    assert isinstance(value, dict)
    assert value["known"] == 1
    assert value["live"] == Unknown(
        "function 'reference' needs a live Azure deployment", "[reference('x').id]"
    )


ERROR_CASES: list[tuple[str, str, int]] = [
    ("[concat('a']", "expected ',' or ')' after function argument", 12),
    ("[add('a', 1)]", "add(): operand1 must be an integer, not string", 2),
    ("[add(1)]", "function 'add' takes 2 arguments, got 1", 2),
    ("[toLower()]", "function 'toLower' takes 1 argument, got 0", 2),
    ("[substring('abc', 2, 5)]", "do not fit in a string of length 3", 2),
    ("[parameters('missing')]", "parameter 'missing' is not declared in the template", 2),
    ("[variables('nope')]", "variable 'nope' is not defined in the template", 2),
    ("[parameters('obj').zzz]", "property 'zzz' does not exist (available: a, Name)", 19),
    ("[createArray(1)[5]]", "index 5 is out of range for an array of length 1", 16),
    ("[div(1, 0)]", "div(): division by zero", 2),
    ("['abc]", "unterminated string literal", 2),
    ('["abc"]', "string literals use single quotes", 2),
    ("[concat('a') x]", "unexpected 'x' after the end of the expression", 14),
    ("[foo]", "expected '(' after function name 'foo'", 5),
    ("[if(1, 'a', 'b')]", "the condition must be a bool, not int", 5),
    ("[json('{bad')]", "is not valid JSON", 2),
    ("[lambdaVariables('x')]", "is not inside a lambda", 2),
    ("[mul(9223372036854775807, 2)]", "integer overflow", 2),
    ("[format('{1}', 'a')]", "only 1 values were given", 2),
]


@pytest.mark.parametrize(("text", "problem", "char"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_expression_errors(text: str, problem: str, char: int) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(text, make_scope())
    err = info.value
    assert problem in err.problem
    assert err.where == f"character {char} of the expression"
    assert err.source == "azuredeploy.json"
    assert err.offset == char - 1


def test_error_located_by_resolve_with_positions() -> None:
    parsed = load_arm_json('{\n  "resources": [\n    {"name": "[add(\'a\', 1)]"}\n  ]\n}', "t.json")
    scope = EvalScope(source="t.json", positions=parsed.positions)
    with pytest.raises(ExpressionError) as info:
        resolve(parsed.value, scope)
    assert info.value.pointer == "/resources/0/name"
    assert info.value.where == "line 3, column 14, character 2 of the expression"
    assert str(info.value).startswith("t.json: line 3, column 14")


def test_error_located_by_pointer_without_positions() -> None:
    with pytest.raises(ExpressionError) as info:
        resolve({"a": ["[add(1)]"]}, EvalScope())
    assert info.value.where == "/a/0, character 2 of the expression"


def test_error_inside_a_variable_points_at_the_variable() -> None:
    scope = make_scope(variables={"bad": "[add('x', 1)]"})
    with pytest.raises(ExpressionError) as info:
        resolve({"p": "[variables('bad')]"}, scope)
    assert info.value.pointer == "/variables/bad"


def test_length_limit() -> None:
    ok = "[concat('" + "a" * (MAX_EXPRESSION_LENGTH - 12) + "')]"
    assert len(ok) == MAX_EXPRESSION_LENGTH
    assert evaluate(ok, EvalScope()) == "a" * (MAX_EXPRESSION_LENGTH - 12)
    with pytest.raises(LimitExceeded):
        evaluate(ok[:-2] + "a')]", EvalScope())


def test_depth_limit() -> None:
    def nested(n: int) -> str:
        return "[" + "string(" * n + "1" + ")" * n + "]"

    assert evaluate(nested(MAX_EXPRESSION_DEPTH - 1), EvalScope()) == "1"
    with pytest.raises(LimitExceeded):
        evaluate(nested(MAX_EXPRESSION_DEPTH + 1), EvalScope())
    with pytest.raises(LimitExceeded):
        evaluate("[" + "a(" * 5000 + "]", EvalScope())


def test_work_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMSS_LINT_EXPRESSION_MAX_STEPS", "1000")
    text = "[map(range(0, 100), lambda('x', map(range(0, 100), lambda('y', 1))))]"
    with pytest.raises(LimitExceeded):
        evaluate(text, EvalScope())


def test_size_limit() -> None:
    text = "[padLeft('', 16000, 'a')]"
    doubled = {f"v{i}": f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]" for i in range(1, 12)}
    scope = EvalScope(variables={"v0": text, **doubled})
    with pytest.raises(LimitExceeded):
        evaluate("[variables('v11')]", scope)


def test_variable_cycle_is_an_input_error() -> None:
    scope = make_scope(variables={"a": "[variables('b')]", "b": "[concat(variables('A'), 'x')]"})
    with pytest.raises(InputError) as info:
        evaluate("[variables('a')]", scope)
    assert "refers to itself through a -> b -> a" in info.value.problem


def test_very_long_variable_chain_is_a_clean_limit() -> None:
    chain = {f"v{i}": f"[variables('v{i + 1}')]" for i in range(5000)}
    chain["v5000"] = "end"
    with pytest.raises(LimitExceeded):
        evaluate("[variables('v0')]", EvalScope(variables=chain))


def test_property_copy_is_expanded() -> None:
    props = {
        "other": "[parameters('vmssName')]",
        "copy": [
            {
                "name": "dataDisks",
                "count": "[parameters('count')]",
                "input": {
                    "lun": "[copyIndex('dataDisks')]",
                    "name": "[concat('d', copyIndex('dataDisks', 1))]",
                },
            }
        ],
    }
    out = resolve(props, make_scope())
    assert out == {
        "other": "web",
        "dataDisks": [{"lun": 0, "name": "d1"}, {"lun": 1, "name": "d2"}, {"lun": 2, "name": "d3"}],
    }


def test_property_copy_with_unknown_count() -> None:
    props = {"copy": [{"name": "disks", "count": "[parameters('noValue')]", "input": {}}]}
    out = resolve(props, make_scope())
    assert isinstance(out, dict)
    assert isinstance(out["disks"], Unknown)
    assert "parameter 'noValue' has no value" in out["disks"].reason


def test_property_copy_count_limit() -> None:
    with pytest.raises(LimitExceeded, match="copy count is 801, over ARM's and vmss-lint's limit of 800"):
        resolve({"copy": [{"name": "d", "count": 801, "input": 1}]}, EvalScope())
    with pytest.raises(InputError, match="must be a whole number of at least 0, not -1"):
        resolve({"copy": [{"name": "d", "count": -1, "input": 1}]}, EvalScope())


def test_limits_follow_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMSS_LINT_COPY_MAX_COUNT", "900")
    out: Any = resolve({"copy": [{"name": "d", "count": 850, "input": 1}]}, EvalScope())
    assert len(out["d"]) == 850
    monkeypatch.setenv("VMSS_LINT_EXPRESSION_MAX_DEPTH", "3")
    with pytest.raises(LimitExceeded) as info:
        evaluate("[string(string(string(string(1))))]", EvalScope())
    assert "VMSS_LINT_EXPRESSION_MAX_DEPTH" in (info.value.hint or "")
    monkeypatch.setenv("VMSS_LINT_EXPRESSION_MAX_LENGTH", "10")
    with pytest.raises(LimitExceeded):
        evaluate("[concat('abcdef')]", EvalScope())


def test_resource_copy_object_and_keys_are_left_alone() -> None:
    resource = {"copy": {"name": "loop", "count": 2}, "[notExpr]": "[copyIndex()]"}
    assert resolve(resource, make_scope()) == {"copy": {"name": "loop", "count": 2}, "[notExpr]": 2}
    out: Any = resolve(resource, make_scope().with_copy_index(None, 5))
    assert out["[notExpr]"] == 5


def test_variable_copy() -> None:
    variables = {
        "copy": [{"name": "names", "count": 2, "input": "[concat('n', copyIndex('names'))]"}],
        "disks": {"copy": [{"name": "list", "count": 2, "input": {"i": "[copyIndex('list')]"}}]},
    }
    scope = make_scope(variables=variables)
    assert evaluate("[variables('names')]", scope) == ["n0", "n1"]
    assert evaluate("[variables('disks')]", scope) == {"list": [{"i": 0}, {"i": 1}]}


def test_resolve_walks_everything_and_unescapes() -> None:
    value = {"a": ["[[x]", "[concat('a', 'b')]", 1, None, True], "b": {"c": "plain"}}
    assert resolve(value, make_scope()) == {"a": ["[x]", "ab", 1, None, True], "b": {"c": "plain"}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[parameters('adminPassword')]", True),
        ("[parameters('ADMINPASSWORD')]", True),
        ("[variables('pwIndirect')]", True),
        ({"x": ["[concat('a', variables('pw'))]"]}, True),
        ("[parameters('vmssName')]", False),
        ("[variables('lbName')]", False),
        ("parameters('adminPassword')", False),
        ("[parameters(concat('admin', 'Password'))]", True),
    ],
)
def test_references_secret(value: Any, expected: bool) -> None:
    assert references_secret(value, make_scope()) is expected


def test_secret_values_still_evaluate() -> None:
    assert evaluate("[parameters('adminPassword')]", make_scope()) == "hunter2"


def test_parse_cache_does_not_leak_between_scopes() -> None:
    text = "[parameters('vmssName')]"
    assert evaluate(text, make_scope()) == "web"
    assert evaluate(text, make_scope(params={"vmssName": "api"})) == "api"


@pytest.mark.parametrize("template", sorted(p.parent.name for p in QUICKSTART_TEMPLATES))
def test_corpus_templates_resolve(template: str) -> None:
    path = CORPUS / template / "azuredeploy.json"
    parsed = load_arm_json(path.read_bytes(), str(path))
    assert isinstance(parsed.value, dict)
    values = {"vmssName": "myvmss", "adminUsername": "azureuser", "instanceCount": 2}
    scope = EvalScope.from_template(
        parsed.value, values, source=str(path), positions=parsed.positions, **CONTEXT
    )
    resources: Any = parsed.value["resources"]
    infix = ("myvmss" + unique_string(RG_ID.encode()))[:9].lower()
    for i, raw in enumerate(resources):
        out: Any = resolve(raw, scope, f"/resources/{i}")
        assert isinstance(out, dict)
        if out["type"] == "Microsoft.Compute/virtualMachineScaleSets":
            assert out["name"] in (infix, "myvmss")
            assert out["sku"]["capacity"] == 2
            assert out["location"] == PLACEHOLDER_LOCATION
            os_profile = out["properties"]["virtualMachineProfile"]["osProfile"]
            assert os_profile["adminUsername"] == "azureuser"
            assert isinstance(os_profile["adminPassword"], Unknown)
            assert references_secret(raw["properties"]["virtualMachineProfile"]["osProfile"], scope)
            assert not references_secret(raw["sku"], scope)


def test_corpus_linux_nat_ssh_configuration() -> None:
    path = CORPUS / "vmss-linux-nat" / "azuredeploy.json"
    template = load_arm_json(path.read_bytes(), str(path)).value
    assert isinstance(template, dict)
    values = {
        "vmssName": "Web",
        "adminUsername": "u",
        "instanceCount": 2,
        "adminPasswordOrKey": "ssh-rsa AAA",
    }
    scope = EvalScope.from_template(template, values)
    linux = evaluate(
        "[if(equals(parameters('authenticationType'), 'password'), json('null'), variables('linuxConfiguration'))]",
        scope,
    )
    assert linux == {
        "disablePasswordAuthentication": True,
        "ssh": {"publicKeys": [{"path": "/home/u/.ssh/authorized_keys", "keyData": "ssh-rsa AAA"}]},
    }
    assert evaluate("[variables('longNamingInfix')]", scope) == "web"
    assert evaluate("[concat(parameters('vmssName'), 'lb')]", scope) == "Weblb"


def test_corpus_app_gateway_with_parameter_file() -> None:
    folder = CORPUS / "vmss-windows-app-gateway"
    template = load_arm_json((folder / "azuredeploy.json").read_bytes(), "t").value
    params_file = load_arm_json((folder / "azuredeploy.parameters.json").read_bytes(), "p").value
    assert isinstance(template, dict) and isinstance(params_file, dict)
    supplied = {k: v["value"] for k, v in params_file["parameters"].items()}  # type: ignore[union-attr, index, call-overload]
    scope = EvalScope.from_template(template, supplied)
    assert evaluate("[parameters('instanceCount')]", scope) == 3
    assert "adminPassword" in scope.secret_parameters
    assert references_secret("[parameters('adminPassword')]", scope)


_ATOMS = st.sampled_from(
    [
        "'a'",
        "''",
        "'it''s'",
        "1",
        "-2",
        "0",
        "parameters('vmssName')",
        "parameters('obj')",
        "variables('lbName')",
        "variables('withUnknown')",
        "reference('x')",
        "createArray(1, 'a')",
        "json('{}')",
        "json('[1]')",
        "null()",
        "true()",
        "resourceGroup()",
        "copyIndex()",
        "range(0, 3)",
        "'10.0.0.0/16'",
        "'2020-01-01T00:00:00Z'",
    ]
)
_FUNCTIONS = st.sampled_from(
    sorted(expr_eval.known_function_names() | {"listKeys", "newGuid", "madeUp", "ns.fn"})
)


def _expressions(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _ATOMS
    inner = _expressions(depth - 1)
    call = st.tuples(_FUNCTIONS, st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})")
    member = st.tuples(inner, st.sampled_from([".id", ".name", "[0]", "['a']", ".location"])).map("".join)
    return st.one_of(inner, call, member)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions(3))
def test_fuzz_never_crashes(body: str) -> None:
    """Any expression either evaluates or raises InputError: never a bare Python exception."""
    with contextlib.suppress(InputError):
        evaluate(f"[{body}]", make_scope())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="[]()',.abc1-  \n", max_size=40))
def test_fuzz_garbage_text(text: str) -> None:
    with contextlib.suppress(InputError):
        evaluate(f"[{text}]", make_scope())


def test_variable_pointers_are_escaped_and_copy_errors_point_at_the_entry() -> None:
    scope = EvalScope(
        variables={
            "a/b": "[add('x', 1)]",
            "copy": [{"name": "c", "count": 1, "input": "[add('y', 1)]"}],
        }
    )
    with pytest.raises(ExpressionError) as info:
        evaluate("[variables('a/b')]", scope)
    assert info.value.pointer == "/variables/a~1b"
    with pytest.raises(ExpressionError) as info:
        evaluate("[variables('c')]", scope)
    assert info.value.pointer == "/variables/copy/0/input"


def test_replaced_scope_does_not_reuse_stale_variable_values() -> None:
    from vmss_lint.core import records

    scope = make_scope()
    assert evaluate("[variables('lbName')]", scope).startswith("web")  # type: ignore[union-attr]
    other = records.replace(scope, parameters={**scope.parameters, "vmssName": "api"})  # a record now
    assert evaluate("[variables('lbName')]", other).startswith("api")  # type: ignore[union-attr]
    assert evaluate("[variables('lbName')]", scope.with_copy_index(None, 1)).startswith("web")  # type: ignore[union-attr]


def test_unknowns_as_text_makes_values_json_serialisable() -> None:
    import json

    value = evaluate("[variables('withUnknown')]", make_scope())
    text = json.dumps(unknowns_as_text(value), sort_keys=True)
    assert text == '{"known": 1, "live": "<unknown: function \'reference\' needs a live Azure deployment>"}'


# --- the deployment context is unknown unless supplied (issue 18, item 4) -----------------------

CONTEXT_UNKNOWN = [
    "[resourceGroup().location]",
    "[resourceGroup().name]",
    "[resourceGroup().id]",
    "[subscription().subscriptionId]",
    "[subscription().id]",
    "[tenant().tenantId]",
    "[managementGroup().name]",
    "[deployment().name]",
    "[deployment().properties.templateLink.uri]",
    "[uri(deployment().properties.templateLink.uri, 'install.sh')]",
    "[environment().suffixes.storage]",
    "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sn')]",
    "[resourceId('rg2', 'Microsoft.Network/loadBalancers', 'lb')]",
    "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')]",
    "[managementGroupResourceId('Microsoft.Authorization/policyDefinitions', 'p')]",
    "[uniqueString(resourceGroup().id)]",
    "[guid(subscription().id, 'x')]",
    "[substring(subscription().subscriptionId, 15, 36)]",
    "[concat('/subscriptions/', subscription().subscriptionId, '/resourceGroups/', resourceGroup().name)]",
    "[equals(resourceGroup().location, 'eastus')]",
    "[not(equals(resourceGroup().location, 'eastus'))]",
    "[greater(resourceGroup().location, 'a')]",
    "[contains(createArray('eastus', 'westus'), resourceGroup().location)]",
    "[if(equals(resourceGroup().location, 'eastus'), 1, 2)]",
    "[union(createObject('a', 1), createObject('b', resourceGroup().tags)).b]",
    "[union(createArray(1), createArray(resourceGroup().location))]",
    "[tryGet(resourceGroup().tags, 'env')]",
    "[tryGet(createObject('a', resourceGroup().tags), 'a', 'b')]",
    "[shallowMerge(createArray(createObject('a', 1), resourceGroup().tags))]",
    "[flatten(createArray(createArray(1), resourceGroup().tags))]",
    "[length(flatten(createArray(createArray(1), resourceGroup().tags)))]",
]


@pytest.mark.parametrize("text", CONTEXT_UNKNOWN)
def test_context_functions_are_unknown_unless_supplied(text: str) -> None:
    """No placeholder string: an environment value nobody supplied is unknown, through every function."""
    result = evaluate(text, EvalScope())
    assert isinstance(result, Unknown), result
    assert "not known offline" in result.reason or "templateLink" in result.reason


def test_context_values_are_used_when_supplied() -> None:
    scope = EvalScope(**CONTEXT)
    assert evaluate("[resourceGroup().location]", scope) == PLACEHOLDER_LOCATION
    assert evaluate("[equals(resourceGroup().location, 'westeurope')]", scope) is True
    assert evaluate("[resourceId('Microsoft.Network/loadBalancers', 'lb')]", scope) == (
        f"{RG_ID}/providers/Microsoft.Network/loadBalancers/lb"
    )
    # resourceId naming its own subscription and group needs no context
    assert evaluate("[resourceId('s1', 'rg2', 'Microsoft.Network/loadBalancers', 'lb')]", EvalScope()) == (
        "/subscriptions/s1/resourceGroups/rg2/providers/Microsoft.Network/loadBalancers/lb"
    )
    # a local deployment has no templateLink unless the context says it was deployed from a URI
    assert isinstance(
        evaluate("[deployment().properties.templateLink]", EvalScope(**{**CONTEXT, "deployment": {}})),
        Unknown,
    )


def test_same_unknown_expression_is_equal_but_a_changed_definition_is_not() -> None:
    """Both sides writing the same expression resolve alike; a variable whose definition changed does not."""
    a = EvalScope(variables={"n": "[concat('a', uniqueString(resourceGroup().id))]"})
    b = EvalScope(variables={"n": "[concat('b', uniqueString(resourceGroup().id))]"})
    same = EvalScope(variables={"n": "[concat('a', uniqueString(resourceGroup().id))]"})
    assert evaluate("[variables('n')]", a) == evaluate("[variables('n')]", same)
    assert evaluate("[variables('n')]", a) != evaluate("[variables('n')]", b)


def test_union_of_objects_keeps_known_members_next_to_unknown_ones() -> None:
    out = evaluate("[union(createObject('a', 1), createObject('b', resourceGroup().location))]", EvalScope())
    assert isinstance(out, dict) and out["a"] == 1 and isinstance(out["b"], Unknown)


def test_fold_expression_folds_only_what_arm_reads_without_case() -> None:
    from vmss_lint.arm.expressions.parse import fold_expression

    assert (
        fold_expression("[Concat(Parameters('AdminUser'), 'X')]") == "[concat(parameters('adminuser'), 'X')]"
    )
    assert fold_expression("[variables('A')['B']]") == "[variables('a')['B']]"
    assert fold_expression("[format('{0}', VARIABLES('It''s'))]") == "[format('{0}', variables('it''s'))]"
