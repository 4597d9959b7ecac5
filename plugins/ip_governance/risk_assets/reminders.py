"""Deadline reminders: the tenant's lead times, and the periodic scan that records
``ip_governance.deadline.approaching`` and ``.missed`` (issue 17).

The scan is a job kind with ``every``: the core scheduler enqueues it once per tenant and
hour. An open deadline within a lead time is announced once for the tightest lead time it
has crossed (idempotency key ``deadline:<id>:<lead>``): a deadline added 5 days before it is
due gets its 7-day reminder, not three at once; one past due is announced once as missed
(``deadline:<id>:missed``). Two runs, or two schedulers, record nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import (
    FieldErrors,
    InvalidInput,
    JobContext,
    JobKind,
    PlatformContext,
    recorded_keys,
    utcnow,
)

from ..events import APPROACHING, MISSED
from .models import DeadlineReminderSettings, IpAsset, IpAssetDeadline

__all__ = ["DEFAULT_LEAD_DAYS", "REMINDERS", "REMINDER_JOB", "lead_days", "remind", "set_lead_days"]

DEFAULT_LEAD_DAYS = (90, 30, 7, 1)
MAX_LEADS, MAX_DAYS = 10, 730
REMINDER_JOB = "ip_governance.deadline_reminders"


async def lead_days(session: AsyncSession) -> list[int]:
    """The tenant's lead times, longest first (the defaults when it chose none)."""
    row = (await session.execute(select(DeadlineReminderSettings))).scalar_one_or_none()
    return sorted(row.lead_days if row and row.lead_days else DEFAULT_LEAD_DAYS, reverse=True)


def _check_days(days: list[int]) -> list[int]:
    errors = FieldErrors()
    if not days or len(days) > MAX_LEADS:
        errors.add(InvalidInput(f"give 1 to {MAX_LEADS} lead times", field="days"))
    for i, value in enumerate(days):
        if not 1 <= value <= MAX_DAYS:
            errors.add(InvalidInput(f"a lead time is 1 to {MAX_DAYS} days",
                                    field=f"days[{i}]"))
    if len(set(days)) != len(days):
        errors.add(InvalidInput("each lead time once", code="DUPLICATE_VALUE", field="days"))
    errors.raise_if_any()
    return sorted(set(days), reverse=True)


async def set_lead_days(session: AsyncSession, days: list[int]) -> list[int]:
    """Store the tenant's lead times (``InvalidInput`` per bad field); the stored list."""
    clean = _check_days(days)
    row = (await session.execute(select(DeadlineReminderSettings))).scalar_one_or_none()
    if row is None:
        session.add(DeadlineReminderSettings(lead_days=clean))
    else:
        row.lead_days = clean
    await session.flush()
    return clean


def _announcement(due_on: date, today: date, leads: list[int]) -> tuple[str, int | None]:
    """(event type, lead time) for a deadline due on ``due_on``; ("", None) for none yet."""
    left = (due_on - today).days
    if left < 0:
        return MISSED, None
    crossed = [lead for lead in leads if left <= lead]
    return (APPROACHING, min(crossed)) if crossed else ("", None)


async def remind(platform: PlatformContext, session: AsyncSession, tenant_id: str,
                 today: date, actor: str) -> int:
    """Record the tenant's deadline events not recorded yet; how many were new."""
    leads = await lead_days(session)
    horizon = today + timedelta(days=max(leads))
    rows = (await session.execute(
        select(IpAssetDeadline, IpAsset.title).join(IpAsset, IpAsset.id == IpAssetDeadline.asset_id)
        .where(IpAssetDeadline.status == "open", IpAssetDeadline.due_on <= horizon))).all()
    announced = [(d, title, *_announcement(d.due_on, today, leads)) for d, title in rows]
    due = [(d, title, kind, lead, _key(d.id, lead)) for d, title, kind, lead in announced
           if kind]
    # one read of the keys already recorded: a missed deadline stays missed, and each hourly
    # scan would otherwise look its event up again, one query per deadline
    known = await recorded_keys(session, [key for *_, key in due])
    created = 0
    for deadline, title, kind, lead, key in due:
        if key in known:
            continue
        payload: dict[str, Any] = {
            "tenant_id": tenant_id, "deadline_id": deadline.id, "asset_id": deadline.asset_id,
            "asset_title": title[:500], "kind": deadline.kind,
            "due_on": deadline.due_on.isoformat()}
        if lead is not None:
            payload.update(days=(deadline.due_on - today).days, lead=lead)
        recorded = await platform.record_event(
            session, tenant_id=tenant_id, type=kind, payload=payload, actor=actor,
            object_id=deadline.id, severity="high" if lead is None or lead <= 7 else "medium",
            idempotency_key=key)
        created += recorded is not None
    return created


def _key(deadline_id: str, lead: int | None) -> str:
    return f"deadline:{deadline_id}:{lead if lead is not None else 'missed'}"


async def _run(ctx: JobContext) -> dict[str, int]:
    async with ctx.session() as session:
        created = await remind(ctx.platform, session, ctx.tenant_id, utcnow().date(),
                               ctx.actor)
    return {"events": created}


REMINDERS = JobKind(handler=_run, every=timedelta(hours=1),
                    description="Record deadline reminders and missed deadlines")
"""The periodic scan (registered by ``register_jobs``)."""
