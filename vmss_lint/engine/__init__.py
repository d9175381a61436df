"""The rule engine: rule specs, packs and their index, matching and running, suppressions."""
