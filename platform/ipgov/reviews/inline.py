"""Running a review inside the current process (CLI, demo, tests): no broker involved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from ipgov.work.queue import InlineQueue

from .models import ReviewRun
from .runner import KIND
from .service import request_review

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["run_inline"]


async def run_inline(platform: Platform, tenant_id: str, *, group: bool = False,
                     actor: str = "cli",
                     progress: Callable[[str], None] | None = None) -> ReviewRun:
    """Request a review and execute it (and, for a group, every child) right here."""

    def report(_kind: str, tid: str, outcome: str, done: int) -> None:
        if progress:
            progress(f"review [{done}] {tid}: {outcome}")

    queue = InlineQueue(kinds={KIND}, forward=platform.work.queue)
    with platform.work.carried_by(queue):
        run = await request_review(platform, tenant_id=tenant_id, actor=actor,
                                   kind="group" if group else "tenant")
        await queue.drain(platform, report)
    async with platform.db.tenant_session(tenant_id) as session:
        return (await session.execute(select(ReviewRun).where(ReviewRun.id == run.id))
                ).scalar_one()
