"""Records behave like frozen, keyword-only dataclasses, and dump to camelCase JSON."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, field
from typing import ClassVar

import pytest

from vmss_lint.core.findings import Finding, FindingLocation, Impact, Severity
from vmss_lint.core.records import Record, replace, to_json


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
    with pytest.raises(FrozenInstanceError):
        loc.line = 4  # type: ignore[misc]
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
