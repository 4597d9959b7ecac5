"""A person's calendar feed (.ics, RFC 5545) of deadlines and due dates, with ``icalendar``.

A day (a deadline, a due date) is an all-day event (``VALUE=DATE``); a moment is a timed event
in the reader's time zone, with its ``VTIMEZONE``, so calendars show it at the right hour across
summer-time changes. UIDs come from the entries' own stable ids: a calendar that polls the feed
updates an event instead of adding a copy. The number of events is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from .texts import text

__all__ = ["MAX_ENTRIES", "CalendarItem", "render_calendar"]

MAX_ENTRIES = 2000
UNSAFE_UID = re.compile(r"[^A-Za-z0-9._:-]")


class CalendarItem(Protocol):
    """What the feed reads of an entry (``ipgov.plugins.contracts.CalendarEntry``): ``on`` is
    a date (all day) or an aware datetime; ``path`` a workspace path or an absolute URL."""

    @property
    def uid(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def on(self) -> date: ...
    @property
    def description(self) -> str: ...
    @property
    def path(self) -> str: ...


def _zone(tz: tzinfo | str | None) -> tzinfo | None:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _day(entry: CalendarItem) -> date:
    return entry.on.date() if isinstance(entry.on, datetime) else entry.on


def _when(on: date, zone: tzinfo | None) -> date | datetime:
    """A day as it is; a moment in ``zone`` (a naive one is read as in ``zone``, else UTC)."""
    if not isinstance(on, datetime):
        return on
    if on.tzinfo is None:
        return on.replace(tzinfo=zone or UTC)
    return on.astimezone(zone) if zone else on


def _url(path: str, base_url: str) -> str:
    if path.startswith(("https://", "http://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/") if base_url and path else ""


def _event(entry: CalendarItem, *, locale: str, zone: tzinfo | None, base_url: str,
           stamp: datetime) -> Event:
    start = _when(entry.on, zone)
    event = Event()
    event.add("uid", UNSAFE_UID.sub("-", entry.uid)[:200] + "@ipgov")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    if not isinstance(start, datetime):
        event.add("dtend", start + timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # a deadline day does not make the reader busy
    event.add("summary", entry.title[:500], parameters={"LANGUAGE": locale})
    url = _url(entry.path, base_url)
    lines = [entry.description[:2000]] if entry.description else []
    if url:
        event.add("url", url)
        lines.append(f"{text('open', locale)}: {url}")
    if lines:
        event.add("description", "\n".join(lines), parameters={"LANGUAGE": locale})
    return event


def render_calendar(entries: Iterable[CalendarItem], *, name: str, locale: str,
                    tz: tzinfo | str | None = None, base_url: str = "",
                    stamp: datetime | None = None) -> bytes:
    """The feed of ``entries`` (the first ``MAX_ENTRIES`` by date) named ``name``, its texts
    in ``locale``, timed entries in ``tz``; links under ``base_url``; ``stamp`` is DTSTAMP
    (now by default)."""
    loc = "zh-CN" if locale.lower().startswith("zh") else "en"
    zone = _zone(tz)
    calendar = Calendar()
    calendar.add("prodid", "-//ipgov//notifications//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    if zone is not None:
        calendar.add("x-wr-timezone", str(zone))
    kept = sorted(entries, key=lambda e: (_day(e), e.uid))[:MAX_ENTRIES]
    now = stamp or datetime.now(UTC)
    for entry in kept:
        calendar.add_component(_event(entry, locale=loc, zone=zone, base_url=base_url,
                                      stamp=now))
    calendar.add_missing_timezones()
    return calendar.to_ical()
