"""ip_governance plugin."""
