"""Tests for the ARM-dialect JSON reader: values, positions, dialect extensions, errors, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import QUICKSTARTS
from hypothesis import given, settings
from hypothesis import strategies as st

from vmss_lint.arm.reader import MAX_DEPTH, JsonValue, escape_pointer_token, load_arm_json
from vmss_lint.core.errors import InputError, LimitExceeded

CORPUS = QUICKSTARTS
CORPUS_FILES = sorted(CORPUS.glob("vmss-*/*.json"))


def test_corpus_is_present() -> None:
    assert len(CORPUS_FILES) >= 4


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_loads_and_matches_stdlib(path: Path) -> None:
    data = path.read_bytes()
    parsed = load_arm_json(data, str(path))
    assert parsed.value == json.loads(data)
    assert parsed.positions[""] == (1, 1)
    assert parsed.duplicate_keys == ()
    assert parsed.trailing_commas == ()
    # Every value has a position and every member has a key position.
    assert set(_pointers(parsed.value)) == set(parsed.positions)
    assert set(parsed.key_positions) <= set(parsed.positions)


@pytest.mark.parametrize(
    ("template", "index", "resource_line"),
    [
        ("vmss-automatic-repairs-slb-health-probe", 2, 202),
        ("vmss-linux-nat", 3, 176),
        ("vmss-windows-app-gateway", 3, 247),
        ("vmss-windows-autoscale", 3, 166),
    ],
)
def test_corpus_vmss_positions(template: str, index: int, resource_line: int) -> None:
    path = CORPUS / template / "azuredeploy.json"
    parsed = load_arm_json(path.read_bytes(), str(path))
    assert isinstance(parsed.value, dict)
    resources = parsed.value["resources"]
    assert isinstance(resources, list)
    vmss = resources[index]
    assert isinstance(vmss, dict)
    assert vmss["type"] == "Microsoft.Compute/virtualMachineScaleSets"
    ptr = f"/resources/{index}"
    assert parsed.positions[ptr] == (resource_line, 5)
    assert parsed.key_positions[f"{ptr}/type"] == (resource_line + 1, 7)
    assert parsed.positions[f"{ptr}/type"] == (resource_line + 1, 15)
    # Cross-check against the raw text: the key really is on that line and column.
    lines = path.read_text().splitlines()
    line, col = parsed.key_positions[f"{ptr}/properties"]
    assert lines[line - 1][col - 1 :].startswith('"properties"')


def test_linux_nat_resources_key_position() -> None:
    path = CORPUS / "vmss-linux-nat" / "azuredeploy.json"
    parsed = load_arm_json(path.read_text(), str(path))
    assert parsed.key_positions["/resources"] == (102, 3)
    assert parsed.positions["/resources"] == (102, 16)
    assert parsed.key_positions["/$schema"] == (2, 3)


DIALECT_CASES: list[tuple[str, str | bytes, JsonValue]] = [
    (
        "strict",
        '{"a": [1, 2.5, -3, 1e3, true, false, null, "s"]}',
        {"a": [1, 2.5, -3, 1000.0, True, False, None, "s"]},
    ),
    ("bom bytes", b'\xef\xbb\xbf{"a": 1}', {"a": 1}),
    ("bom str", '\ufeff{"a": 1}', {"a": 1}),
    ("line comment", '// top\n{"a": 1 // after\n}', {"a": 1}),
    ("block comment", '/* x\n y */{"a": /* in */ 1}', {"a": 1}),
    ("comment markers in string", '{"u": "http://x//y /* not */"}', {"u": "http://x//y /* not */"}),
    ("trailing comma object", '{"a": 1,}', {"a": 1}),
    ("trailing comma array", "[1, 2,]", [1, 2]),
    ("trailing comma nested", '{"a": [1,], "b": {"c": 2,},}', {"a": [1], "b": {"c": 2}}),
    ("multi-line string", '{"x": "[\n  parameters(\'a\')\n]"}', {"x": "[\n  parameters('a')\n]"}),
    ("escapes", r'["\"\\\/\b\f\n\r\t\u00e9"]', ['"\\/\b\f\n\r\t\u00e9']),
    ("raw tab in string", '["a\tb"]', ["a\tb"]),
    ("crlf", '{\r\n"a": 1\r\n}\r\n', {"a": 1}),
    ("scalar root", "  42 ", 42),
    ("empty containers", '{"a": {}, "b": []}', {"a": {}, "b": []}),
    ("big int stays int", "12345678901234567890", 12345678901234567890),
    ("unicode", '{"é": "ü"}', {"é": "ü"}),
]


@pytest.mark.parametrize(("name", "text", "expected"), DIALECT_CASES, ids=[c[0] for c in DIALECT_CASES])
def test_dialect(name: str, text: str | bytes, expected: JsonValue) -> None:
    value = load_arm_json(text, "t.json").value
    assert value == expected
    assert type(value) is type(expected)


def test_ints_stay_int_floats_stay_float() -> None:
    value = load_arm_json("[1, 1.0, -0, 2E2]", "t").value
    assert [type(v) for v in value] == [int, float, int, float]  # type: ignore[union-attr]


def test_positions_and_key_positions() -> None:
    text = '{\n  "a": {\n    "b/c": [10,\n      {"d~": null}]\n  },\n  "e": "x"\n}'
    parsed = load_arm_json(text, "t")
    assert parsed.positions == {
        "": (1, 1),
        "/a": (2, 8),
        "/a/b~1c": (3, 12),
        "/a/b~1c/0": (3, 13),
        "/a/b~1c/1": (4, 7),
        "/a/b~1c/1/d~0": (4, 14),
        "/e": (6, 8),
    }
    assert parsed.key_positions == {
        "/a": (2, 3),
        "/a/b~1c": (3, 5),
        "/a/b~1c/1/d~0": (4, 8),
        "/e": (6, 3),
    }


def test_positions_after_multiline_string_and_crlf() -> None:
    parsed = load_arm_json('{"a": "x\r\ny",\r\n "b": 1}', "t")
    assert parsed.positions["/b"] == (3, 7)
    assert parsed.key_positions["/b"] == (3, 2)


def test_bom_does_not_shift_columns() -> None:
    parsed = load_arm_json(b'\xef\xbb\xbf{"a": 1}', "t")
    assert parsed.key_positions["/a"] == (1, 2)


def test_trailing_commas_are_reported() -> None:
    parsed = load_arm_json('{"a": [1,],\n "b": 2,\n}', "t")
    assert parsed.trailing_commas == ((1, 9), (2, 8))


def test_duplicate_keys_last_wins_and_are_reported() -> None:
    parsed = load_arm_json('{"a": {"x": 1},\n "A": 2,\n "a": 3}', "t")
    assert parsed.value == {"a": 3, "A": 2}
    assert "/a/x" not in parsed.positions  # the overwritten subtree is forgotten
    assert parsed.positions["/a"] == (3, 7)
    dups = {(d.key, d.exact): (d.first, d.second) for d in parsed.duplicate_keys}
    assert dups == {("A", False): ((1, 2), (2, 2)), ("a", True): ((1, 2), (3, 2))}


def test_escape_pointer_token() -> None:
    assert escape_pointer_token("a~/b") == "a~0~1b"
    assert escape_pointer_token("plain") == "plain"


ERROR_CASES: list[tuple[str, str | bytes, str, str | None]] = [
    ("empty", "", "file is empty", None),
    ("only whitespace and comments", " // x\n /* y */ ", "file is empty", None),
    (
        "missing comma",
        '{"a": 1\n "b": 2}',
        "not valid JSON: expected ',' or '}' after object member",
        "line 2, column 2",
    ),
    ("missing array comma", "[1 2]", "expected ',' or ']' after array element", "line 1, column 4"),
    ("missing colon", '{"a" 1}', "expected ':' after property name", "line 1, column 6"),
    ("missing value", '{"a": }', "expected a value", "line 1, column 7"),
    ("unquoted key", "{a: 1}", "property name in double quotes", "line 1, column 2"),
    ("single quotes", "['a']", "strings must be in double quotes", "line 1, column 2"),
    ("unterminated string", '{"a": "abc', "unterminated string", "line 1, column 7"),
    ("unterminated comment", '{"a": 1 /* never', "unterminated /* comment", "line 1, column 9"),
    ("unexpected eof", '{"a": [1,', "unexpected end of file", "line 1, column 10"),
    ("garbage after", "{} x", "expected end of file after the JSON value", "line 1, column 4"),
    ("bad escape", '["a\\qb"]', "invalid \\escape", "line 1, column 4"),
    # An unquoted word is never echoed (it may be a secret somebody forgot to quote) unless it is a literal
    # of another language.
    ("bad word", "[nope]", "an unquoted word of 4 characters", "line 1, column 2"),
    (
        "foreign literal",
        '{"a": True}',
        "the word 'True' (JSON spells it true, false or null",
        "line 1, column 7",
    ),
    ("NaN", "[NaN]", "'NaN'", "line 1, column 2"),
    ("leading zero", "[01]", "leading zero", "line 1, column 2"),
    ("lone minus", "[-]", "unexpected character '-'", "line 1, column 2"),
    ("control char outside string", "[\x01]", "U+0001", "line 1, column 2"),
    ("bad utf-8", b'{"a": "\xff"}', "not UTF-8 text (invalid byte 0xff at offset 7)", None),
    ("bad utf-8 after bom", b'\xef\xbb\xbf["\xc3"]', "invalid byte 0xc3 at offset 5", None),
    ("utf-16", b"\xff\xfe{\x00}\x00", "UTF-16", None),
    ("stray close", "]", "expected a value", "line 1, column 1"),
    ("double comma", "[1,,2]", "expected a value", "line 1, column 4"),
    ("empty trailing comma alone", "[,]", "expected a value", "line 1, column 2"),
]


@pytest.mark.parametrize(("name", "text", "problem", "where"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors(name: str, text: str | bytes, problem: str, where: str | None) -> None:
    with pytest.raises(InputError) as info:
        load_arm_json(text, "bad.json")
    err = info.value
    assert not isinstance(err, LimitExceeded)
    assert err.source == "bad.json"
    assert problem in err.problem
    assert err.where == where


def test_deep_nesting_is_a_clean_limit() -> None:
    for text in ("[" * 100_000, '{"a":' * 100_000, "[" * 100_000 + "]" * 100_000):
        with pytest.raises(LimitExceeded) as info:
            load_arm_json(text, "deep.json")
        assert str(MAX_DEPTH) in info.value.problem
        assert "max_depth" in (info.value.hint or "")


def test_depth_limit_is_exact_and_overridable() -> None:
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    load_arm_json(ok, "t")
    with pytest.raises(LimitExceeded):
        load_arm_json("[" + ok + "]", "t")
    load_arm_json("[" + ok + "]", "t", max_depth=MAX_DEPTH + 1)
    with pytest.raises(LimitExceeded):
        load_arm_json("[[[]]]", "t", max_depth=2)


def test_size_limit() -> None:
    with pytest.raises(LimitExceeded) as info:
        load_arm_json(b"[" + b"1," * 100 + b"1]", "big.json", max_bytes=100)
    assert "max_bytes" in (info.value.hint or "")
    with pytest.raises(LimitExceeded):
        load_arm_json("[" + "1," * 100 + "1]", "big.json", max_bytes=100)
    with pytest.raises(LimitExceeded):  # 30 characters, 60 bytes of UTF-8
        load_arm_json('"' + "é" * 30 + '"', "big.json", max_bytes=40)


def test_one_megabyte_template_parses_with_every_position() -> None:
    """A 1 MB template is read whole, with a position for every value. How fast is the benchmark's
    business (benchmarks/bench.py, docs/performance.md): timings are never asserted in tests."""
    base = json.loads((CORPUS / "vmss-linux-nat" / "azuredeploy.json").read_bytes())
    text = json.dumps({"resources": [base] * 110}, indent=2)
    assert len(text) > 1_000_000
    parsed = load_arm_json(text, "big.json")
    assert parsed.value == json.loads(text)
    assert all(p in parsed.positions for p in _pointers(json.loads(text))[:5000])


def _pointers(value: JsonValue, prefix: str = "") -> list[str]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _pointers(v, f"{prefix}/{escape_pointer_token(k)}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _pointers(v, f"{prefix}/{i}")
    return out


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(_json_values, st.booleans())
def test_roundtrip_matches_stdlib(value: JsonValue, indent: bool) -> None:
    text = json.dumps(value, indent=2 if indent else None, ensure_ascii=False)
    parsed = load_arm_json(text, "t")
    assert parsed.value == json.loads(text)
    assert set(parsed.positions) == set(_pointers(parsed.value))
    lines = text.split("\n")
    for line, col in parsed.positions.values():
        assert 1 <= line <= len(lines)
        assert 1 <= col <= len(lines[line - 1])


@pytest.mark.parametrize("space", ["\u00a0", "\u2003", "\u3000", "\u0085", "\x0b", "\x0c"])
def test_unicode_whitespace_between_tokens_is_whitespace(space: str) -> None:
    """ARM's reader (Newtonsoft) skips what .NET's char.IsWhiteSpace accepts: a parameters file pasted
    from a web page with no-break spaces deploys, so it must not be refused here."""
    text = (
        f'{{{space}"parameters":{space}{{ "adminUsername":{space}{{"value": "azureuser"}} }}{space}}}{space}'
    )
    parsed = load_arm_json(text, "p.json")
    assert parsed.value == {"parameters": {"adminUsername": {"value": "azureuser"}}}
    line, column = parsed.positions["/parameters/adminUsername"]
    assert (line, text[column - 1]) == (1, "{")  # columns count the space as one character


@pytest.mark.parametrize("text", ['{"a": tr\u00a0ue}', '{"a": 1\u00a02}', '{"a"\u00a0\u00a0"b"}'])
def test_unicode_whitespace_is_only_whitespace(text: str) -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        load_arm_json(text, "p.json")


def test_no_break_space_inside_a_string_is_kept() -> None:
    assert load_arm_json('{"a": "x\u00a0y"}', "p.json").value == {"a": "x\u00a0y"}
