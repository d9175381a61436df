"""vmss-lint: tell, before the deploy, what Azure will reject in a scale-set change and what it costs the VMs."""

__version__ = "0.1.0"

# The JSON report's schema version: bump it (and note it in the README) whenever the
# contract that pipelines parse changes shape.
SCHEMA_VERSION = "1.0"
