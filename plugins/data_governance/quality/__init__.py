"""data_governance: the quality area."""
