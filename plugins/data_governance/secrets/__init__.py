"""data_governance: the secrets area."""
