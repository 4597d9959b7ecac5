"""Digests: the e-mails a user who chose a daily or weekly cadence gets instead of one per event.

A daily digest goes out at 08:00 in the user's time zone, a weekly one on Monday at 08:00;
it carries every item held for the user (in one tenant's deliveries) before that moment. The
digest is a delivery of its own, keyed by user, cadence and moment, so writing it twice (two
schedulers, a restart) writes one; its items count as sent when it is delivered.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from ipgov.db.base import utcnow

from .models import Delivery, DeliveryStatus, NotificationPreference
from .routing import send_after_commit

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["DIGEST_HOUR", "digest_moment", "write_due_digests"]

DIGEST_HOUR = time(8, 0)
MAX_ITEMS = 200
"""A digest lists at most 200 items; the rest wait for the next one."""


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone, UTC when it is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def digest_moment(cadence: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The latest moment a ``cadence`` digest was due at or before ``now`` (aware, UTC)."""
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), DIGEST_HOUR, tzinfo=tz)
    if moment > local:
        moment -= timedelta(days=1)
    if cadence == "weekly":
        moment -= timedelta(days=moment.weekday())
    return moment.astimezone(ZoneInfo("UTC"))


async def write_due_digests(platform: Platform, now: datetime | None = None) -> int:
    """Write (and send) every digest that is due; returns how many were new."""
    now = now or utcnow()
    async with platform.db.system_session("notifications: digests due") as session:
        held = (await session.execute(
            select(Delivery.id, Delivery.tenant_id, Delivery.user_id, Delivery.mode,
                   Delivery.locale, Delivery.requested_at)
            .where(Delivery.status == DeliveryStatus.PENDING)
            .order_by(Delivery.requested_at).limit(10_000))).all()
        users = {row.user_id for row in held}
        zones = dict((await session.execute(
            select(NotificationPreference.user_id, NotificationPreference.timezone).where(
                NotificationPreference.user_id.in_(users),
                NotificationPreference.channel == "email"))).all()) if users else {}
    batches: dict[tuple[str, str, str, datetime], list[tuple[str, str]]] = defaultdict(list)
    for row in held:
        moment = digest_moment(row.mode, now, zone(zones.get(row.user_id)))
        if row.requested_at < moment:
            batches[(row.tenant_id, row.user_id, row.mode, moment)].append((row.id, row.locale))
    written = 0
    for (tenant_id, user_id, cadence, moment), items in batches.items():
        written += await _write_digest(platform, tenant_id, user_id, cadence, moment, items)
    return written


async def _write_digest(platform: Platform, tenant_id: str, user_id: str, cadence: str,
                        moment: datetime, items: list[tuple[str, str]]) -> int:
    key = f"digest:{user_id}:{cadence}:{moment.isoformat()}"
    async with platform.tenant_session(tenant_id) as session:
        if (await session.execute(select(Delivery.id).where(
                Delivery.idempotency_key == key))).first() is not None:
            return 0
        first = items[:MAX_ITEMS]
        digest = Delivery(
            tenant_id=tenant_id, event_id=first[0][0], event_type="notification.digest",
            event_tenant_id=tenant_id, channel="email", user_id=user_id, locale=first[-1][1],
            mode=cadence, items=[item_id for item_id, _ in first], occurred_at=moment,
            requested_by="digest", idempotency_key=key, status=DeliveryStatus.QUEUED)
        session.add(digest)
        await session.flush()
        send_after_commit(platform, session, [digest])
    return 1
