"""GraphQL of data_governance: one module per area, types in ``types``."""
