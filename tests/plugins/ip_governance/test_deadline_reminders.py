"""Deadline reminders (issue 17): the tenant's lead times (a mutation with field errors and a
declared permission), and the hourly scan that records ``deadline.approaching`` once per
deadline and lead time and ``deadline.missed`` once, across runs and scheduler passes, inside
the tenant only."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ip_governance.risk_assets.models import IpAsset, IpAssetDeadline
from ip_governance.risk_assets.reminders import REMINDER_JOB, remind
from ipgov.db.base import utcnow
from ipgov.events.models import Event
from ipgov.jobs.models import Job
from ipgov.reviews.scheduler import scheduler_pass
from ipgov.work.queue import InlineQueue
from tests.conftest import make_group
from tests.events_support import assert_emitted

SET = """mutation($t: ID!, $d: [Int!]!) { setDeadlineReminderDays(tenantId: $t, days: $d) {
  days errors { code field } } }"""
GET = """query($t: ID!) { deadlineReminderDays(tenantId: $t) }"""


async def _deadlines(platform, tenant_id: str, today: date, **due_in: int) -> dict[str, str]:
    """One asset with a deadline per ``name=days from today``; ids by name."""
    async with platform.db.tenant_session(tenant_id) as s:
        asset = IpAsset(kind="patent", title="Wafer bonding", jurisdiction="CN")
        s.add(asset)
        await s.flush()
        rows = {name: IpAssetDeadline(asset_id=asset.id, kind="annuity",
                                      due_on=today + timedelta(days=days))
                for name, days in due_in.items()}
        s.add_all(rows.values())
        await s.flush()
        return {name: row.id for name, row in rows.items()}


async def _scan(platform, tenant_id: str, today: date) -> int:
    async with platform.db.tenant_session(tenant_id) as s:
        return await remind(platform, s, tenant_id, today, "scheduler")


async def _events(platform, tenant_id: str) -> list[tuple[str, str, int | None]]:
    async with platform.db.tenant_session(tenant_id) as s:
        rows = (await s.execute(select(Event).where(Event.type.like("ip_governance.%"))
                                .order_by(Event.requested_at))).scalars()
        return sorted((e.type.rsplit(".", 1)[1], e.object_id, e.payload.get("lead"))
                      for e in rows)


async def test_each_lead_time_is_announced_once_and_a_missed_deadline_once(platform):
    g = await make_group(platform, "acme")
    t, today = g.ids["acme-a"], utcnow().date()
    ids = await _deadlines(platform, t, today, soon=5, month=29, far=100, late=-1)
    assert await _scan(platform, t, today) == 3  # 7 days (not 90, 30 and 7 at once), 30, missed
    assert await _scan(platform, t, today) == 0  # a second run records nothing
    assert await _events(platform, t) == sorted([
        ("approaching", ids["soon"], 7), ("approaching", ids["month"], 30),
        ("missed", ids["late"], None)])
    await assert_emitted(platform, t, "ip_governance.deadline.approaching", days=29, lead=30,
                         deadline_id=ids["month"], due_on=(today + timedelta(29)).isoformat())
    await assert_emitted(platform, t, "ip_governance.deadline.missed", deadline_id=ids["late"])
    assert await _scan(platform, t, today + timedelta(days=3)) == 0  # 2 days left: still 7
    assert await _scan(platform, t, today + timedelta(days=4)) == 1  # 1 day left: lead 1
    assert ("approaching", ids["soon"], 1) in await _events(platform, t)
    assert await _events(platform, g.ids["acme-b"]) == []  # the sibling sees none of it


async def test_the_scan_runs_from_the_scheduler_once_per_period(platform):
    g = await make_group(platform, "acme")
    t = g.ids["acme-a"]
    await _deadlines(platform, t, utcnow().date(), soon=5)
    queue = InlineQueue()  # jobs and events run here
    platform.work.attach(queue)
    await scheduler_pass(platform)
    await scheduler_pass(platform)  # a second scheduler pass in the same period
    await queue.drain(platform)
    async with platform.db.tenant_session(t) as s:
        jobs = (await s.execute(select(func.count()).select_from(Job).where(
            Job.kind == REMINDER_JOB))).scalar_one()
        events = (await s.execute(select(func.count()).select_from(Event).where(
            Event.type == "ip_governance.deadline.approaching"))).scalar_one()
    assert (jobs, events) == (1, 1)


async def test_lead_times_are_set_per_tenant_with_field_errors(platform, gql):
    g = await make_group(platform, "acme")
    a, b = g.ids["acme-a"], g.ids["acme-b"]
    bad = await gql(SET, {"t": a, "d": [0, 30, 30]}, g.token("a-admin"))
    errors = bad["data"]["setDeadlineReminderDays"]["errors"]
    assert {(e["code"], e["field"]) for e in errors} >= {("INVALID_INPUT", "days[0]"),
                                                         ("DUPLICATE_VALUE", "days")}
    refused = await gql(SET, {"t": a, "d": [60]}, g.token("a-viewer"))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    crossing = await gql(SET, {"t": a, "d": [60]}, g.token("b-admin"))  # another tenant's
    assert crossing["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok = await gql(SET, {"t": a, "d": [14, 60]}, g.token("a-admin"))
    assert ok["data"]["setDeadlineReminderDays"] == {"days": [60, 14], "errors": []}
    assert (await gql(GET, {"t": a}, g.token("a-viewer")))["data"] == {
        "deadlineReminderDays": [60, 14]}
    assert (await gql(GET, {"t": b}, g.token("b-admin")))["data"] == {
        "deadlineReminderDays": [90, 30, 7, 1]}  # the sibling keeps the defaults
    today = utcnow().date()
    ids = await _deadlines(platform, a, today, month=29)
    assert await _scan(platform, a, today) == 1
    assert await _events(platform, a) == [("approaching", ids["month"], 60)]
