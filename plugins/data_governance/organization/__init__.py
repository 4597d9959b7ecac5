"""data_governance: the organization area."""
