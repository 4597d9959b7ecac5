"""Channels that carry notifications out of ipgov."""
