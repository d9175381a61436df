"""vmss-lint: tell, before the deploy, what Azure will reject in a scale-set change and what it costs the VMs.

The Python API (docs/api.md) is `vmss_lint.check(current, proposed, **options) -> Report` and
`vmss_lint.dumps(report)` (the `--format json` text). They are loaded on first use (module
`__getattr__`): `import vmss_lint` stays as light as the command's start-up needs.
"""

from typing import TYPE_CHECKING, Any

from vmss_lint.core.version import SCHEMA_VERSION, __version__

if TYPE_CHECKING:
    from vmss_lint.api import check
    from vmss_lint.core.errors import InputError
    from vmss_lint.report import dumps
    from vmss_lint.report.document import Report

__all__ = ["SCHEMA_VERSION", "InputError", "Report", "__version__", "check", "dumps"]

_LAZY = {
    "check": ("vmss_lint.api", "check"),
    "dumps": ("vmss_lint.report", "dumps"),
    "Report": ("vmss_lint.report.document", "Report"),
    "InputError": ("vmss_lint.core.errors", "InputError"),
}


def __getattr__(name: str) -> Any:
    """The API, imported when first named."""
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'vmss_lint' has no attribute '{name}'")
    from importlib import import_module

    value = getattr(import_module(target[0]), target[1])
    globals()[name] = value
    return value
