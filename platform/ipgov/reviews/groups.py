"""Group reviews: fan out to the group and every active subsidiary, aggregate when all are done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from ipgov.db.base import utcnow
from ipgov.tenancy.tree import descendants
from ipgov.work import Claim

from .models import TERMINAL, ReviewRun, RunStatus
from .scoring import aggregate_scores
from .service import send_run

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["aggregate_pending", "fan_out", "try_aggregate"]


async def fan_out(platform: Platform, held: Claim) -> list[tuple[str, str]]:
    """Create (once) a child run per tenant of the group and send them; returns the children."""
    key = f"group:{held.id}"
    async with platform.db.system_session("review: group fan-out") as session:
        tenants = [held.tenant_id] + [t.id for t in await descendants(session, held.tenant_id)
                                      if t.status == "active"]
        have = dict((await session.execute(
            select(ReviewRun.tenant_id, ReviewRun.id).where(
                ReviewRun.parent_run_id == held.id))).all())
        for tenant_id in tenants:
            if tenant_id not in have:
                child = ReviewRun(tenant_id=tenant_id, trigger="group", kind="tenant",
                                  requested_by="review-worker", idempotency_key=key,
                                  parent_run_id=held.id)
                session.add(child)
                await session.flush()
                have[tenant_id] = child.id
        await session.execute(
            update(ReviewRun).where(ReviewRun.id == held.id)
            .values(children_total=len(have), lease_until=None)
            .execution_options(synchronize_session=False))
    children = sorted(have.items())
    for tenant_id, run_id in children:
        await send_run(platform, run_id, tenant_id)
    return children


async def try_aggregate(platform: Platform, parent_id: str) -> bool:
    """Close the group run when every child is done; True when this call closed it."""
    async with platform.db.system_session("review: group aggregation") as session:
        children = list((await session.execute(
            select(ReviewRun).where(ReviewRun.parent_run_id == parent_id))).scalars())
        done = [c for c in children if c.status in TERMINAL]
        await session.execute(update(ReviewRun).where(ReviewRun.id == parent_id)
                              .values(children_done=len(done))
                              .execution_options(synchronize_session=False))
        total = (await session.execute(select(ReviewRun.children_total)
                                       .where(ReviewRun.id == parent_id))).scalar()
        if not children or len(done) < max(total or 0, len(children)):
            return False
        status = (RunStatus.SUCCEEDED if all(c.status == RunStatus.SUCCEEDED for c in done)
                  else RunStatus.PARTIAL)
        scores = aggregate_scores(c.scores or {} for c in done)
        scores["tenants"] = {c.tenant_id: (c.scores or {}).get("overall") for c in done}
        closed = await session.execute(
            update(ReviewRun).where(ReviewRun.id == parent_id,
                                    ReviewRun.status == RunStatus.RUNNING)
            .values(status=status, finished_at=utcnow(), scores=scores)
            .execution_options(synchronize_session=False))
        return closed.rowcount == 1


async def pending_groups(platform: Platform) -> list[str]:
    """Group runs still open (for recovery after a crash between a child and aggregation)."""
    async with platform.db.system_session("review: pending groups") as session:
        rows = await session.execute(select(ReviewRun.id).where(
            ReviewRun.kind == "group", ReviewRun.status == RunStatus.RUNNING,
            ReviewRun.children_total > 0))
        return list(rows.scalars())


async def aggregate_pending(platform: Platform) -> None:
    """Close every group run whose children are all done (recovery's step for reviews: a
    crash between a child's end and the aggregation leaves the group open)."""
    for group_run in await pending_groups(platform):
        await try_aggregate(platform, group_run)


async def count_children(platform: Platform, parent_id: str) -> int:
    """How many child runs a group run has."""
    async with platform.db.system_session("review: children") as session:
        return (await session.execute(select(func.count()).select_from(ReviewRun).where(
            ReviewRun.parent_run_id == parent_id))).scalar()
