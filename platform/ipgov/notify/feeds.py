"""Calendar feeds: a user's secret ``.ics`` URL with the deadlines and directive due dates of
every tenant they act in (their memberships and, in a centralized or hybrid group, the
subsidiaries below them), each entry only when they may read what it is about.

Only the token's SHA-256 is stored; revoking the feed ends it at once. Entries come from the
core (open directives) and from plugins (hook ``calendar_entries``: ip_governance's asset
deadlines), from 30 days back to 400 days ahead, at most ``MAX_ENTRIES``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from ipgov.db.base import utcnow
from ipgov.errors import NotFound
from ipgov.i18n.negotiation import DEFAULT_LOCALE, normalize
from ipgov.identity.models import Membership, User
from ipgov.plugins.contracts import CalendarEntry
from ipgov.plugins.manager import call_and_await
from ipgov.reviews.models import Directive, DirectiveStatus

from .channels.calendar import render_calendar
from .digests import zone
from .models import CalendarFeed, NotificationPreference

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ipgov.runtime import Platform

__all__ = ["FEED_PATH", "MAX_ENTRIES", "IssuedFeed", "feed_for_token", "issue_feed",
           "revoke_feed"]

FEED_PATH = "/calendar"
MAX_ENTRIES = 2000
MAX_TENANTS = 500
PAST, AHEAD = timedelta(days=30), timedelta(days=400)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedFeed:
    """A new feed and its URL (shown once: only its hash is kept)."""

    feed: CalendarFeed
    url: str


async def issue_feed(platform: Platform, session: AsyncSession, *, user_id: str) -> IssuedFeed:
    """A new secret feed URL for the user (their earlier feeds keep working until revoked)."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user_id, token_hash=_hash(token))
    session.add(feed)
    await session.flush()
    base = platform.settings.public_url.rstrip("/")
    return IssuedFeed(feed, f"{base}{FEED_PATH}/{token}.ics")


async def revoke_feed(session: AsyncSession, *, user_id: str, feed_id: str) -> CalendarFeed:
    """End one of the user's feeds."""
    feed = await session.get(CalendarFeed, feed_id)
    if feed is None or feed.user_id != user_id:
        raise NotFound("no such calendar feed of yours", field="feedId")
    feed.revoked_at = feed.revoked_at or utcnow()
    return feed


async def feed_for_token(platform: Platform, token: str) -> bytes | None:
    """The calendar a live token opens, or None (unknown or revoked: the same answer)."""
    async with platform.db.system_session("calendar feed: the token's user") as session:
        feed = (await session.execute(select(CalendarFeed).where(
            CalendarFeed.token_hash == _hash(token)))).scalar_one_or_none()
        if feed is None or feed.revoked_at is not None:
            return None
        user = await session.get(User, feed.user_id)
        if user is None or not user.active:
            return None
        feed.last_used_at = utcnow()
        members_of = set((await session.execute(select(Membership.tenant_id).where(
            Membership.user_id == user.id))).scalars())
        pref = await session.get(NotificationPreference, (user.id, "email"))
    # every tenant the user acts in: a group's roles act in its subsidiaries (centralized,
    # hybrid), so a group IP director's feed holds the subsidiaries' deadlines too
    acts_in = platform.tenants_where(user.id, "ipgov:tenant", "read")
    tenants = sorted(members_of if acts_in is None else acts_in)[:MAX_TENANTS]
    locale = normalize(user.locale) or DEFAULT_LOCALE
    tz = zone(pref.timezone if pref else None)
    entries: list[CalendarEntry] = []
    today = utcnow().date()
    for tenant_id in tenants:
        entries += await _entries(platform, user.id, tenant_id, locale, today)
    entries.sort(key=lambda e: (e.on, e.uid))
    return render_calendar(entries[:MAX_ENTRIES], name="ipgov", locale=locale, tz=tz,
                           base_url=platform.settings.public_url)


async def _entries(platform: Platform, user_id: str, tenant_id: str, locale: str,
                   today: date) -> list[CalendarEntry]:
    """One tenant's entries the user may read."""
    start, end = today - PAST, today + AHEAD
    found: list[CalendarEntry] = []
    async with platform.read_session(tenant_id) as session:
        if platform.allowed(user_id, tenant_id, "ipgov:directive", "read"):
            found += await _directives(session, start, end)
        info = platform.tenants.info(tenant_id)
        hook = platform.registry.hook_for("calendar_entries",
                                          info.enabled_plugins if info else frozenset())
        for answer in await call_and_await(hook(session=session, tenant_id=tenant_id,
                                                locale=locale, start=start, end=end)):
            found += [e for e in answer or ()
                      if platform.allowed(user_id, tenant_id, e.object_type, "read")]
    slug = info.slug if info else tenant_id
    return [replace(e, title=f"[{slug}] {e.title}", path=f"/t/{slug}{e.path}") for e in found]


async def _directives(session: AsyncSession, start: date, end: date) -> list[CalendarEntry]:
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    rows = (await session.execute(select(Directive).where(
        Directive.status == DirectiveStatus.OPEN,
        Directive.due_at >= since, Directive.due_at < until)
        .order_by(Directive.due_at).limit(MAX_ENTRIES))).scalars().all()
    return [CalendarEntry(uid=f"ipgov.directive.{d.id}", title=d.action[:200],
                          on=d.due_at.date(), object_type="ipgov:directive",
                          description=f"{d.severity} · {d.function} · {d.domain}",
                          path=f"/directives/{d.id}")
            for d in rows]
