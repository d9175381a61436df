"""Property-based fuzzing of every reader and of the pipeline behind them.

The invariants are the ones a user relies on without thinking about them:

* never a traceback: any input ends in findings or in one clear `InputError` (exit 2 via `main()`);
* the same input gives the same output, byte for byte;
* a model compared with itself gives no finding;
* reordering keyed lists (extensions, NIC and IP configurations, data disks, pools, zones) changes
  nothing;
* the REST, `az vmss show` and `Get-AzVmss` shapes of one model compare equal;
* JSON Patch, `--az-update` strings, near-JSON bytes, templates and expressions: a value or an
  `InputError`, never anything else.

Two profiles. The default one is short and derandomized (the same examples every run, so CI is
stable; about 30-40 s on two cores). `VMSS_LINT_FUZZ=long` multiplies every budget for 100,000+
examples with fresh random seeds; docs/limits.md ("Fuzzing the bounds") records its last run.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import os
import random
import shlex
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, QUICKSTART_TEMPLATES
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vmss_lint.arm.files import parse_text
from vmss_lint.arm.reader import load_arm_json, value_problem
from vmss_lint.cli import main
from vmss_lint.compare import KEYED_LISTS, compare
from vmss_lint.compare.equal import _item_key
from vmss_lint.core.errors import InputError
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.normalize import FREE_FORM, canonical_key
from vmss_lint.inputs.az_shape import to_az_shape
from vmss_lint.inputs.read import model_from
from vmss_lint.inputs.sources import apply_az_update, apply_patch
from vmss_lint.pipeline import LintOptions, lint_pair, make_report, rules_for
from vmss_lint.report.formats import FORMATS, renderer

LONG = os.environ.get("VMSS_LINT_FUZZ", "").strip().lower() == "long"
MODELS = FIXTURES / "models"
WEB_REST = MODELS / "web-rest.json"
TEMPLATES = QUICKSTART_TEMPLATES


LONG_BUDGETS: list[int] = []


def fuzz(short: int, long: int) -> Callable[[Any], Any]:
    """Per-test budget: `short` derandomized examples by default, `long` random ones when opted in."""
    LONG_BUDGETS.append(long)
    return settings(
        max_examples=long if LONG else short,
        deadline=None,
        derandomize=not LONG,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# ---------------------------------------------------------------------------------------- helpers

_OPTIONS = LintOptions()
_RULES = rules_for(_OPTIONS)
_JSON = renderer("json")


def lint_json(current: ScaleSetModel, proposed: ScaleSetModel) -> str:
    """The full JSON report of one pair: what pipelines parse, so what must be deterministic."""
    result = lint_pair(current, proposed, _RULES, _OPTIONS)
    return _JSON(make_report([result], _OPTIONS.fail_on), colour=False)


def findings_of(current: ScaleSetModel, proposed: ScaleSetModel) -> list[tuple[str, str, str]]:
    result = lint_pair(current, proposed, _RULES, _OPTIONS)
    return sorted((f.rule, f.severity.value, f.impact.value) for f in result.findings)


def model_or_none(data: bytes, name: str) -> ScaleSetModel | None:
    """The model, or None when the reader rejects the input the documented way (InputError)."""
    try:
        return model_from(parse_text(data, name))
    except InputError:
        return None


def dumps(value: Any) -> bytes:
    return json.dumps(value, indent=1).encode()


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def assert_clean_exit(rc: int, err: str) -> None:
    """Exit 0/1, or 2 with one clear line: never a traceback, never 'internal error'."""
    assert rc in (0, 1, 2), rc
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    if rc == 2:
        assert err.startswith("vmss-lint: ") or err.startswith("Usage:") or "Error" in err, err


def pointers(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from pointers(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from pointers(v, (*prefix, i))


def get_at(doc: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def rfc6901(path: tuple[str | int, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


BASE_REST: dict[str, Any] = json.loads(WEB_REST.read_text(encoding="utf-8"))
BASE_BYTES = WEB_REST.read_bytes()
BASE_FILE = parse_text(BASE_BYTES, "current.json")
BASE_MODEL = model_from(BASE_FILE)
BASE_PATHS = list(pointers(BASE_REST))
_PROPERTY_NAMES = sorted(
    json.loads(
        (Path(__file__).resolve().parents[1] / "vmss_lint" / "data" / "property_names.json").read_text()
    )["names"]
)

# ------------------------------------------------------------------------------------- strategies

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "true",
            "False",
            "3",
            "-1",
            "",
            "Rolling",
            "manual",
            "Standard_D4s_v5",
            "standard_e4s_v3",
            "West Europe",
            "1",
            "2",
            "[parameters('x')]",
            "[[literal",
            "/subscriptions/x/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        ]
    )
)
_keys = st.sampled_from(_PROPERTY_NAMES) | st.text(max_size=8)
json_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_docs(draw: st.DrawFn, base: dict[str, Any] = BASE_REST, *, values_only: bool = False) -> Any:
    """The base document with 1-4 random edits: replace, delete, add a key, duplicate, shuffle."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in pointers(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = get_at(doc, path[:-1])
        last = path[-1]
        actions = ["scalar"] if values_only else ["replace", "delete", "add", "dup", "shuffle", "scalar"]
        action = draw(st.sampled_from(actions))
        if action == "scalar":
            if not isinstance(parent[last], dict | list):
                parent[last] = draw(_scalars)
        elif action == "replace":
            parent[last] = draw(json_values)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent[last], dict):
            parent[last][draw(_keys)] = draw(json_values)
        elif action == "dup" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(parent[last]))
        elif action == "shuffle" and isinstance(parent[last], list):
            random.Random(draw(st.integers(0, 2**16))).shuffle(parent[last])
    return doc


def keyed_items_ambiguous(doc: Any, key: str = "") -> bool:
    """True when a keyed list has an element without its key, or two with one key: such elements pair
    by position, so reordering them is a real change (and Azure rejects repeated names anyway)."""
    if isinstance(doc, dict):
        return any(keyed_items_ambiguous(v, k) for k, v in doc.items() if k not in FREE_FORM)
    if isinstance(doc, list):
        field = KEYED_LISTS.get(key)
        if field is not None:
            # Keys as the comparison pairs elements by them (ARM's coercions, case-insensitive names).
            keys = [_item_key(field, i) for i in doc if isinstance(i, dict)]
            if None in keys or any(a == b for n, a in enumerate(keys) for b in keys[n + 1 :]):
                return True
        return any(keyed_items_ambiguous(v, key) for v in doc)
    return False


def permute_keyed_lists(doc: Any, rng: random.Random, key: str = "") -> Any:
    """The same model with every keyed or set-like list in another order."""
    if isinstance(doc, dict):
        if key in FREE_FORM:
            return doc
        return {k: permute_keyed_lists(v, rng, k) for k, v in doc.items()}
    if isinstance(doc, list):
        items = [permute_keyed_lists(v, rng, key) for v in doc]
        if key in KEYED_LISTS or key == "zones":
            rng.shuffle(items)
        return items
    return doc


ENUM_KEYS = frozenset({"mode", "caching", "osType"})


def to_powershell_shape(canonical: dict[str, Any]) -> Any:
    """What `Get-AzVmss | ConvertTo-Json` prints for a canonical model: az's flattening, PascalCase
    property names, an extension's `type` as `Type1`, and the enums PowerShell writes as numbers."""
    enums = {
        "mode": {"Automatic": 0, "Manual": 1, "Rolling": 2},
        "caching": {"None": 0, "ReadOnly": 1, "ReadWrite": 2},
        "osType": {"Windows": 0, "Linux": 1},
    }

    def walk(node: Any, key: str, in_ext: bool) -> Any:
        if isinstance(node, list):
            return [walk(v, key, key == "extensions") for v in node]
        if not isinstance(node, dict):
            table = enums.get(key)
            if table is not None and isinstance(node, str) and node in table:
                return table[node]
            return node
        out: dict[str, Any] = {}
        for k, v in node.items():
            if k in FREE_FORM:
                out[k[0].upper() + k[1:]] = v
                continue
            name = "Type1" if in_ext and k == "type" else k[0].upper() + k[1:] if k else k
            if canonical_key(name) != k and name != "Type1":
                name = k  # not a property PowerShell would rename: keep it as written
            out[name] = walk(v, k, False)
        return out

    return walk(to_az_shape(canonical), "", False)


# ------------------------------------------------------------------------------ armjson: raw bytes

_NEAR_JSON_ALPHABET = [*'{}[],:"\\/*\n \t0123456789eE+-.truefalsnul', "\u2028", "\ufeff", "\x00", "é"]


@fuzz(1500, 30_000)
@given(st.binary(max_size=200))
def test_armjson_random_bytes(data: bytes) -> None:
    with contextlib.suppress(InputError):
        load_arm_json(data, "fuzz.json")


@st.composite
def near_json(draw: st.DrawFn) -> str:
    """Valid JSON (a fixture or a generated value) with a few random character edits."""
    if draw(st.booleans()):
        text = json.dumps(draw(json_values), indent=draw(st.sampled_from([None, 1])))
    else:
        text = BASE_BYTES.decode()[: draw(st.integers(50, 3000))]
    chars = list(text)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(chars)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert" or not chars:
            chars.insert(at, draw(st.sampled_from(_NEAR_JSON_ALPHABET)))
        elif kind == "delete":
            del chars[min(at, len(chars) - 1)]
        else:
            chars[min(at, len(chars) - 1)] = draw(st.sampled_from(_NEAR_JSON_ALPHABET))
    return "".join(chars)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


@fuzz(1000, 20_000)
@given(near_json())
def test_armjson_near_json(text: str) -> None:
    """A value or InputError; and ARM's dialect is a superset of JSON: what json.loads takes, it takes,
    except what no JSON consumer can carry (a lone surrogate, a number past a double's range), which it
    refuses by design (see `vmss_lint.arm.reader`)."""
    try:
        strict = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        strict = ...
    if strict is not ... and value_problem(strict) is not None:
        strict = ...
    try:
        parsed = load_arm_json(text, "fuzz.json")
    except InputError:
        assert strict is ..., f"armjson rejected valid JSON: {text!r}"
        return
    if strict is not ...:
        assert parsed.value == strict


_JSON_KEYS = st.text(alphabet=st.sampled_from('ab/~0é"\\ \n\u2028'), max_size=4)
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_KEYS, inner, max_size=4),
    max_leaves=25,
)


@st.composite
def formatted_json(draw: st.DrawFn) -> str:
    """A JSON value written the ways people and tools write it: any indent, separators, escaping, and
    sometimes a duplicated key (json.loads and the ARM reader both keep the last)."""
    text = json.dumps(
        draw(_JSON_VALUES),
        indent=draw(st.sampled_from([None, 0, 1, 2, 4, "\t", " \r\n "])),
        separators=draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " : ")])),
        ensure_ascii=draw(st.booleans()),
    )
    if draw(st.booleans()) and text.startswith("{") and text != "{}":
        text = text.replace("{", '{"dup": 1, "dup": [0, 3],', 1)
    return text


@fuzz(400, 10_000)
@given(formatted_json())
def test_single_position_lookup_agrees_with_the_arm_reader(text: str) -> None:
    """`locate` (a finding's line, found without the ARM reader) must give exactly the ARM reader's
    position for every pointer of any strict-JSON text, and nothing for a pointer that is not there."""
    from vmss_lint.core.locate import has_duplicate_keys, value_position

    parsed = load_arm_json(text, "fuzz.json")
    unique = not has_duplicate_keys(text)
    assert unique == ('"dup": 1, "dup": [0, 3],' not in text)  # only the injected key repeats
    for pointer, position in parsed.positions.items():
        assert value_position(text, pointer) == position, pointer
        assert value_position(text, pointer, unique_keys=unique) == position, pointer
    for pointer in list(parsed.positions)[:5]:
        assert value_position(text, pointer + "/nope") is None
        assert value_position(text, pointer + "/999") is None


@fuzz(400, 5_000)
@given(_JSON_VALUES)
def test_json_format_writes_exactly_what_json_dumps_writes(value: Any) -> None:
    """The JSON report's hand-written pretty printer is byte for byte `json.dumps(indent=2)`."""
    from vmss_lint.report.formats.json import pretty

    assert pretty(value) == json.dumps(value, indent=2, ensure_ascii=False)


_SEGMENTS = st.sampled_from(["a", "b", "", "~", "/", "a.b", "0", "(", "*x"])


@fuzz(500, 5_000)
@given(
    st.lists(st.sampled_from(["*", "**"]) | _SEGMENTS, max_size=5),
    st.lists(st.lists(_SEGMENTS, max_size=6), max_size=4),
)
def test_rule_context_matches_globs_like_the_segment_matcher(
    glob: list[str], pointers: list[list[str]]
) -> None:
    """What a rule sees (a compiled glob behind an ancestor-set shortcut, over raw pointer text) is
    exactly what `glob_match` says on split segments, change by change."""
    from vmss_lint.core.apiversion import ApiVersion
    from vmss_lint.core.findings import Change
    from vmss_lint.core.model import join_pointer, split_pointer
    from vmss_lint.engine.run import RuleContext, glob_match

    glob_text = join_pointer(list(glob))
    changes = [Change(join_pointer(list(p)), "replace", 1, 2) for p in pointers]
    empty = ScaleSetModel(doc={}, source="x.json", shape="rest")
    ctx = RuleContext(empty, empty, changes, ApiVersion("2024-07-01", "assumed"))
    expected = [c for c in changes if glob_match(split_pointer(glob_text), split_pointer(c.pointer))]
    assert ctx.changed(glob_text) == expected


# ----------------------------------------------------------------------- models: random documents


@fuzz(150, 8_000)
@given(mutated_docs())
def test_mutated_model_pairs_never_crash_and_are_deterministic(doc: Any) -> None:
    """Current vs a randomly damaged proposed model: findings or InputError, and the same twice."""
    data = dumps(doc)
    proposed = model_or_none(data, "proposed.json")
    if proposed is None:
        return
    first = lint_json(BASE_MODEL, proposed)
    again = lint_json(
        model_from(parse_text(BASE_BYTES, "current.json")), model_or_none(data, "proposed.json")
    )  # type: ignore[arg-type]
    assert first == again


@fuzz(100, 5_000)
@given(mutated_docs())
def test_model_compared_with_itself_has_no_finding(doc: Any) -> None:
    data = dumps(doc)
    current, proposed = model_or_none(data, "current.json"), model_or_none(data, "proposed.json")
    if current is None or proposed is None:
        return
    assert compare(current, proposed) == []
    assert findings_of(current, proposed) == []


@fuzz(100, 5_000)
@given(mutated_docs(values_only=True), st.integers(0, 2**32))
def test_reordering_keyed_lists_changes_nothing(doc: Any, seed: int) -> None:
    """Against itself reordered: no finding. Against the base: the same findings as unreordered."""
    assume(not keyed_items_ambiguous(doc))
    shuffled = permute_keyed_lists(doc, random.Random(seed))
    plain = model_or_none(dumps(doc), "proposed.json")
    if plain is None:
        return
    reordered = model_from(parse_text(dumps(shuffled), "proposed.json"))
    assert findings_of(plain, reordered) == []
    assert findings_of(BASE_MODEL, plain) == findings_of(BASE_MODEL, reordered)


@fuzz(100, 5_000)
@given(mutated_docs(values_only=True))
def test_three_shapes_of_one_model_compare_equal(doc: Any) -> None:
    rest = model_or_none(dumps(doc), "rest.json")
    if rest is None:
        return
    # An enum field holding a number is not a REST model (PowerShell would mean an enum by it).
    assume(
        not any(isinstance(get_at(rest.doc, p), int) for p in pointers(rest.doc) if p and p[-1] in ENUM_KEYS)
    )
    az = model_from(parse_text(dumps(to_az_shape(rest.doc)), "az.json"))
    ps = model_from(parse_text(dumps(to_powershell_shape(rest.doc)), "ps.json"))
    assert (az.shape, ps.shape) == ("az", "powershell")
    for a, b in [(rest, az), (az, rest), (rest, ps), (ps, az)]:
        assert compare(a, b) == [], (a.shape, b.shape)
    assert findings_of(BASE_MODEL, rest) == findings_of(BASE_MODEL, az) == findings_of(BASE_MODEL, ps)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (("networkProfile", "networkInterfaceConfigurations"), "name"),
        (("storageProfile", "dataDisks"), "lun"),
        (("extensionProfile", "extensions"), "name"),
    ],
)
def test_element_without_key_compared_with_itself(path: tuple[str, str], key: str) -> None:
    """Minimal example found by the fuzzer: the same model twice, one keyed element without its key
    (a NIC configuration without `name` used to give a warning, VMSS257, on an unchanged model)."""
    doc = copy.deepcopy(BASE_REST)
    get_at(doc["properties"]["virtualMachineProfile"], path)[0].pop(key)
    data = dumps(doc)
    current, proposed = model_from(parse_text(data, "current.json")), model_from(parse_text(data, "p.json"))
    assert findings_of(current, proposed) == []


# ----------------------------------------------------------------------------------- edits: patch

_patch_paths = st.sampled_from([rfc6901(p) for p in BASE_PATHS]) | st.sampled_from(
    ["", "/", "/-", "/zones/-", "/zones/9", "/properties/~2", "/x/y", "zones", "/sku/name/0", "/ZONES"]
)


@st.composite
def patch_ops(draw: st.DrawFn) -> Any:
    ops: list[Any] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "bogus", "raw"]))
        if kind == "raw":
            ops.append(draw(json_values))
            continue
        op: dict[str, Any] = {"op": kind, "path": draw(_patch_paths)}
        if kind in ("add", "replace", "test") or draw(st.booleans()):
            op["value"] = draw(json_values)
        if kind in ("move", "copy"):
            op["from"] = draw(_patch_paths)
        if draw(st.integers(0, 9)) == 0:
            del op[draw(st.sampled_from(sorted(op)))]
        ops.append(op)
    return ops if draw(st.integers(0, 19)) else draw(json_values)


@fuzz(300, 10_000)
@given(patch_ops())
def test_random_json_patch_gives_findings_or_input_error(ops: Any) -> None:
    try:
        proposed = apply_patch(BASE_FILE, ops, "patch.json")
    except InputError:
        return
    assert lint_json(BASE_MODEL, proposed) == lint_json(BASE_MODEL, apply_patch(BASE_FILE, ops, "patch.json"))


# ------------------------------------------------------------------------------ edits: az update

_AZ_PATHS = [
    "sku.name",
    "sku.capacity",
    "zones",
    "tags.env",
    "upgradePolicy.mode",
    "virtualMachineProfile.storageProfile.imageReference.sku",
    "virtualMachineProfile.storageProfile.dataDisks",
    "virtualMachineProfile.storageProfile.dataDisks[0].diskSizeGb",
    "virtualMachineProfile.storageProfile.dataDisks[-1]",
    "virtualMachineProfile.extensionProfile.extensions[0].settings",
    "virtualMachineProfile.extensionProfile.extensions[name=health].typeHandlerVersion",
    "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0].subnet.id",
    "virtualMachineProfile.osProfile.adminPassword",
    "singlePlacementGroup",
    "[0]",
    "a..b",
    "x[",
    "tags",
]
_AZ_FLAGS = [
    "--set",
    "--add",
    "--remove",
    "--force-string",
    "--license-type",
    "--priority",
    "--max-price",
    "--scale-in-policy",
    "--enable-secure-boot",
    "--security-type",
    "--max-batch-instance-percent",
    "--no-wait",
    "--instance-id",
    "--ids",
    "-g",
    "-n",
    "--bogus",
    "--",
]


@st.composite
def az_commands(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=60))
    words = ["az", "vmss", "update", "-g", "rg-web", "-n", "web"]
    value = st.one_of(
        json_values.map(json.dumps), st.text(max_size=15), st.sampled_from(["null", "[]", "{}", "'x'"])
    )
    for _ in range(draw(st.integers(0, 4))):
        flag = draw(st.sampled_from(_AZ_FLAGS))
        path = draw(st.sampled_from(_AZ_PATHS) | st.text(max_size=10))
        if flag == "--set":
            words += [flag, f"{path}={draw(value)}"]
        elif flag == "--add":
            words += [flag, path, draw(value)]
        elif flag == "--remove":
            words += [flag, path, *([str(draw(st.integers(-3, 5)))] if draw(st.booleans()) else [])]
        else:
            words += [flag, *([draw(value)] if draw(st.booleans()) else [])]
    text = " ".join(shlex.quote(w) for w in words)
    if draw(st.integers(0, 9)) == 0:  # unbalanced quotes, stray backslashes
        text += draw(st.sampled_from(["'", '"', "\\", " '--set x=1"]))
    return text


@fuzz(300, 10_000)
@given(az_commands())
def test_random_az_update_gives_findings_or_input_error(command: str) -> None:
    try:
        proposed = apply_az_update(BASE_MODEL, command, 1, 1)
    except InputError:
        return
    assert lint_json(BASE_MODEL, proposed) == lint_json(
        BASE_MODEL, apply_az_update(BASE_MODEL, command, 1, 1)
    )


# ------------------------------------------------------------------------------ the CLI, end to end


@fuzz(40, 2_000)
@given(
    st.one_of(st.binary(max_size=80), near_json().map(str.encode), mutated_docs().map(dumps)),
    st.sampled_from(FORMATS),
)
def test_cli_on_random_files_exits_cleanly_and_deterministically(data: bytes, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        prop = Path(tmp, "proposed.json")
        prop.write_bytes(data)
        argv = ["check", str(WEB_REST), str(prop), "--format", fmt]
        rc, out, err = run_cli(argv)
        assert_clean_exit(rc, err)
        if rc != 2:
            assert_valid_output(fmt, out)
        assert run_cli(argv) == (rc, out, err)


# --------------------------------------------------------------------------------------- templates


@st.composite
def mutated_templates(draw: st.DrawFn) -> tuple[Path, Any]:
    """A corpus template with a few random edits, biased towards what the template reader evaluates:
    expressions, copy counts, conditions, nested deployments and parameter defaults."""
    path = draw(st.sampled_from(TEMPLATES))
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    expressions = st.sampled_from(
        [
            "[parameters('missing')]",
            "[variables('nope')]",
            "[reference('x').id]",
            "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value]",
            "[copyIndex()]",
            "[concat(",
            "[if(true(), 'a')]",
            "[createArray(1, 2, 3)[5]]",
            "[json('{\"a\": 1}').b]",
            "[range(0, 100000)]",
            "[string(range(0, 800))]",
            "[uri('https://example.com/', 'x')]",
            "[add(9223372036854775807, 1)]",
            "[length(parameters('zones'))]",
            "[[not an expression]",
            "[newGuid()]",
            "[utcNow()]",
        ]
    ) | st.text(max_size=20).map(lambda s: f"[{s}]")
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in pointers(doc) if p]
        target = draw(st.sampled_from(paths))
        parent = get_at(doc, target[:-1])
        choice = draw(st.sampled_from(["expr", "value", "delete", "copy", "condition", "nested"]))
        if choice == "expr":
            parent[target[-1]] = draw(expressions)
        elif choice == "value":
            parent[target[-1]] = draw(json_values)
        elif choice == "delete":
            del parent[target[-1]]
        elif isinstance(doc.get("resources"), list) and doc["resources"]:
            res = draw(st.sampled_from(doc["resources"]))
            if not isinstance(res, dict):
                continue
            if choice == "copy":
                res["copy"] = {
                    "name": "loop",
                    "count": draw(st.integers(-2, 900) | expressions | json_values),
                }
            elif choice == "condition":
                res["condition"] = draw(st.booleans() | expressions)
            else:
                doc["resources"].append(
                    {
                        "type": "Microsoft.Resources/deployments",
                        "apiVersion": "2022-09-01",
                        "name": "nested",
                        "properties": {
                            "mode": "Incremental",
                            "expressionEvaluationOptions": {
                                "scope": draw(st.sampled_from(["inner", "outer", "x"]))
                            },
                            "template": copy.deepcopy({k: v for k, v in doc.items() if k != "resources"})
                            | {"resources": [copy.deepcopy(res)]},
                        },
                    }
                )
    return path, doc


@fuzz(40, 2_000)
@given(mutated_templates())
def test_template_pairs_exit_cleanly_and_deterministically(case: tuple[Path, Any]) -> None:
    original, doc = case
    with tempfile.TemporaryDirectory() as tmp:
        prop = Path(tmp, "azuredeploy.json")
        prop.write_text(json.dumps(doc, indent=1))
        argv = ["check", str(original), str(prop), "--format", "json"]
        rc, out, err = run_cli(argv)
        assert_clean_exit(rc, err)
        assert run_cli(argv) == (rc, out, err)


def test_template_with_parameters_section_of_wrong_type_is_an_input_error() -> None:
    """Minimal example found by the fuzzer: `"parameters": "x"` gives an internal error, not exit 2."""
    doc = json.loads(TEMPLATES[0].read_text(encoding="utf-8-sig"))
    doc["parameters"] = "[parameters('missing')]"
    with tempfile.TemporaryDirectory() as tmp:
        prop = Path(tmp, "azuredeploy.json")
        prop.write_text(json.dumps(doc))
        rc, _, err = run_cli(["check", str(TEMPLATES[0]), str(prop)])
    assert_clean_exit(rc, err)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.parent.name)
def test_template_compared_with_itself_has_no_finding(path: Path) -> None:
    rc, out, err = run_cli(["check", str(path), str(path), "--format", "json"])
    assert rc == 0, err
    assert all(r["findings"] == [] for r in json.loads(out)["results"])


# ------------------------------------------------------------------------------------- expressions


def _expression_scope() -> Any:
    from vmss_lint.arm.expressions.api import EvalScope

    return EvalScope(
        parameters={"name": "web", "count": 3, "obj": {"a": [1, 2], "B": "x"}, "pw": "hunter2"},
        parameter_defaults={"location": "[resourceGroup().location]"},
        declared_parameters={"name", "count", "obj", "pw", "location", "unset"},
        variables={"v": "[concat(parameters('name'), '-x')]", "live": "[reference('r').id]"},
        secret_parameters={"pw"},
        copy_index={None: 1, "disks": 0},
    )


def _function_names() -> list[str]:
    from vmss_lint.arm.expressions import evaluate as expr_eval

    return [*sorted(expr_eval.known_function_names()), "listKeys", "reference", "madeUp", "ns.fn"]


_EXPR_ATOMS = st.sampled_from(
    [
        "1",
        "-1",
        "0",
        "'a'",
        "''",
        "'It''s'",
        "true()",
        "null()",
        "parameters('name')",
        "parameters('obj')",
        "parameters('unset')",
        "variables('v')",
        "variables('live')",
        "createArray(1, 'b', null())",
        "createObject('k', 1)",
        "json('[1,{\"x\":2}]')",
        "copyIndex()",
        "copyIndex('disks', 2)",
        "resourceGroup()",
        "deployment()",
        "'2020-01-01T00:00:00Z'",
        "9223372036854775807",
    ]
) | st.integers(-(2**64), 2**64).map(str)


def _expressions(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _EXPR_ATOMS
    inner = _expressions(depth - 1)
    call = st.tuples(st.sampled_from(_function_names()), st.lists(inner, max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"
    )
    access = st.tuples(inner, st.sampled_from([".a", ".B", "[0]", "[1]", "['a']", ".id", "[-1]"])).map(
        "".join
    )
    return st.one_of(inner, call, access)


@fuzz(800, 15_000)
@given(_expressions(3))
def test_expressions_evaluate_or_raise_input_error_deterministically(body: str) -> None:
    from vmss_lint.arm.expressions.api import evaluate

    text = f"[{body}]"
    try:
        first = evaluate(text, _expression_scope())
    except InputError as exc:
        with pytest.raises(InputError) as again:
            evaluate(text, _expression_scope())
        assert str(again.value) == str(exc)
        return
    if "newGuid" in body or "utcNow" in body:
        return
    assert repr(evaluate(text, _expression_scope())) == repr(first)


def test_long_profile_is_at_least_100k_examples() -> None:
    """The opt-in run must stay a real fuzz run: the per-test budgets above add up to 100,000+."""
    assert sum(LONG_BUDGETS) >= 100_000, LONG_BUDGETS


# ------------------------------------------------- minimal examples from the long run (Unicode digits)


def test_superscript_digit_is_text_not_a_number() -> None:
    """'²'.isdigit() is True but int('²') fails: the comparison crashed on such a value."""
    doc = copy.deepcopy(BASE_REST)
    doc["sku"]["capacity"] = "¹"
    model = model_from(parse_text(dumps(doc), "p.json"))
    assert compare(model, model) == []
    assert findings_of(BASE_MODEL, model) == findings_of(BASE_MODEL, model)


def test_format_precision_with_a_unicode_digit_is_an_input_error() -> None:
    from vmss_lint.arm.expressions.api import evaluate

    with contextlib.suppress(InputError):
        evaluate("[format('{0:D²}', 5)]", _expression_scope())


def test_instance_id_with_a_unicode_digit_exits_cleanly(tmp_path: Path) -> None:
    instances = tmp_path / "instances.json"
    instances.write_text(json.dumps([{"instanceId": "²", "name": "web_²", "latestModelApplied": True}]))
    proposed = tmp_path / "proposed.json"
    doc = copy.deepcopy(BASE_REST)
    doc["sku"]["name"] = "Standard_D4s_v5"
    proposed.write_text(json.dumps(doc))
    rc, _, err = run_cli(["check", str(WEB_REST), str(proposed), "--instances", str(instances)])
    assert_clean_exit(rc, err)


def test_patch_adding_a_key_written_with_a_unicode_digit() -> None:
    ops = [{"op": "add", "path": "/tags/²", "value": "x"}, {"op": "add", "path": "/sku/¹", "value": 1}]
    proposed = apply_patch(BASE_FILE, ops, "patch.json")
    assert lint_json(BASE_MODEL, proposed)


def test_a_lun_of_true_pairs_and_compares_like_lun_1() -> None:
    """ARM coerces "TRUE" to true and true equals 1: keys must pair the way values compare. The long
    run found the fuzz harness calling disks "TRUE" and 1 distinct keys, and then a product change that
    told them apart disagreeing with the equal-subtree shortcut (an equal list, paired differently)."""
    doc = copy.deepcopy(BASE_REST)
    disks = doc["properties"]["virtualMachineProfile"]["storageProfile"]["dataDisks"]
    disks[1]["lun"] = True  # base: lun 1
    plain = model_from(parse_text(dumps(doc), "p.json"))
    shuffled = copy.deepcopy(doc)
    shuffled["properties"]["virtualMachineProfile"]["storageProfile"]["dataDisks"].reverse()
    reordered = model_from(parse_text(dumps(shuffled), "p.json"))
    assert compare(BASE_MODEL, plain) == compare(BASE_MODEL, reordered) == []
    disks[0]["lun"], disks[1]["lun"] = "TRUE", 1
    assert keyed_items_ambiguous(doc)  # one key twice: such elements pair by position


def test_an_extension_handler_type_with_a_slash_survives_the_az_shape() -> None:
    """A flattened `type` with a slash reads as the extension resource's read-only type; the az shape
    writes such a handler type as `typePropertiesType` (found by the long run)."""
    doc = copy.deepcopy(BASE_REST)
    ext = doc["properties"]["virtualMachineProfile"]["extensionProfile"]["extensions"][0]
    ext["properties"]["type"] = "/subscriptions/x/providers/Odd/type"
    rest = model_from(parse_text(dumps(doc), "rest.json"))
    az = model_from(parse_text(dumps(to_az_shape(rest.doc)), "az.json"))
    assert az.shape == "az" and compare(rest, az) == compare(az, rest) == []


@pytest.mark.parametrize(
    "text",
    [
        "[dateTimeFromEpoch(9223372036854775807)]",
        "[dateTimeAdd('2026-01-01T00:00:00Z', 'P999999999D')]",
        "[dateTimeAdd('9999-12-31T00:00:00Z', 'P2D')]",
    ],
)
def test_date_arithmetic_out_of_range_is_an_input_error(text: str) -> None:
    """`dateTimeFromEpoch(9223372036854775807)` was an internal error (found by the long run)."""
    from vmss_lint.arm.expressions.api import evaluate

    with pytest.raises(InputError, match="out of range"):
        evaluate(text, _expression_scope())


# ---------------------------------------------------------------- every format valid for its consumer

_SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} is not JSON")


def assert_valid_output(fmt: str, out: str) -> None:
    """What each consumer needs: strict JSON (no NaN/Infinity), SARIF that validates against the 2.1.0
    schema, well-formed JUnit XML, and text any UTF-8 log can carry."""
    import xml.etree.ElementTree as ET

    import jsonschema

    out.encode("utf-8")  # a lone surrogate cannot be written to a UTF-8 log
    if fmt == "json":
        json.loads(out, parse_constant=_no_constant)
    elif fmt == "sarif":
        jsonschema.Draft4Validator(_SARIF_SCHEMA).validate(json.loads(out, parse_constant=_no_constant))
    elif fmt == "junit":
        ET.fromstring(out)


_NUMBER_EDGES = st.sampled_from(
    [
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "-Infinity",
        "1.7976931348623157e308",
        "4" * 400,
        "4" * 4000,
        "4" * 5000,
        "-0",
        "0.0",
        "9223372036854775808",
        "1e-400",
    ]
)
_STRING_EDGES = st.sampled_from(
    [
        '"\\ud800"',
        '"\\udfff x"',
        '"a\\ud83d"',
        '"\\ud83d\\ude00"',
        '"\\u0000"',
        '"\\u001b[31m"',
        '"\\n::error::x"',
    ]
)


@st.composite
def edge_models(draw: st.DrawFn) -> bytes:
    """The web model with numbers and strings at JSON's edges where rules and the plan read them."""
    doc = json.loads(WEB_REST.read_text(encoding="utf-8"))
    tokens: dict[str, str] = {}
    for i in range(draw(st.integers(1, 3))):
        marker = f"__EDGE_{i}__"
        tokens[json.dumps(marker)] = draw(_NUMBER_EDGES | _STRING_EDGES)
        target = draw(st.sampled_from(["capacity", "tag", "name", "sku", "batch"]))
        if target == "capacity":
            doc["sku"]["capacity"] = marker
        elif target == "tag":
            doc.setdefault("tags", {})[f"t{i}"] = marker
        elif target == "name":
            doc["name"] = marker
        elif target == "sku":
            doc["sku"]["name"] = marker
        else:
            doc.setdefault("properties", {})["upgradePolicy"] = {
                "mode": "Rolling",
                "rollingUpgradePolicy": {"maxBatchInstancePercent": marker},
            }
    text = json.dumps(doc, indent=1)
    for marker, token in tokens.items():
        text = text.replace(marker, token)
    return text.encode("utf-8")


@fuzz(60, 3_000)
@given(edge_models(), st.sampled_from(FORMATS))
def test_numbers_and_text_at_jsons_edges_in_every_format(data: bytes, fmt: str) -> None:
    """1e400, NaN, a 4,000-digit capacity, lone surrogates: an input error with a position, or a
    report its consumer can read; never an internal error or `Infinity` in JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        prop = Path(tmp, "proposed.json")
        prop.write_bytes(data)
        rc, out, err = run_cli(["check", str(WEB_REST), str(prop), "--format", fmt])
        assert_clean_exit(rc, err)
        if rc == 2:
            assert "line " in err, err  # the reader names where
        else:
            assert_valid_output(fmt, out)


@fuzz(60, 3_000)
@given(
    st.sampled_from(["sku.capacity", "tags.x", "sku.name"]),
    _NUMBER_EDGES | st.sampled_from(["\ud800", "a\udcff", "'x'", "[1e400]", '{"a": NaN}']),
    st.sampled_from(FORMATS),
)
def test_set_values_at_jsons_edges_in_every_format(path: str, value: str, fmt: str) -> None:
    command = f"az vmss update -g rg -n web --set {path}={shlex.quote(value)}"
    rc, out, err = run_cli(["check", str(WEB_REST), "--az-update", command, "--format", fmt])
    assert_clean_exit(rc, err)
    if rc != 2:
        assert_valid_output(fmt, out)


# ------------------------------------------------------------------------------------ work bombs
# Shape-aware generators for the bombs of issue 11. The limits are lowered for these tests so that a
# bomb past them ends in milliseconds (the default profile stays fast); the invariant is the same at
# any setting: a clean exit (findings or one line, exit 2) and the same output on a second run.

_SMALL_LIMITS = {
    "VMSS_LINT_EXPRESSION_MAX_STEPS": "20000",
    "VMSS_LINT_VALUE_MAX_ELEMENTS": "20000",
    "VMSS_LINT_VALUE_MAX_CHARS": "200000",
}


def _scale_set(**extra: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "type": "Microsoft.Compute/virtualMachineScaleSets",
        "apiVersion": "2024-07-01",
        "name": "web",
        "location": "westeurope",
        "sku": {"name": "Standard_D2s_v5", "capacity": 2},
        "properties": {"upgradePolicy": {"mode": "Manual"}},
    }
    res.update(extra)
    return res


def _template(*resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    return {"$schema": schema, "contentVersion": "1.0.0.0", **sections, "resources": list(resources)}


@st.composite
def nested_maps(draw: st.DrawFn) -> dict[str, Any]:
    depth = draw(st.integers(1, 4))
    body = draw(st.sampled_from(["lambdaVariables('x0')", "range(0, 1000)", "createArray(1, 2)", "'abc'"]))
    for level in range(depth):
        n = draw(st.sampled_from([1, 10, 100, 1000, 10000]))
        fn = draw(st.sampled_from(["map", "filter", "sort"])) if level else "map"
        if fn == "map":
            body = f"map(range(0, {n}), lambda('x{level}', {body}))"
        elif fn == "filter":
            body = f"filter(range(0, {n}), lambda('x{level}', equals(length(string({body})), 3)))"
        else:
            body = f"sort(range(0, {n}), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))"
    wrap = draw(st.sampled_from(["string(length({}))", "string({})", "{}"]))
    return _template(_scale_set(tags={"x": "[" + wrap.format(body) + "]"}))


@st.composite
def shared_references(draw: st.DrawFn) -> dict[str, Any]:
    """Variables that double through references to the previous one: by functions or by literal JSON."""
    levels = draw(st.integers(1, 40))
    style = draw(st.sampled_from(["createArray", "concat", "object", "array", "union", "string"]))
    variables: dict[str, Any] = {
        "v0": draw(st.sampled_from(["[range(0, 10)]", "abc", "[createObject('k', 1)]"]))
    }
    for i in range(1, levels + 1):
        prev = f"variables('v{i - 1}')"
        variables[f"v{i}"] = {
            "createArray": f"[createArray({prev}, {prev})]",
            "concat": f"[concat({prev}, {prev})]",
            "object": {"a": f"[{prev}]", "b": f"[{prev}]"},
            "array": [f"[{prev}]", f"[{prev}]", f"[{prev}]"],
            "union": f"[union(createObject('a{i}', {prev}), createObject('b{i}', {prev}))]",
            "string": f"[string(createArray({prev}, {prev}))]",
        }[style]
    use = draw(
        st.sampled_from(
            [
                "[variables('v{n}')]",
                "[string(variables('v{n}'))]",
                "[length(variables('v{n}'))]",
                "[equals(variables('v{n}'), variables('v{n}'))]",
            ]
        )
    )
    return _template(_scale_set(tags={"x": use.format(n=levels)}), variables=variables)


@st.composite
def copy_nesting(draw: st.DrawFn) -> dict[str, Any]:
    """Resource copies inside nested deployments inside copies, and property copies inside them."""
    inner_res = _scale_set(
        name="[concat('web', copyIndex())]", copy={"name": "sets", "count": draw(st.integers(0, 800))}
    )
    if draw(st.booleans()):
        inner_res["properties"]["virtualMachineProfile"] = {
            "storageProfile": {
                "copy": [
                    {
                        "name": "dataDisks",
                        "count": draw(st.integers(0, 64)),
                        "input": {"lun": "[copyIndex('dataDisks')]", "createOption": "Empty"},
                    }
                ]
            }
        }
    if draw(st.booleans()):
        inner_res["condition"] = False
    doc = _template(inner_res)
    for _ in range(draw(st.integers(0, 3))):
        doc = _template(
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "[concat('d', copyIndex())]",
                "copy": {"name": "c", "count": draw(st.integers(1, 800))},
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "template": doc,
                },
            }
        )
    return doc


@st.composite
def text_bombs(draw: st.DrawFn) -> dict[str, Any]:
    width = draw(st.integers(-(2**31), 2**31) | st.sampled_from([10**12, 10**40]))
    expression = draw(
        st.sampled_from(
            [
                "[format('{{0,{w}}}', 'a')]",
                "[format('{{0:D{w}}}', 1)]",
                "[format('" + "{{0,{w}}}" * 20 + "', 1)]",
                "[padLeft('a', {w}, 'b')]",
                "[replace(padLeft('', 16000, 'x'), 'x', padLeft('', 200, 'y'))]",
                "[join(range(0, 10000), padLeft('', 1000, '-'))]",
            ]
        )
    ).format(w=width)
    return _template(_scale_set(tags={"x": expression}))


@pytest.mark.parametrize(
    "bombs",
    [nested_maps(), shared_references(), copy_nesting(), text_bombs()],
    ids=["nested-maps", "shared-references", "copy-nesting", "text"],
)
def test_template_bombs_end_cleanly(
    bombs: st.SearchStrategy[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _SMALL_LIMITS.items():
        monkeypatch.setenv(name, value)

    @fuzz(15, 1_000)
    @given(bombs, st.sampled_from(FORMATS))
    def check(doc: dict[str, Any], fmt: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            base, prop = Path(tmp, "base.json"), Path(tmp, "proposed.json")
            base.write_text(json.dumps(_template(_scale_set())))
            prop.write_text(json.dumps(doc))
            argv = ["check", str(base), str(prop), "--format", fmt]
            rc, out, err = run_cli(argv)
            assert_clean_exit(rc, err)
            if rc == 2:
                assert err.count("\n") == 1, err
            else:
                assert_valid_output(fmt, out)
            assert run_cli(argv) == (rc, out, err)

    check()


@st.composite
def patch_copies(draw: st.DrawFn) -> list[dict[str, Any]]:
    """JSON Patch ops that copy a subtree into itself or next to itself, over and over."""
    ops: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 30))):
        source = draw(st.sampled_from(["/tags", "/properties", "/sku", ""]))
        kind = draw(st.sampled_from(["into", "beside", "add-big"]))
        if kind == "into":
            ops.append({"op": "copy", "from": source or "/tags", "path": f"{source or '/tags'}/c{i}"})
        elif kind == "beside":
            ops.append({"op": "copy", "from": "/tags", "path": f"/tags/c{i}"})
        else:
            ops.append({"op": "add", "path": f"/tags/b{i}", "value": "x" * draw(st.integers(0, 100_000))})
    return ops


@fuzz(20, 1_000)
@given(patch_copies())
def test_patch_copy_bombs_end_cleanly(ops: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        for name, value in _SMALL_LIMITS.items():
            mp.setenv(name, value)
        patch = Path(tmp, "patch.json")
        patch.write_text(json.dumps(ops))
        rc, out, err = run_cli(["check", str(WEB_REST), "--patch", str(patch), "--format", "json"])
        assert_clean_exit(rc, err)
        if rc != 2:
            assert_valid_output("json", out)


@fuzz(100, 5_000)
@given(
    st.lists(st.sampled_from(["**", "*", "a", "b"]), max_size=40),
    st.lists(st.sampled_from(["a", "b", "c"]), max_size=200),
)
def test_glob_matching_is_linear_and_agrees_with_the_recursive_definition(
    glob: list[str], parts: list[str]
) -> None:
    """The NFA matcher against the textbook recursion (memoized here, so the reference is fast too)."""

    from vmss_lint.engine.run import glob_match

    @functools.cache
    def reference(i: int, j: int) -> bool:
        if i == len(glob):
            return j == len(parts)
        if glob[i] == "**":
            return reference(i + 1, j) or (j < len(parts) and reference(i, j + 1))
        return j < len(parts) and glob[i] in ("*", parts[j]) and reference(i + 1, j + 1)

    assert glob_match(glob, parts) == reference(0, 0)
