"""`--format full`: the text format with every detail (see `vmss_lint.report.formats.text`)."""

from __future__ import annotations

from typing import Any

from vmss_lint.report.document import Report
from vmss_lint.report.formats import text


def render(report: Report, **kwargs: Any) -> str:
    return text.render(report, **{**kwargs, "full": True})
