"""Time-driven directive events, from the scheduler's pass: ``directive.due_soon`` once an
open directive falls due within ``DUE_SOON_DAYS``, ``directive.overdue`` once it is past due.

Each is recorded once per directive and due date (idempotency key
``directive:<id>:<event>:<due date>``), however many passes and schedulers run; a directive
reopened with a new due date is reminded again.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from ipgov.db.base import utcnow
from ipgov.events.record import recorded_keys
from ipgov.tenancy.models import Tenant

from .announce import directive_event
from .directives import aware
from .models import Directive, DirectiveStatus

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["DUE_SOON_DAYS", "remind_directives"]

DUE_SOON_DAYS = 7


async def _due_by_tenant(platform: Platform, horizon: datetime) -> dict[str, list[str]]:
    """Open directives of active tenants due before ``horizon``, by tenant."""
    async with platform.db.system_session("scheduler: directive reminders") as session:
        rows = (await session.execute(
            select(Directive.id, Directive.tenant_id)
            .join(Tenant, Tenant.id == Directive.tenant_id)
            .where(Directive.status == DirectiveStatus.OPEN, Directive.due_at < horizon,
                   Tenant.status == "active"))).all()
    found: dict[str, list[str]] = {}
    for directive_id, tenant_id in rows:
        found.setdefault(tenant_id, []).append(directive_id)
    return found


async def remind_directives(platform: Platform, now: datetime | None = None) -> int:
    """Record the due-soon and overdue events not recorded yet; returns how many were new."""
    now = now or utcnow()
    created = 0
    for tenant_id, ids in sorted((await _due_by_tenant(
            platform, now + timedelta(days=DUE_SOON_DAYS))).items()):
        async with platform.db.tenant_session(tenant_id) as session:
            due = [(d, *_reminder(d, now)) for d in (await session.execute(
                select(Directive).where(Directive.id.in_(ids)))).scalars()]
            # one read of the keys already recorded: an overdue directive stays overdue, and
            # each pass would otherwise look its event up again, one query per directive
            known = await recorded_keys(session, [key for *_, key in due])
            for d, what, extra, key in due:
                if key not in known:
                    created += await directive_event(platform, session, d, what,
                                                     actor="scheduler", extra=extra,
                                                     idempotency_key=key)
    return created


def _reminder(d: Directive, now: datetime) -> tuple[str, dict[str, int], str]:
    """Which event a directive calls for now, its extra fields and its idempotency key."""
    left = aware(d.due_at) - now
    what = "overdue" if left.total_seconds() < 0 else "due_soon"
    extra = {"days": math.ceil(left.total_seconds() / 86_400)} if what == "due_soon" else {}
    return what, extra, f"directive:{d.id}:{what}:{aware(d.due_at).date().isoformat()}"
