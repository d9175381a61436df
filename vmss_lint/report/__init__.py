"""The report every output format renders, the formats, and writing it to a file."""
