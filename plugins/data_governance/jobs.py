"""Worker jobs of data_governance (hook ``register_jobs``): the lifecycle sweep, the quality
evaluation and the IP inventory sync, each run daily per tenant by the core scheduler and on
request. Handlers are idempotent: delivery is at least once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ipgov.api import JobContext, JobKind, record_audit, utcnow

from .lifecycle.services import sweep
from .mapping.services import sync_inventory
from .quality.services import evaluate_all

__all__ = ["JOBS", "SWEEP", "job_kinds", "lifecycle_sweep", "quality_evaluation",
           "inventory_sync"]

SWEEP = "data_governance.lifecycle_sweep"
QUALITY = "data_governance.quality_evaluation"
INVENTORY = "data_governance.ip_inventory_sync"
DEFAULT_ARCHIVE_AFTER_DAYS = 540  # 18 months unused


async def lifecycle_sweep(ctx: JobContext) -> dict[str, int]:
    """Archive unused assets, flag assets past retention, execute approved destructions."""
    days = int(ctx.params.get("archiveAfterDays") or DEFAULT_ARCHIVE_AFTER_DAYS)
    if days < 1:
        await ctx.error(field="archiveAfterDays", message="archiveAfterDays must be >= 1")
        return {"destroyed": 0, "archived": 0, "flagged": 0}
    async def audit(s: Any, action: str, object_id: str, details: dict) -> None:
        await record_audit(ctx.platform, s, tenant_id=ctx.tenant_id, actor=ctx.actor,
                           action=f"data_governance.{action}",
                           object_type="data_governance:asset", object_id=object_id,
                           details=details)

    async def progress(done: int, total: int, message: str) -> None:
        await ctx.progress(done, total, message, force=True)

    return await sweep(ctx.session, now=utcnow(), archive_after_days=days, audit=audit,
                       progress=progress)


async def quality_evaluation(ctx: JobContext) -> dict[str, Any]:
    """Evaluate every active quality rule and store the scores."""
    async with ctx.session() as session:
        rows = await evaluate_all(session, now=utcnow(), source=f"job:{ctx.job_id}")
        result = {"rules": len(rows), "with_failing_assets": sum(1 for r in rows if r.failing)}
    await ctx.progress(len(rows), len(rows), f"evaluated {len(rows)} rules", force=True)
    return result


async def inventory_sync(ctx: JobContext) -> dict[str, int]:
    """Refresh the IP inventory snapshot from every plugin's ``list_ip_objects``."""
    async with ctx.session() as session:
        return await sync_inventory(ctx.platform, ctx.tenant_id, session)


JOBS = {SWEEP: lifecycle_sweep, QUALITY: quality_evaluation, INVENTORY: inventory_sync}


def job_kinds() -> dict[str, JobKind]:
    """The kinds for ``register_jobs``: each run daily per tenant by the core scheduler."""
    return {name: JobKind(handler=handler, every=timedelta(days=1),
                       description=(handler.__doc__ or "").strip())
            for name, handler in JOBS.items()}
