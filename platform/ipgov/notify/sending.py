"""One attempt at a delivery: who it goes to (checked again now), what it says (rendered in
the recipient's language), and what the channel answered."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

from sqlalchemy import select

from ipgov.db.scope import TenantScope
from ipgov.events.catalog import EventType
from ipgov.events.record import event_type
from ipgov.identity.models import User

from .channels.base import Destination, Notice
from .channels.registry import build_channels
from .channels.render import render_notice
from .models import Delivery, NotificationDestination

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["Attempt", "attempt_delivery", "destination_of", "notices_of"]

log = logging.getLogger("ipgov.notify")

TEST_TYPE = EventType(
    name="notification.test", version=1, summary="A test message sent from the workspace",
    payload={"type": "object", "properties": {"requested_by": {"type": "string"}},
             "additionalProperties": False},
    titles={"en": "Test message from ipgov (sent by {requested_by})",
            "zh-CN": "来自 ipgov 的测试消息（发送人：{requested_by}）"},
    object_type="ipgov:notification")
"""What a test send says (not an event of the catalog: it is never recorded or routed)."""


def _type_of(platform: Platform, name: str) -> EventType:
    return TEST_TYPE if name == TEST_TYPE.name else event_type(platform, name)


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to (``detail`` carries no secret)."""

    delivered: bool = False
    retryable: bool = False
    skipped: bool = False
    deferred: bool = False
    status: str = ""
    detail: str = ""

    @classmethod
    def skip(cls, why: str) -> Attempt:
        """Not sent, and never will be: ``why``."""
        return cls(skipped=True, status="skipped", detail=why)

    @classmethod
    def rate_limited(cls) -> Attempt:
        """Not tried: the destination's per-minute budget is spent."""
        return cls(deferred=True, status="rate-limited",
                   detail="the destination's per-minute limit was reached; sent shortly")


async def attempt_delivery(platform: Platform, row: Delivery) -> Attempt:
    """Try the delivery once; never raises for what a channel or receiver does."""
    destination = await destination_of(platform, row)
    if isinstance(destination, Attempt):
        return destination
    notices = await notices_of(platform, row)
    channel = build_channels(platform.settings).get(row.channel)
    if channel is None:
        return Attempt.skip(f"no channel named {row.channel!r}")
    try:
        outcome = await channel.deliver(destination, notices, delivery_id=row.id,
                                        locale=row.locale)
    except Exception as exc:  # a channel bug must not lose the delivery: retry, say why
        log.warning("delivery %s: %s raised", row.id, row.channel, exc_info=True)
        return Attempt(retryable=True, status="error", detail=type(exc).__name__)
    return Attempt(delivered=outcome.delivered, retryable=outcome.retryable,
                   status=outcome.status, detail=outcome.detail)


async def destination_of(platform: Platform, row: Delivery) -> Destination | Attempt:
    """Where the row goes now, or why it no longer goes anywhere."""
    if row.user_id is not None:
        scope = TenantScope.system("notifications: the recipient")
        async with platform.db.read_session(scope) as session:
            user = await session.get(User, row.user_id)
        if user is None or not user.active:
            return Attempt.skip("the recipient's account is gone or disabled")
        object_type = event_type(platform, row.event_type).object_type \
            if row.mode == "immediate" else None
        if object_type and not platform.allowed(user.id, row.event_tenant_id, object_type,
                                                "read"):
            return Attempt.skip("the recipient may no longer read what this is about")
        return Destination.for_email(user.email, name=user.display_name)
    async with platform.read_session(row.tenant_id) as session:
        dest = await session.get(NotificationDestination, row.destination_id)
    if dest is None or not dest.enabled:
        return Attempt.skip("the destination was removed or disabled")
    return destination_from_row(dest)


def destination_from_row(dest: NotificationDestination) -> Destination:
    """The channel's view of a registered destination (secrets newest first)."""
    return Destination.from_registered(kind=dest.kind, target=dest.target, name=dest.name,
                                       secrets=[s["secret"] for s in dest.secrets])


async def notices_of(platform: Platform, row: Delivery) -> Sequence[Notice]:
    """The row rendered (a digest: each item it carries, oldest first)."""
    rows: Sequence[Delivery] = [row]
    if row.items:
        async with platform.read_session(row.tenant_id) as session:
            rows = (await session.execute(select(Delivery).where(
                Delivery.id.in_(row.items)).order_by(Delivery.occurred_at))).scalars().all()
        rows = [r for r in rows if r.user_id is None or platform.allowed(
            r.user_id, r.event_tenant_id, _type_of(platform, r.event_type).object_type, "read")]
    return [_notice(platform, item, row.locale) for item in rows]


def _notice(platform: Platform, row: Delivery, locale: str) -> Notice:
    tenant = platform.tenants.info(row.event_tenant_id)
    event = SimpleNamespace(id=row.event_id, type=row.event_type, tenant_id=row.event_tenant_id,
                            payload=row.payload, occurred_at=row.occurred_at,
                            severity=row.severity)
    return render_notice(event, _type_of(platform, row.event_type), locale=locale,
                         tenant_name=tenant.slug if tenant else row.event_tenant_id,
                         tenant_slug=tenant.slug if tenant else None,
                         base_url=platform.settings.public_url)



def render_for(platform: Platform, row: Delivery, locale: str) -> Notice:
    """One delivery (an inbox item) rendered in ``locale``."""
    return _notice(platform, row, locale)
