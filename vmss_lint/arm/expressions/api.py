"""Offline evaluation of ARM template expressions: the public API.

vmss-lint compares two versions of a template, so evaluation must be deterministic and total: what
cannot be known offline (live state, randomness, missing parameter values) becomes an explicit
`Unknown` that propagates instead of failing, while genuine template mistakes (syntax errors, wrong
argument counts or types) raise `ExpressionError`, an `InputError`. Nothing here executes code or
touches the network. What the deployment-context functions return offline is documented in `vmss_lint.arm.expressions.context`.

Choices where ARM is undocumented or we cannot match it exactly:
* `equals` compares strings case-sensitively (PSRule, and Bicep's `==` compiles to it);
  `startsWith`/`endsWith`/`indexOf`/`lastIndexOf` on strings ignore case (ARM docs).
* A missing property on an object is an error, as in ARM; property names match case-insensitively.
* `uniqueString` and `guid` follow public re-implementations of ARM's algorithms (see tests).

This module is the import path callers use; the scope is in `scope.py`, resolving in `resolve.py`, the
language (tokens, parser, value types) in `parse.py`, the evaluator in `evaluate.py`.
"""

from __future__ import annotations

from typing import Any, cast

from vmss_lint.arm.expressions.parse import (
    MAX_EXPRESSION_DEPTH,
    MAX_EXPRESSION_LENGTH,
    ExpressionError,
    Unknown,
    Value,
    is_expression,
    parse_expression,
    unescape_literal,
)
from vmss_lint.arm.expressions.resolve import charge_copy, evaluate, resolve
from vmss_lint.arm.expressions.scope import EvalScope
from vmss_lint.arm.expressions.secrets import references_secret
from vmss_lint.arm.json_values import JsonValue
from vmss_lint.core.limits import COPY_COUNT

__all__ = [
    "MAX_COPY_COUNT",
    "MAX_EXPRESSION_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "EvalScope",
    "ExpressionError",
    "Unknown",
    "Value",
    "charge_copy",
    "evaluate",
    "is_expression",
    "parse_expression",
    "references_secret",
    "resolve",
    "unescape_literal",
    "unknowns_as_text",
]

MAX_COPY_COUNT = COPY_COUNT.default
"""ARM's limit on `count` in a copy loop (the default; `vmss_lint.core.limits` has the override)."""


def unknowns_as_text(value: Any) -> JsonValue:
    """A JSON-serialisable copy with each Unknown replaced by `<unknown: reason>` (for messages/reports).

    `json.dumps` cannot encode `Unknown`; use this wherever a resolved value is shown to a user.
    """
    if isinstance(value, Unknown):
        return f"<unknown: {value.reason}>"
    if isinstance(value, dict):
        return {k: unknowns_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unknowns_as_text(v) for v in value]
    return cast(JsonValue, value)
