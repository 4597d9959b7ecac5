"""data_governance plugin."""
