"""Resending stale work (review runs, plugin jobs): the part both recoveries share.

A row is resent only by the process whose conditional update of ``enqueued_at`` succeeded, so
several processes may recover at once; duplicate deliveries are harmless anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["resend_stale"]

log = logging.getLogger("ipgov.reviews")


async def resend_stale(platform: Platform, model: Any, stale: Any, now: datetime,
                       send: Callable[..., Any], what: str) -> int:
    """Send again up to 500 rows of ``model`` matching ``stale``; returns how many were sent.

    ``send(row_id, tenant_id, traceparent=...)`` is the queue's sender."""
    async with platform.db.system_session(f"{what}: recovery") as session:
        candidates = (await session.execute(
            select(model.id, model.tenant_id, model.traceparent).where(stale).limit(500)
        )).all()
        mine = []
        for row_id, tenant_id, traceparent in candidates:
            taken = await session.execute(
                update(model).where(model.id == row_id, stale)
                .values(enqueued_at=now).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                mine.append((row_id, tenant_id, traceparent))
    sent = 0
    for row_id, tenant_id, traceparent in mine:
        try:
            send(row_id, tenant_id, traceparent=traceparent)
            sent += 1
        except Exception as exc:
            log.warning("recovery could not resend %s %s (%s)", what, row_id,
                        type(exc).__name__)
    return sent
