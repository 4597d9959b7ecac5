"""What a job handler receives: its tenant and parameters, a session, progress and errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ipgov.plugins.contracts import JobKind
from ipgov.work import Claim, renew

from .models import MAX_ERRORS_KEPT

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["JobContext", "JobKind"]


class JobContext:
    """Handed to a job handler. Progress and errors are written as the job runs, so a client
    polling the job (GraphQL ``job``) sees them, and each write renews the worker's lease."""

    def __init__(self, platform: Platform, held: Claim,
                 on_progress: Callable[[int, int | None, str], None] | None = None) -> None:
        job = held.row
        self.platform = platform
        self._on_progress = on_progress
        self._held = held
        self.job_id = job.id
        self.tenant_id = job.tenant_id
        self.kind = job.kind
        self.params: dict[str, Any] = dict(job.params or {})
        self.actor = job.requested_by
        self.attempt = job.attempts
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
        """Write progress and errors now and renew the lease; ``LostClaim`` if taken over."""
        if not self._dirty:
            return
        async with self.session() as session:
            await renew(self.platform, session, self._held, **self.recorded())
        self._last_write = time.monotonic()
        self._dirty = False

    def recorded(self) -> dict[str, Any]:
        """The job row's progress and error columns as this context holds them."""
        return {"progress_done": self._done, "progress_total": self._total,
                "message": self._message, "errors": list(self._errors),
                "error_count": self._error_count}
