"""Running a review inside the current process (CLI, demo, tests): no broker involved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from .models import ReviewRun
from .runner import execute_run
from .service import request_review

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["InlineQueue", "run_inline"]


class InlineQueue:
    """A queue that remembers what was sent, for ``run_inline`` to execute in order."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str]] = []

    def send(self, run_id: str, tenant_id: str, traceparent: str | None = None) -> None:
        self.pending.append((run_id, tenant_id))


async def run_inline(platform: Platform, tenant_id: str, *, group: bool = False,
                     actor: str = "cli",
                     progress: Callable[[str], None] | None = None) -> ReviewRun:
    """Request a review and execute it (and, for a group, every child) right here."""
    queue = InlineQueue()
    previous = platform.extras.get("review_queue")
    platform.extras["review_queue"] = queue
    try:
        run = await request_review(platform, tenant_id=tenant_id, actor=actor,
                                   kind="group" if group else "tenant")
        done = 0
        while queue.pending:
            run_id, tid = queue.pending.pop(0)
            outcome = await execute_run(platform, run_id, tid)
            done += 1
            if progress:
                progress(f"review [{done}] {tid}: {outcome}")
    finally:
        platform.extras["review_queue"] = previous
    async with platform.db.tenant_session(tenant_id) as session:
        return (await session.execute(select(ReviewRun).where(ReviewRun.id == run.id))
                ).scalar_one()
