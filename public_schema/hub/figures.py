"""The hub's figure layer: the only hub module that reads the tenant apps.

The definitions themselves live in tenant_schema.figures, so that each park's own
dashboard counts exactly what the hub counts without importing the hub (tenant apps may
not; see the import-linter contracts in pyproject.toml). The hub's modules keep reading
them from here, as `from . import figures as f`.
"""

from tenant_schema.figures import *  # noqa: F403  (the definitions, re-exported for the hub)
