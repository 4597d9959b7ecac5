"""Recording a request for work: the row first (the record), once per idempotency key.

A request commits its row before anything is sent, so a broker that is down loses nothing:
the row stays queued and recovery sends it again. An idempotency key makes repeated requests
(a retried HTTP call, two schedulers, a replayed event) record one row; the row keeps the
caller's trace context, so the work joins the request's trace however late it runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.integrity import insert_or_existing

from .context import current_traceparent
from .kinds import WorkPlatform

__all__ = ["record", "with_key"]


async def with_key(session: AsyncSession, model: Any, key: str | None) -> Any:
    """The tenant's row of ``model`` recorded under idempotency ``key`` (none without a key)."""
    if not key:
        return None
    return (await session.execute(select(model).where(
        model.idempotency_key == key))).scalar_one_or_none()


async def record(platform: WorkPlatform, session: AsyncSession, row: Any, *,
                 idempotency_key: str | None, action: str, object_type: str,
                 details: dict[str, Any]) -> tuple[Any, bool]:
    """Add ``row`` (a new, unsent row of work) in the caller's transaction, audited as
    ``action`` by its requester; or find the row already recorded under ``idempotency_key``.
    Returns (row, created): send the row only when created."""
    model = type(row)
    existing = await with_key(session, model, idempotency_key)
    if existing is not None:
        return existing, False
    row.traceparent = current_traceparent()
    if idempotency_key:
        row.idempotency_key = idempotency_key
    # A concurrent request with the same key may insert between the check and here: the
    # unique constraint decides, and the loser answers with the winner's row.
    row, created = await insert_or_existing(
        session, row, constraint=f"uq_{model.__tablename__}_tenant_id_idempotency_key",
        existing=lambda: with_key(session, model, idempotency_key))
    if created:
        await platform.audit(session, tenant_id=row.tenant_id, actor=row.requested_by,
                             action=action, object_type=object_type, object_id=row.id,
                             details=details)
    return row, created
