"""Edits of the current model: RFC 6902 JSON Patch and a planned `az vmss update`."""
