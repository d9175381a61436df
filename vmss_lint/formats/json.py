"""`--format json`: the report's dump, stable key order, the public contract."""

from __future__ import annotations

import json
from typing import Any

from vmss_lint.report import Report


def render(report: Report, **_: Any) -> str:
    return json.dumps(report.dump(), indent=2, ensure_ascii=False) + "\n"
