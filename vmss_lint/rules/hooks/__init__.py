"""Python hooks of the built-in rules: only what a TOML match cannot say."""
