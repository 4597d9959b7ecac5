"""data_governance: the publication area."""
