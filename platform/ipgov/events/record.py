"""Recording an event: one row in the caller's transaction, sent to the workers after commit.

The outbox pattern: the event commits with the change that caused it, or not at all (a
rolled-back transaction records and sends nothing); the message naming it is sent once the
transaction has committed. A process that dies between the commit and the send leaves the row
queued and unsent: work recovery sends it (``ipgov.work.recovery``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import new_id, utcnow
from ipgov.db.integrity import insert_or_existing
from ipgov.db.session import after_commit
from ipgov.work.context import current_traceparent

from .catalog import SEVERITIES, EventType
from .models import Event

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["KIND", "event_type", "record_event", "recorded_keys", "send_events"]

log = logging.getLogger("ipgov.events")
KIND = "event"
_PENDING_KEY = "ipgov.events.pending"


def event_type(platform: Platform, name: str) -> EventType:
    """The declared type ``name``; ``ValueError`` for an unknown one (a programming error)."""
    found = platform.catalog.event_types.get(name)
    if found is None:
        raise ValueError(f"event type {name!r} is not declared (register_event_types)")
    return found[1]


async def recorded_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` (idempotency keys) the session's tenant recorded already, in one read:
    a periodic scan skips them instead of asking ``record_event`` one by one."""
    if not keys:
        return set()
    found = (await session.execute(select(Event.idempotency_key).where(
        Event.idempotency_key.in_(list(keys))))).scalars()
    return {key for key in found if key is not None}


def check_payload(declared: EventType, payload: Mapping[str, Any]) -> None:
    """``ValueError`` naming the type and the field when ``payload`` does not validate."""
    error = next(iter(sorted(declared.validator().iter_errors(dict(payload)),
                             key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "(payload)"
        raise ValueError(f"event {declared.name!r}: field {where}: {error.message}")


async def record_event(platform: Platform, session: AsyncSession, *, tenant_id: str, type: str,
                       payload: Mapping[str, Any], actor: str, object_id: str = "",
                       severity: str | None = None,
                       idempotency_key: str | None = None) -> Event | None:
    """Write an event of ``type`` for ``tenant_id`` in ``session``'s transaction and send it
    to the workers after the commit; None when ``idempotency_key`` was recorded already.

    An unknown type, a payload that does not validate, or a severity outside
    ``info/low/medium/high/critical`` raise ``ValueError`` (a bug, not the user's input)."""
    declared = event_type(platform, type)
    check_payload(declared, payload)
    if severity is not None and severity not in SEVERITIES:
        raise ValueError(f"event {type!r}: severity {severity!r} is not one of {SEVERITIES}")
    row = Event(id=new_id(), tenant_id=tenant_id, type=type, version=declared.version,
                payload=dict(payload), severity=severity, object_id=object_id[:200],
                requested_by=actor[:200], occurred_at=utcnow(), idempotency_key=idempotency_key,
                traceparent=current_traceparent())
    if idempotency_key is None:
        session.add(row)
    elif not await _added_once(session, row):
        return None
    _send_after_commit(platform, session, row)
    return row


async def _known(session: AsyncSession, row: Event) -> Event | None:
    return (await session.execute(select(Event).where(
        Event.tenant_id == row.tenant_id,
        Event.idempotency_key == row.idempotency_key))).scalar_one_or_none()


async def _added_once(session: AsyncSession, row: Event) -> bool:
    """Insert ``row`` unless its key is known (a concurrent writer may win: the constraint
    decides); whether this call added it."""
    if await _known(session, row) is not None:
        return False
    _, created = await insert_or_existing(
        session, row, constraint="uq_events_tenant_id_idempotency_key",
        existing=lambda: _known(session, row))
    return created


def _send_after_commit(platform: Platform, session: AsyncSession, row: Event) -> None:
    """Queue ``row`` for sending; the session's first event registers the one callback.

    Only rows the commit stored are sent: one recorded in a savepoint that rolled back, or
    before the code itself rolled the transaction back (a preview), is gone (SQLAlchemy makes
    it transient again), and a message naming it would name nothing."""
    info = session.sync_session.info
    pending = info.get(_PENDING_KEY)
    if pending is None:
        pending = info[_PENDING_KEY] = []

        async def send_pending() -> None:
            rows: list[Event] = info.pop(_PENDING_KEY, [])
            await send_events(platform, [(r.id, r.tenant_id, r.traceparent) for r in rows
                                         if inspect(r).has_identity])

        after_commit(session, send_pending)
    pending.append(row)


async def send_events(platform: Platform, events: Sequence[tuple[str, str, str | None]]) -> int:
    """Send ``(event id, tenant id, traceparent)`` messages and note when; what fails to send
    stays unsent for recovery. Returns how many were sent."""
    queue = platform.work.queue
    if queue is None or not events:
        return 0  # no queue in this process: recovery sends them where there is one

    def send_all() -> list[tuple[str, str]]:
        sent = []
        for event_id, tenant_id, traceparent in events:
            try:
                queue.send(KIND, event_id, tenant_id, traceparent)
                sent.append((event_id, tenant_id))
            except Exception as exc:  # the broker may be down: the row is the record
                log.warning("could not send event %s (%s); recovery will resend it",
                            event_id, type(exc).__name__)
        return sent

    sent = await asyncio.to_thread(send_all)
    await _mark_sent(platform, sent)
    return len(sent)


async def _mark_sent(platform: Platform, sent: list[tuple[str, str]]) -> None:
    by_tenant: dict[str, list[str]] = {}
    for event_id, tenant_id in sent:
        by_tenant.setdefault(tenant_id, []).append(event_id)
    now = utcnow()
    for tenant_id, ids in by_tenant.items():
        async with platform.db.tenant_session(tenant_id) as session:
            await session.execute(update(Event).where(Event.id.in_(ids), Event.enqueued_at.is_(
                None)).values(enqueued_at=now).execution_options(synchronize_session=False))
