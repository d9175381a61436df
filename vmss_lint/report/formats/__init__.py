"""Output formats. Each module renders a `Report`; heavy ones are imported only when chosen.

Whatever the format, its text may be printed into a CI log, and the Azure Pipelines agent reads a logging
command (`##vso[...]`) anywhere in any line, also inside a JSON string or an XML attribute. So the text
of every format has each `##vso[` that is not one of our own commands written in a way its consumer
reads the same but the agent does not: `\\u005b` in JSON, `&#91;` in XML, a zero-width space in text.
GitHub only reads a workflow command at the start of a line, which input text cannot reach: JSON and XML
attributes escape newlines, and the other formats print input through `vmss_lint.core.escape.printable`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from vmss_lint.report.document import Report

FORMATS = ("text", "full", "json", "sarif", "github", "junit", "azure-pipelines")
_LOGGING_COMMAND = "##vso["
_DEFUSED = {
    "json": "##vso\\u005b",
    "sarif": "##vso\\u005b",
    "junit": "##vso&#91;",
    "text": "##vso\u200b[",
    "full": "##vso\u200b[",
    "github": "##vso\u200b[",
}


def renderer(name: str) -> Callable[..., str]:
    """The `render(report, **kw) -> str` of a format, imported on demand to keep start-up light."""
    module = import_module(f"vmss_lint.report.formats.{name.replace('-', '_')}")
    render: Callable[..., str] = module.render
    defused = _DEFUSED.get(name)
    if defused is None:  # azure-pipelines defuses its own text (its commands start with the marker)
        return render

    def safe(report: Report, **kwargs: Any) -> str:
        return render(report, **kwargs).replace(_LOGGING_COMMAND, defused)

    return safe


__all__ = ["FORMATS", "Report", "renderer"]
