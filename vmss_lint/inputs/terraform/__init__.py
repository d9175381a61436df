"""Terraform plans (`terraform show -json`) as inputs: azurerm scale sets as pairs of canonical models.

Only the shape test lives here, so that telling a plan from a model imports nothing heavy (the start-up
test holds a model-pair check to that); `plan` and `mapping` are imported when a plan is met.
"""

from __future__ import annotations

from typing import Any


def is_terraform_plan(value: Any) -> bool:
    """`terraform show -json` of a plan: a `format_version` with `resource_changes` or `planned_values`."""
    return (
        isinstance(value, dict)
        and "format_version" in value
        and ("resource_changes" in value or "planned_values" in value or "terraform_version" in value)
    )
