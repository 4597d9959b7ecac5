"""Lifecycle rules: transitions a person may make, destruction requests approved by people
other than the requester, and the sweep a worker runs (archive unused assets, flag assets at
the end of their retention, execute approved destructions). Nothing is ever deleted silently:
destruction purges the content, keeps the asset row as a tombstone and is audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import Conflict, Forbidden, InvalidInput, utcnow

from ..catalog.models import DataAsset, DataAssetContent
from ..common import aware, get, text
from ..vocabulary import TRANSITIONS
from .models import DestructionRequest, LifecycleEvent

__all__ = ["SYSTEM_ACTOR", "approve_destruction", "request_destruction", "retention_end",
           "sweep", "transition"]

SYSTEM_ACTOR = "system:data_governance.lifecycle_sweep"
ACTIVE_STAGES = ("store", "use", "share")
BATCH = 200
Audit = Callable[..., Awaitable[Any]]


def retention_end(asset: DataAsset) -> date | None:
    """The day the asset's retention period ends (None without one)."""
    if not asset.retention_months or asset.retention_starts_on is None:
        return None
    start = asset.retention_starts_on
    months = start.month - 1 + asset.retention_months
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, 28)
    return date(year, month, day)


async def _move(session: AsyncSession, asset: DataAsset, to: str, *, actor: str,
                reason: str) -> LifecycleEvent:
    event = LifecycleEvent(asset_id=asset.id, from_stage=asset.lifecycle_stage, to_stage=to,
                           actor=actor, reason=reason)
    asset.lifecycle_stage = to
    if to == "archive":
        asset.archived_at = utcnow()
    elif asset.archived_at is not None:
        asset.archived_at = None
    session.add(event)
    await session.flush()
    return event


async def transition(session: AsyncSession, asset: DataAsset, to: str, *, actor: str,
                     reason: str) -> LifecycleEvent:
    """Move an asset to another stage along the allowed transitions."""
    if asset.destroyed_at is not None:
        raise Conflict("the asset was destroyed", code="ASSET_DESTROYED", field="id")
    if to == "destroy":
        raise InvalidInput("destruction needs an approved destruction request "
                           "(requestDataAssetDestruction)", code="APPROVAL_REQUIRED",
                           field="stage")
    allowed = TRANSITIONS.get(asset.lifecycle_stage, ())
    if to not in allowed:
        raise InvalidInput(f"{asset.code} is at {asset.lifecycle_stage}; it may move to "
                           f"{', '.join(allowed) or 'nothing'}", code="TRANSITION_NOT_ALLOWED",
                           field="stage")
    return await _move(session, asset, to, actor=actor, reason=text(reason, "reason", 2000))


async def _open_request(session: AsyncSession, asset_id: str) -> DestructionRequest | None:
    return (await session.execute(select(DestructionRequest).where(
        DestructionRequest.asset_id == asset_id,
        DestructionRequest.status.in_(("pending", "approved"))))).scalar_one_or_none()


async def request_destruction(session: AsyncSession, asset: DataAsset, *, actor: str,
                              reason: str) -> DestructionRequest:
    """Ask for an asset's destruction. A person's request needs one approval by someone else;
    a request the sweep raised needs two people (nobody has asked for it yet)."""
    if asset.destroyed_at is not None:
        raise Conflict("the asset was destroyed already", code="ASSET_DESTROYED", field="id")
    if await _open_request(session, asset.id):
        raise Conflict(f"{asset.code} has an open destruction request", code="DUPLICATE",
                       field="assetId")
    request = DestructionRequest(asset_id=asset.id, requested_by=actor,
                                 reason=text(reason, "reason", 2000, required=True),
                                 required_approvals=2 if actor == SYSTEM_ACTOR else 1)
    session.add(request)
    await session.flush()
    return request


async def approve_destruction(session: AsyncSession, request: DestructionRequest, *,
                              actor: str, approve: bool, note: str) -> DestructionRequest:
    """Approve (or reject) a pending request; the requester may not approve their own, nor
    may one person approve twice. Enough approvals make it ``approved`` for the sweep."""
    if request.status != "pending":
        raise Conflict(f"the request is {request.status}", code="NOT_PENDING", field="id")
    if actor == request.requested_by:
        raise Forbidden("a second person must approve a destruction you requested",
                        code="SECOND_PERSON_REQUIRED")
    if any(a.get("by") == actor for a in request.approvals):
        raise Forbidden("you approved this request already; another person must",
                        code="SECOND_PERSON_REQUIRED")
    decision = {"by": actor, "at": utcnow().isoformat(), "approve": approve,
                "note": text(note, "note", 2000)}
    request.approvals = [*request.approvals, decision]
    if not approve:
        request.status, request.decided_at = "rejected", utcnow()
    elif sum(1 for a in request.approvals if a.get("approve")) >= request.required_approvals:
        request.status, request.decided_at = "approved", utcnow()
    await session.flush()
    return request


async def _destroy(session: AsyncSession, request: DestructionRequest, audit: Audit) -> None:
    asset = await get(session, DataAsset, request.asset_id, "data asset")
    await session.execute(delete(DataAssetContent).where(
        DataAssetContent.asset_id == asset.id))
    approvers = [a["by"] for a in request.approvals if a.get("approve")]
    await _move(session, asset, "destroy", actor=SYSTEM_ACTOR,
                reason=f"destruction request {request.id} approved by {', '.join(approvers)}")
    asset.destroyed_at, asset.destroyed_by = utcnow(), ", ".join(approvers)
    asset.properties, asset.summary = {}, ""
    request.status, request.executed_at = "executed", utcnow()
    await audit(session, "asset.destroyed", asset.id,
                {"code": asset.code, "request": request.id, "approved_by": approvers})


async def _sweep_asset(session: AsyncSession, asset: DataAsset, *, now: datetime,
                       cutoff: datetime, days: int, audit: Audit, counts: dict[str, int]) -> None:
    last = asset.last_used_at or asset.updated_at or asset.created_at
    if asset.lifecycle_stage in ACTIVE_STAGES and last is not None and aware(last) < cutoff:
        await _move(session, asset, "archive", actor=SYSTEM_ACTOR,
                    reason=f"unused since {last.date()} ({days} days)")
        await audit(session, "asset.archived", asset.id, {"code": asset.code})
        counts["archived"] += 1
    end = retention_end(asset)
    if end is not None and end <= now.date() and not await _open_request(session, asset.id):
        await request_destruction(session, asset, actor=SYSTEM_ACTOR,
                                  reason=f"retention ended on {end} ({asset.legal_basis})")
        await audit(session, "asset.flagged_for_destruction", asset.id,
                    {"code": asset.code, "retention_end": str(end)})
        counts["flagged"] += 1


async def sweep(open_session: Callable[[], Any], *, now: datetime, archive_after_days: int,
                audit: Audit, progress: Callable[[int, int, str], Awaitable[None]],
                batch: int = BATCH) -> dict[str, int]:
    """One lifecycle pass over the tenant (idempotent: running it twice changes nothing more).

    Executes approved destructions, archives assets unused for ``archive_after_days`` and
    flags assets past retention with a destruction request (never deleting them). Assets are
    handled in batches, each its own transaction, with progress reported between them."""
    counts = {"destroyed": 0, "archived": 0, "flagged": 0}
    async with open_session() as session:
        for request in (await session.execute(select(DestructionRequest).where(
                DestructionRequest.status == "approved"))).scalars().all():
            await _destroy(session, request, audit)
            counts["destroyed"] += 1
        ids = list((await session.execute(select(DataAsset.id).where(
            DataAsset.destroyed_at.is_(None)).order_by(DataAsset.code))).scalars())
    cutoff = now - timedelta(days=archive_after_days)
    for start in range(0, len(ids), batch):
        async with open_session() as session:
            assets = (await session.execute(select(DataAsset).where(
                DataAsset.id.in_(ids[start:start + batch])))).scalars().all()
            for asset in assets:
                await _sweep_asset(session, asset, now=now, cutoff=cutoff,
                                   days=archive_after_days, audit=audit, counts=counts)
        done = min(start + batch, len(ids))
        await progress(done, len(ids), f"checked {done} of {len(ids)} assets")
    return counts
