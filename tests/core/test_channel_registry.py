"""The registry gives a channel for every kind, configured from the settings it is built with:
the outbound policy of those settings decides whether a local receiver can be reached."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from ipgov.notify.channels import (
    KINDS,
    Destination,
    Notice,
    build_channels,
    new_webhook_secret,
)
from ipgov.settings import Settings
from tests.core.channel_support import LOCAL, receiver

NOTICE = Notice(event_id="e-1", type="tenant.onboarded", tenant_id="t-1", tenant_name="acme",
                occurred_at=datetime(2026, 11, 3, tzinfo=UTC), severity=None,
                title="Tenant onboarded: acme", lines=[], link="", payload={"tenant_id": "t-1"})


def test_every_kind_has_its_channel():
    channels = build_channels(Settings())
    assert tuple(channels) == KINDS
    assert all(channel.kind == kind for kind, channel in channels.items())


async def test_the_settings_built_with_decide_what_is_reachable():
    destination = Destination.from_registered(kind="webhook", target="",
                                              secrets=[new_webhook_secret()])
    with receiver() as hook:
        destination = dataclasses.replace(destination, target=hook.url())
        refused = await build_channels(Settings(notify_allow_http=True))["webhook"].deliver(
            destination, [NOTICE], delivery_id="d-1", locale="en")
        sent = await build_channels(LOCAL)["webhook"].deliver(
            destination, [NOTICE], delivery_id="d-1", locale="en")
    assert (refused.delivered, refused.status) == (False, "private_address")
    assert sent.delivered and json.loads(hook.requests[0].body)["type"] == "tenant.onboarded"
    assert len(hook.requests) == 1
