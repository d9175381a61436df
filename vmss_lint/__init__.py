"""vmss-lint: tell, before the deploy, what Azure will reject in a scale-set change and what it costs the VMs."""

__version__ = "0.1.0"

# The JSON report's schema version: bump it (and note it in the README) whenever the
# contract that pipelines parse changes shape.
SCHEMA_VERSION = "1.0"


def _use_checkout_rules() -> None:
    """Let a source checkout import `vmss_lint.rules` like an installed copy does.

    Installed copies (wheel or editable) get the top-level `rules/` folder as `vmss_lint.rules` through
    pyproject's package-dir mapping. Code run from a checkout (`python -m vmss_lint`, `python -m pytest`
    in the repository) imports this folder directly, where that mapping does not exist; adding the
    checkout root to the package path makes `vmss_lint.rules` resolve to the same `rules/` folder.
    """
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    if os.path.isdir(os.path.join(here, "rules")):
        return
    if os.path.isfile(os.path.join(root, "rules", "__init__.py")) and os.path.isfile(
        os.path.join(root, "pyproject.toml")
    ):
        __path__.append(root)


_use_checkout_rules()
