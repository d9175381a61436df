"""Every rule's `[example]` is executable documentation: it must fire, and its `fixed` form must not.

`vmss-lint explain` prints these examples, so an example that no longer triggers its rule would teach
users something false. The models are used as written (canonical REST shape, nothing specified beyond
the example), exactly as a hook sees them.
"""

from __future__ import annotations

from typing import Any

import pytest

from vmss_lint.core import apiversion
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.engine.packs import load_rules
from vmss_lint.engine.run import run
from vmss_lint.engine.spec import LoadedRule

RULES = [r for r in load_rules() if r.spec.example is not None and not r.spec.meta]


def _fired(rule: LoadedRule, current: dict[str, Any], proposed: dict[str, Any]) -> list[str]:
    assert rule.spec.example is not None
    api = apiversion.choose(rule.spec.example.api_version, None)
    findings = run(
        [rule],
        ScaleSetModel(doc=current, source="example.current", shape="rest"),
        ScaleSetModel(doc=proposed, source="example.proposed", shape="rest"),
        api,
    )
    return [f.rule for f in findings]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.spec.id)
def test_example_fires(rule: LoadedRule) -> None:
    example = rule.spec.example
    assert example is not None
    assert rule.spec.id in _fired(rule, example.current, example.proposed)


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.spec.example and r.spec.example.fixed is not None], ids=lambda r: r.spec.id
)
def test_fixed_example_is_silent(rule: LoadedRule) -> None:
    example = rule.spec.example
    assert example is not None and example.fixed is not None
    assert rule.spec.id not in _fired(rule, example.current, example.fixed)
