"""Records behave like frozen, keyword-only dataclasses, and dump to camelCase JSON."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from vmss_lint.core.findings import Finding, FindingLocation, Impact, Severity
from vmss_lint.core.records import (
    MISSING,
    FrozenRecordError,
    Record,
    field,
    record_fields,
    record_keys,
    replace,
    to_json,
)


class Step(Record):
    action: str
    instance_ids: list[str] = field(default_factory=list)
    batches: int | None = None
    KIND: ClassVar[str] = "step"  # not a field


class NamedStep(Step):
    name: str = "n"


def test_fields_defaults_and_factories() -> None:
    a, b = Step(action="deploy"), Step(action="deploy")
    assert a.instance_ids == [] and a.instance_ids is not b.instance_ids  # one list per record
    assert a.batches is None and Step.KIND == "step"
    assert [spec[0] for spec in NamedStep._fields] == ["action", "instance_ids", "batches", "name"]


def test_frozen_equal_hashable_and_readable() -> None:
    loc = FindingLocation(file="a.json", line=3, column=7)
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'line'"):
        loc.line = 4  # type: ignore[misc]
    with pytest.raises(AttributeError):  # what code written for frozen dataclasses catches
        del loc.file
    assert (
        loc
        == FindingLocation(file="a.json", line=3, column=7)
        != FindingLocation(file="a.json", line=4, column=7)
    )
    assert loc != ("a.json", 3, 7) and hash(loc) == hash(FindingLocation(file="a.json", line=3, column=7))
    assert repr(loc) == "FindingLocation(file='a.json', line=3, column=7, value_from=None, value_at=None)"


def test_constructor_errors_name_the_field() -> None:
    with pytest.raises(TypeError, match="missing required keyword argument: 'action'"):
        Step()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        Step(action="x", nope=1)  # type: ignore[call-arg]


def test_replace_copies_and_checks_names() -> None:
    step = Step(action="deploy", instance_ids=["0"])
    other = replace(step, batches=2)
    assert (other.action, other.instance_ids, other.batches, step.batches) == ("deploy", ["0"], 2, None)
    with pytest.raises(TypeError, match="no field 'batch'"):
        replace(step, batch=2)


def test_copy_and_pickle_round_trip() -> None:
    finding = Finding(
        rule="VMSS101",
        name="zone-removed",
        severity=Severity.ERROR,
        impact=Impact.RECREATE,
        pointer="/zones",
        message="m",
        location=FindingLocation(file="p.json", line=1, column=1, value_from="zones"),
    )
    assert copy.deepcopy(finding) == finding == pickle.loads(pickle.dumps(finding))


def test_dump_is_camel_case_in_declaration_order_with_nulls_kept() -> None:
    dumped = to_json(NamedStep(action="deploy", instance_ids=["1"]))
    assert list(dumped) == ["action", "instanceIds", "batches", "name"]
    assert dumped == {"action": "deploy", "instanceIds": ["1"], "batches": None, "name": "n"}


class Window(Record):
    """Checks itself after `__init__`, as the engine's rule specs do, and derives an attribute."""

    start: int
    end: int = 10
    note: str = field(default="", compare=False)
    checked: ClassVar[list[int]] = []

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        Window.checked.append(self.start)
        object.__setattr__(self, "width", self.end - self.start)


class Shifted(Window):
    start: int = 0  # a redeclared field keeps its place and takes the new default


def test_post_init_runs_after_the_fields_are_filled() -> None:
    Window.checked.clear()
    window = Window(start=2)
    assert (window.end, window.width, Window.checked) == (10, 8, [2])  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="end 1 is before start 2"):
        Window(start=2, end=1)
    assert Shifted().width == 10  # type: ignore[attr-defined]  # inherited __post_init__
    assert [f.name for f in record_fields(Shifted)] == ["start", "end", "note"]


def test_replace_runs_post_init_again_where_there_is_one() -> None:
    window = Window(start=2)
    wider = replace(window, end=20)
    assert (wider.width, window.width) == (18, 8)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="end 1 is before start 2"):
        replace(window, end=1)


def test_uncompared_fields_are_left_out_of_eq_and_hash() -> None:
    a, b = Window(start=1, note="a"), Window(start=1, note="b")
    assert a == b and hash(a) == hash(b) and a != Window(start=2)
    assert repr(a) == "Window(start=1, end=10, note='a')"  # shown, though not compared
    assert Window(start=1) != Shifted(start=1)  # another class is never equal


def test_record_fields_report_defaults_and_factories() -> None:
    described = [(f.name, f.default, f.default_factory, f.compare) for f in record_fields(Step)]
    assert described == [
        ("action", MISSING, MISSING, True),
        ("instance_ids", MISSING, list, True),
        ("batches", None, MISSING, True),
    ]
    assert [f.compare for f in record_fields(Window)] == [True, True, False]
    assert repr(MISSING) == "MISSING" and pickle.loads(pickle.dumps(MISSING)) is MISSING


def test_declaration_mistakes_are_refused() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        class Bad(Record):
            ids: list[str] = []  # noqa: RUF012  # the mistake under test

    with pytest.raises(TypeError, match=r"with records\.field"):

        class Mixed(Record):
            ids: list[str] = dataclasses.field(default_factory=list)

    with pytest.raises(ValueError, match="both a default and a default_factory"):
        field(default=[], default_factory=list)  # type: ignore[call-overload]


def test_evaluated_annotations_detect_class_variables() -> None:
    """Without `from __future__ import annotations` the annotations are typing objects, not strings."""
    source = (
        "import typing\n"
        "from typing import ClassVar\n"
        "class Live(Record):\n"
        "    name: str\n"
        "    size: int = 1\n"
        "    KIND: ClassVar[str] = 'k'\n"
        "    OTHER: typing.ClassVar[int] = 2\n"
        "    BARE: ClassVar = 3\n"
    )
    namespace: dict[str, Any] = {"Record": Record}
    exec(compile(source, "<evaluated>", "exec", dont_inherit=True), namespace)
    live = namespace["Live"]
    assert isinstance(live.__dict__["__annotations__"]["name"], type)  # noqa: RUF063  # really evaluated
    assert [f.name for f in record_fields(live)] == ["name", "size"]
    assert to_json(live(name="x")) == {"name": "x", "size": 1}


def test_dataclasses_still_dump() -> None:
    @dataclass(frozen=True)
    class Legacy:
        instance_id: str

    assert record_keys(Legacy("0")) == (("instance_id", "instanceId"),)
    assert to_json([Legacy("0")]) == [{"instanceId": "0"}]
    assert record_keys(object()) is None


def test_importing_records_imports_neither_dataclasses_nor_inspect() -> None:
    probe = "import sys, vmss_lint.core.records; print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


class Span(Record, kw_only=False):
    """Taken positionally as well, like `Change` and `Hit`."""

    start: int
    end: int = 0


class Tally(Record, frozen=False):
    """Assignable, like `ScaleSetModel`."""

    seen: list[str] = field(default_factory=list)
    count: int = 0


def test_positional_fields_bind_in_declaration_order() -> None:
    assert Span(1, 2) == Span(start=1, end=2) == Span(1, end=2)
    assert Span(1).end == 0
    with pytest.raises(TypeError, match=r"takes 2 positional arguments but 3 were given"):
        Span(1, 2, 3)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'start'"):
        Span(1, start=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="keyword arguments only"):
        Step("deploy")  # type: ignore[call-arg]
    with pytest.raises(FrozenRecordError):
        Span(1).start = 2  # type: ignore[misc]


def test_a_mutable_record_can_be_assigned_and_is_not_hashable() -> None:
    tally = Tally()
    tally.count += 1
    tally.seen.append("a")
    assert tally == Tally(seen=["a"], count=1)
    del tally.count
    assert "count" not in vars(tally)
    with pytest.raises(TypeError, match="unhashable"):
        hash(Tally())
    assert replace(Tally(count=2), seen=["b"]) == Tally(seen=["b"], count=2)
