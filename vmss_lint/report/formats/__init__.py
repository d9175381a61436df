"""Output formats. Each module renders a `Report`; heavy ones are imported only when chosen."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from vmss_lint.report.document import Report

FORMATS = ("text", "json", "sarif", "github", "junit", "azure-pipelines")


def renderer(name: str) -> Callable[..., str]:
    """The `render(report, **kw) -> str` of a format, imported on demand to keep start-up light."""
    module = import_module(f"vmss_lint.report.formats.{name.replace('-', '_')}")
    render: Callable[..., str] = module.render
    return render


__all__ = ["FORMATS", "Report", "renderer"]
