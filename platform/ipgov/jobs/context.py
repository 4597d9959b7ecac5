"""What a job handler receives: its tenant and parameters, a session, progress and errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from ipgov.db.base import utcnow
from ipgov.plugins.contracts import JobKind

from .models import MAX_ERRORS_KEPT, Job

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["JobContext", "JobKind", "LostJobClaim"]


class LostJobClaim(RuntimeError):
    """Another worker took the job over (this worker's lease expired)."""


class JobContext:
    """Handed to a job handler. Progress and errors are written as the job runs, so a client
    polling the job (GraphQL ``job``) sees them, and each write renews the worker's lease."""

    def __init__(self, platform: Platform, job: Job, claim_token: str,
                 on_progress: Callable[[int, int | None, str], None] | None = None) -> None:
        self.platform = platform
        self._on_progress = on_progress
        self.job_id = job.id
        self.tenant_id = job.tenant_id
        self.kind = job.kind
        self.params: dict[str, Any] = dict(job.params or {})
        self.actor = job.requested_by
        self.attempt = job.attempts
        self._token = claim_token
        self._errors: list[dict[str, str]] = []
        self._error_count = 0
        self._done = 0
        self._total: int | None = None
        self._message = ""
        self._last_write = 0.0
        self._dirty = False

    def session(self) -> Any:
        """A session bound to the job's tenant (commits when the block succeeds)."""
        return self.platform.db.tenant_session(self.tenant_id)

    @property
    def errors(self) -> list[dict[str, str]]:
        """The errors recorded so far (at most ``MAX_ERRORS_KEPT``)."""
        return list(self._errors)

    @property
    def error_count(self) -> int:
        """How many errors were recorded, including those not kept."""
        return self._error_count

    async def progress(self, done: int, total: int | None = None, message: str = "",
                       *, force: bool = False) -> None:
        """Record progress (written at most twice a second unless ``force``)."""
        self._done = int(done)
        if total is not None:
            self._total = int(total)
        if message:
            self._message = message[:2000]
        self._dirty = True
        if force or time.monotonic() - self._last_write >= 0.5:
            await self.flush()
            if self._on_progress is not None:
                self._on_progress(self._done, self._total, self._message)

    async def error(self, *, message: str, document: str = "", field: str = "",
                    file: str = "") -> None:
        """Record one failed record (the job goes on): which file, document and field, why."""
        self._error_count += 1
        if len(self._errors) < MAX_ERRORS_KEPT:
            self._errors.append({"file": file[:500], "document": document[:300],
                                 "field": field[:200], "message": message[:2000]})
        self._dirty = True

    async def flush(self) -> None:
        """Write progress and errors now and renew the lease; ``LostJobClaim`` if taken over."""
        if not self._dirty:
            return
        lease = timedelta(seconds=self.platform.settings.review_lease_seconds)
        async with self.session() as session:
            result = await session.execute(
                update(Job).where(Job.id == self.job_id, Job.claim_token == self._token)
                .values(progress_done=self._done, progress_total=self._total,
                        message=self._message, errors=list(self._errors),
                        error_count=self._error_count, lease_until=utcnow() + lease)
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                raise LostJobClaim(self.job_id)
        self._last_write = time.monotonic()
        self._dirty = False
