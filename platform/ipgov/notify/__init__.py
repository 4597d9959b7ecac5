"""Notifications: what the platform knows reaches the people who must act (issue 17)."""
