"""data_governance: the mapping area."""
