"""The report every output format renders, the formats, and writing it to a file."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vmss_lint.report.document import Report


def dumps(report: Report) -> str:
    """The report's JSON text, byte for byte what `--format json` prints (the public contract)."""
    from vmss_lint.report.formats import renderer

    return renderer("json")(report)
