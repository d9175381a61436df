"""`python -m vmss_lint` is the same as the `vmss-lint` console script."""

from vmss_lint.cli import main

raise SystemExit(main())
