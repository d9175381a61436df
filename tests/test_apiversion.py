"""--api-version is a Microsoft.Compute API version: a real date, optionally -preview (QA: 2024-13-45 was
accepted and the report said it judged by that version)."""

from __future__ import annotations

import pytest

from vmss_lint.core.apiversion import validate
from vmss_lint.core.errors import InputError


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "2024-00-10", "banana", "2024-1-01", ""])
def test_what_is_no_api_version_is_refused_in_one_line(value: str) -> None:
    with pytest.raises(InputError) as raised:
        validate(value)
    assert "is not an API version" in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "value", ["2024-11-01", "2026-03-01", "2024-02-29", "2017-03-30-preview", " 2023-09-01 "]
)
def test_api_versions_pass_as_written(value: str) -> None:
    assert validate(value) == value.strip()


def test_a_version_newer_than_any_known_says_how_it_is_judged() -> None:
    from vmss_lint.core.apiversion import NEWEST_DOCUMENTED, choose

    chosen = choose("2099-01-01", None)
    assert chosen.value == "2099-01-01" and chosen.origin == "option"
    assert chosen.detail is not None and f"newer than {NEWEST_DOCUMENTED}" in chosen.detail
    from_template = choose(None, "2099-01-01", "[variables('computeApiVersion')]")
    assert from_template.detail is not None
    assert from_template.detail.startswith("[variables('computeApiVersion')]; newer than")
    assert choose(NEWEST_DOCUMENTED, None).detail is None
    assert choose(None, "2024-07-01").detail is None
