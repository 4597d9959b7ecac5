"""Every channel by kind, configured from the settings (SMTP server, outbound policy).

The delivery worker calls ``build_channels(platform.settings)[kind].deliver(...)``: channels
hold only their configuration, so building them per delivery is cheap and follows settings a
test or an operator replaced.
"""

from __future__ import annotations

from ipgov.identity.mail import Mailer
from ipgov.settings import Settings

from .base import KINDS, Channel
from .email import EmailChannel
from .outbound import OutboundPolicy
from .robots import DingTalkRobot, FeishuRobot, WeComRobot
from .webhook import WebhookChannel

__all__ = ["build_channels"]


def build_channels(settings: Settings) -> dict[str, Channel]:
    """A channel for each of ``KINDS``, configured from ``settings``."""
    policy = OutboundPolicy.from_settings(settings)
    channels: dict[str, Channel] = {
        "email": EmailChannel(Mailer.from_settings(settings)),
        "webhook": WebhookChannel(policy),
        "wecom": WeComRobot(policy),
        "dingtalk": DingTalkRobot(policy),
        "feishu": FeishuRobot(policy),
    }
    assert tuple(channels) == KINDS
    return channels
