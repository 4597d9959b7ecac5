"""Claim, renew, finish: how a worker holds a row of queued work.

A claim is a conditional update of the row (``status``, ``claim_token``, ``lease_until``): a
queued row, or a running one whose lease ran out (its worker died), is taken by exactly one
worker. Every later write of that worker is conditional on its token and renews the lease; a
write that finds another token raises ``LostClaim``, so a stale worker never finishes twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import new_id, utcnow

from .kinds import WorkKind, WorkPlatform

__all__ = ["QUEUED", "RUNNING", "Claim", "LostClaim", "claim", "finish", "renew"]

QUEUED, RUNNING = "queued", "running"


class LostClaim(RuntimeError):
    """Another worker took the row over (this worker's lease expired)."""


@dataclass(frozen=True)
class Claim:
    """A row this worker holds: its kind, id, tenant, claim token, and the row as claimed
    (detached: read its columns, do not write through it)."""

    kind: WorkKind
    id: str
    tenant_id: str
    token: str
    row: Any = field(compare=False, repr=False)


def _kind(platform: WorkPlatform, kind: WorkKind | str) -> WorkKind:
    return platform.work.kinds[kind] if isinstance(kind, str) else kind


async def claim(platform: WorkPlatform, kind: WorkKind | str, row_id: str,
                tenant_id: str) -> Claim | None:
    """Take the row if it is queued, or running with an expired lease; None otherwise."""
    kind = _kind(platform, kind)
    model, now, token = kind.model, utcnow(), new_id()
    async with platform.db.tenant_session(tenant_id) as session:
        taken = await session.execute(
            update(model)
            .where(model.id == row_id, or_(
                model.status == QUEUED,
                and_(model.status == RUNNING, model.lease_until < now)))
            .values(status=RUNNING, claim_token=token,
                    lease_until=now + kind.lease(platform.settings),
                    attempts=model.attempts + 1,
                    started_at=func.coalesce(model.started_at, now))
            .execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            return None
        row = (await session.execute(select(model).where(model.id == row_id))).scalar_one()
        session.expunge(row)
    return Claim(kind, row_id, tenant_id, token, row)


async def _write_held(session: AsyncSession, held: Claim, values: dict[str, Any]) -> bool:
    """Write ``values`` to the held row if it is still ours (our token, still running)."""
    model = held.kind.model
    written = await session.execute(
        update(model)
        .where(model.id == held.id, model.claim_token == held.token, model.status == RUNNING)
        .values(**values).execution_options(synchronize_session=False))
    return cast(CursorResult[Any], written).rowcount == 1


async def renew(platform: WorkPlatform, session: AsyncSession, held: Claim,
                **values: Any) -> None:
    """Write ``values`` to the held row and extend its lease, in the caller's transaction;
    ``LostClaim`` when the row is no longer ours (taken over, cancelled, finished)."""
    lease_until = utcnow() + held.kind.lease(platform.settings)
    if not await _write_held(session, held, {"lease_until": lease_until, **values}):
        raise LostClaim(held.id)


async def finish(session: AsyncSession, held: Claim, status: str, **values: Any) -> bool:
    """Close the held row with ``status`` (and ``values``) in the caller's transaction; False
    when the row is no longer ours (nothing written)."""
    return await _write_held(session, held, {"status": status, "finished_at": utcnow(),
                                             "lease_until": None, **values})
