"""Channels that carry notifications out of ipgov: e-mail, signed webhooks, WeCom, DingTalk
and Feishu robots, and the calendar feed.

``render_notice`` turns an event into a ``Notice`` in the reader's language;
``build_channels(settings)[kind].deliver(destination, notices, delivery_id=, locale=)`` sends
one notice (immediate) or several (a digest) and answers an ``Outcome``;
``validate_destination`` checks what a tenant admin registers; ``render_calendar`` writes a
person's ``.ics`` feed. Outbound requests go through the SSRF guard in ``outbound``.
"""

from __future__ import annotations

from .base import KINDS, Channel, Destination, Notice, Outcome, validate_destination
from .calendar import render_calendar
from .registry import build_channels
from .render import render_notice
from .webhook import new_webhook_secret

__all__ = [
    "KINDS",
    "Channel",
    "Destination",
    "Notice",
    "Outcome",
    "build_channels",
    "new_webhook_secret",
    "render_calendar",
    "render_notice",
    "validate_destination",
]
