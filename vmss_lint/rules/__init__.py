"""The built-in vmss-lint rule pack: one TOML file per rule (see docs/writing-rules.md), plus Python hooks
(`hooks/`) for the few rules the data format cannot say. Installed as the package `vmss_lint.rules` and
registered through the `vmss_lint.rules` entry point exactly like a third-party pack."""
