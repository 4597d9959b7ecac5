"""The worker side: a per-process platform built lazily on the actors' event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dramatiq.middleware import Middleware

from ipgov.settings import Settings

from .broker import ReviewQueue, build_broker
from .recovery import recovery_loop
from .runner import execute_run

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["WorkerRuntime"]


class WorkerRuntime:
    """Owns the worker process's platform (its own engine, on the actors' event loop)."""

    def __init__(self, settings: Settings,
                 platform_factory: Callable[[Settings], Platform] | None = None) -> None:
        self.settings = settings
        self._factory = platform_factory
        self._platform: Platform | None = None
        self.queue = ReviewQueue(build_broker(settings), self.execute, self.execute_job)

    def platform(self) -> Platform:
        """The platform, built on first use (inside the event loop that will use it)."""
        if self._platform is None:
            from ipgov.runtime import build_platform

            platform = (self._factory or build_platform)(self.settings)
            platform.extras["review_queue"] = self.queue
            self._platform = platform
        return self._platform

    async def execute(self, run_id: str, tenant_id: str) -> str:
        """The review actor's body."""
        return await execute_run(self.platform(), run_id, tenant_id)

    async def execute_job(self, job_id: str, tenant_id: str) -> str:
        """The job actor's body."""
        from ipgov.jobs.service import execute_job

        return await execute_job(self.platform(), job_id, tenant_id)

    async def close(self) -> None:
        """Dispose of the platform's connections (call on the actors' loop)."""
        if self._platform is not None:
            await self._platform.close()
            self._platform = None

    async def close_from_other_loop(self) -> None:
        """Dispose of the platform's connections from another event loop (server shutdown)."""
        from dramatiq.asyncio import get_event_loop_thread

        loop_thread = get_event_loop_thread()
        if self._platform is None or loop_thread is None:
            self._platform = None
            return
        future = asyncio.run_coroutine_threadsafe(self.close(), loop_thread.loop)
        await asyncio.wrap_future(future)


class RecoveryMiddleware(Middleware):
    """Runs review recovery on the worker's event loop while the worker lives."""

    def __init__(self, runtime: WorkerRuntime, every: float = 5.0) -> None:
        self.runtime, self.every = runtime, every
        self._future: Any = None

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        from dramatiq.asyncio import get_event_loop_thread

        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            return

        async def start() -> None:
            await recovery_loop(self.runtime.platform(), self.every)

        self._future = asyncio.run_coroutine_threadsafe(start(), loop_thread.loop)

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        if self._future is not None:
            self._future.cancel()
