"""The built-in vmss-lint rule pack: one TOML file per rule, plus pure Python hooks where a declarative
path/old/new match cannot say it. Installed as the package `vmss_lint.rules` and registered through the
`vmss_lint.rules` entry point exactly like a third-party pack."""
