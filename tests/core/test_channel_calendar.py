"""The .ics feed parses back with icalendar with the right dates and zones: all-day deadlines
as dates, moments in the reader's zone with its VTIMEZONE (Asia/Shanghai; Europe/Berlin across
the end of summer time), stable UIDs, DTSTAMP, texts in the reader's language, bounded size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from ipgov.notify.channels.calendar import MAX_ENTRIES, render_calendar


@dataclass(frozen=True)
class Entry:  # the shape of ipgov.plugins.contracts.CalendarEntry
    uid: str
    title: str
    on: date
    object_type: str = "ip_governance:deadline"
    description: str = ""
    path: str = ""


STAMP = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def events(ics: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(ics)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_a_deadline_is_an_all_day_event_with_a_stable_uid_and_chinese_texts():
    entry = Entry("ip_governance.deadline.a-1", "续展截止：CN2020123456", date(2026, 12, 31),
                  description="发明专利年费", path="/t/acme/assets/a-1")
    ics = render_calendar([entry], name="ipgov", locale="zh-CN",
                          base_url="https://ipgov.example.com", stamp=STAMP)
    assert ics == render_calendar([entry], name="ipgov", locale="zh-CN",
                                  base_url="https://ipgov.example.com", stamp=STAMP)
    calendar = Calendar.from_ical(ics)
    assert str(calendar["X-WR-CALNAME"]) == "ipgov" and str(calendar["VERSION"]) == "2.0"
    (event,) = events(ics).values()
    assert str(event["UID"]) == "ip_governance.deadline.a-1@ipgov"
    assert event["DTSTART"].dt == date(2026, 12, 31) and event["DTSTART"].params["VALUE"] == "DATE"
    assert event["DTEND"].dt == date(2027, 1, 1)
    assert event["DTSTAMP"].dt == STAMP
    assert str(event["SUMMARY"]) == "续展截止：CN2020123456"
    assert event["SUMMARY"].params["LANGUAGE"] == "zh-CN"
    assert str(event["URL"]) == "https://ipgov.example.com/t/acme/assets/a-1"
    assert "在 ipgov 中打开: https://ipgov.example.com/t/acme/assets/a-1" in str(
        event["DESCRIPTION"])


def test_a_moment_is_shown_in_the_readers_zone_with_its_vtimezone():
    due = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    ics = render_calendar([Entry("ipgov.directive.d-1", "Directive due", due)],
                          name="ipgov", locale="en", tz="Asia/Shanghai", stamp=STAMP)
    (event,) = events(ics).values()
    start = event["DTSTART"].dt
    assert start == due and start.tzinfo.key == "Asia/Shanghai"
    assert (start.hour, start.minute) == (9, 30)
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    zones = [str(z["TZID"]) for z in Calendar.from_ical(ics).walk("VTIMEZONE")]
    assert zones == ["Asia/Shanghai"]
    assert b"X-WR-TIMEZONE:Asia/Shanghai" in ics


def test_moments_across_the_end_of_summer_time_keep_their_local_hour_in_berlin():
    berlin = ZoneInfo("Europe/Berlin")  # summer time ends on 25 October 2026
    before = datetime(2026, 10, 24, 10, 0, tzinfo=berlin)
    after = datetime(2026, 10, 26, 10, 0, tzinfo=berlin)
    ics = render_calendar([Entry("b", "before", before), Entry("a", "after", after),
                           Entry("d", "a day", date(2026, 10, 25))],
                          name="ipgov", locale="en", tz=berlin, stamp=STAMP)
    found = events(ics)
    first, second = found["b@ipgov"]["DTSTART"].dt, found["a@ipgov"]["DTSTART"].dt
    assert (first.hour, second.hour) == (10, 10)
    assert first.utcoffset() == timedelta(hours=2) and second.utcoffset() == timedelta(hours=1)
    assert found["d@ipgov"]["DTSTART"].dt == date(2026, 10, 25)
    (zone,) = Calendar.from_ical(ics).walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Berlin"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_the_feed_is_bounded_and_keeps_the_earliest_entries():
    start = date(2026, 1, 1)
    many = [Entry(f"e-{i:05d}", f"entry {i}", start + timedelta(days=i % 400))
            for i in range(MAX_ENTRIES + 500)]
    found = events(render_calendar(many, name="ipgov", locale="en", stamp=STAMP))
    assert len(found) == MAX_ENTRIES
    latest = max(e["DTSTART"].dt for e in found.values())
    assert all(e.on <= latest for e in many if f"{e.uid}@ipgov" in found)
    assert "e-00000@ipgov" in found


def test_uids_never_carry_characters_that_break_the_feed():
    ics = render_calendar([Entry("x\r\nBEGIN:VEVENT;uid=1", "t", date(2026, 1, 1))],
                          name="ipgov", locale="en", stamp=STAMP)
    assert ics.count(b"\r\nBEGIN:VEVENT\r\n") == 1
    assert list(events(ics)) == ["x--BEGIN:VEVENT-uid-1@ipgov"]
