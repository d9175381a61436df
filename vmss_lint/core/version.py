"""The tool's version and the JSON report's schema version, in a leaf module so that any stage can name
them without importing the `vmss_lint` package itself (whose lazy API would then close an import cycle)."""

__version__ = "0.1.0"

# The JSON report's schema version: bump it (and note it in the README) whenever the
# contract that pipelines parse changes shape.
SCHEMA_VERSION = "1.0"
