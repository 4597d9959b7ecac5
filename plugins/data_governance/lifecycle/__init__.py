"""data_governance: the lifecycle area."""
