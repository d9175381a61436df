"""The vocabulary every stage shares: errors, limits, records, findings, the canonical scale-set model."""
