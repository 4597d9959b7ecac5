"""data_governance: the catalog area."""
