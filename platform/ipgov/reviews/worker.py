"""The worker side: a per-process platform for the actors, and what a worker loads when.

Start-up is kept short (workers are restarted often: deploys, autoscaling, crashes): ``ipgov
worker`` imports the platform and every plugin once, before Dramatiq forks its worker
processes (``preload``), so each process starts with them in memory; the platform is built when
the process boots; authorization state (policies and the tenant directory, which plugin jobs
and checks read through ``tenant_info`` or ``descendants``) is loaded when the first message
needs it, and brought up to date before each message whenever it may be stale.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dramatiq.middleware import Middleware

from ipgov.settings import Settings

from .broker import ReviewQueue, build_broker
from .recovery import recovery_loop
from .runner import execute_run

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["PlatformBootMiddleware", "RecoveryMiddleware", "WorkerRuntime", "preload"]


class WorkerRuntime:
    """Owns the worker process's platform (its own engine, on the actors' event loop)."""

    def __init__(self, settings: Settings,
                 platform_factory: Callable[[Settings], Platform] | None = None) -> None:
        self.settings = settings
        self._factory = platform_factory
        self._platform: Platform | None = None
        self._authz_checked: float | None = None  # monotonic time of the last load/refresh
        self.queue = ReviewQueue(build_broker(settings), self.execute, self.execute_job)

    def platform(self) -> Platform:
        """The platform, built on first use (inside the event loop that will use it)."""
        if self._platform is None:
            from ipgov.startup import build_platform

            platform = (self._factory or build_platform)(self.settings)
            platform.extras["review_queue"] = self.queue
            self._platform = platform
        return self._platform

    async def execute(self, run_id: str, tenant_id: str) -> str:
        """The review actor's body."""
        await self.authorization(tenant_id)
        return await execute_run(self.platform(), run_id, tenant_id)

    async def execute_job(self, job_id: str, tenant_id: str) -> str:
        """The job actor's body."""
        from ipgov.jobs.service import execute_job

        await self.authorization(tenant_id)
        return await execute_job(self.platform(), job_id, tenant_id)

    async def authorization(self, tenant_id: str) -> None:
        """Make the platform's authorization state current enough for a message of
        ``tenant_id``: loaded on first use; refreshed from the policy change log when the
        tenant is unknown or the last look is older than ``IPGOV_POLICY_POLL_SECONDS``."""
        authz = self.platform().authz
        now = time.monotonic()
        if self._authz_checked is None:
            await authz.load()
        elif (authz.tenant_info(tenant_id) is None
              or now - self._authz_checked >= self.settings.policy_poll_seconds):
            await authz.refresh()
        self._authz_checked = now

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
        _stop_at_exit(loop_thread)

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        if self._future is not None:
            self._future.cancel()


def _stop_at_exit(loop_thread: Any) -> None:
    """Stop the actors' event loop when the interpreter exits without a worker shutdown.

    Dramatiq answers a second SIGTERM (a process group signalled by systemd or Docker, beside
    the main process forwarding its own) with ``sys.exit`` and no shutdown hooks; its event
    loop thread is not a daemon, so the process used to hang until SIGKILL. Threading's exit
    hooks run before non-daemon threads are joined."""
    import threading

    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(loop_thread.stop)


class PlatformBootMiddleware(Middleware):
    """Builds the worker process's platform when the process boots, before the first message
    (no connection is opened yet: they open on the actors' event loop)."""

    def __init__(self, runtime: WorkerRuntime) -> None:
        self.runtime = runtime

    def after_process_boot(self, broker: Any) -> None:
        self.runtime.platform()


def preload(settings: Settings) -> None:
    """Import what a worker process needs (every plugin and its models, the review engine, the
    database and broker drivers) without opening anything, so that processes forked after it
    start with it in memory. Called by ``ipgov worker`` before Dramatiq forks."""
    import ipgov.jobs.service  # noqa: F401
    from ipgov.plugins.catalog import build_catalog
    from ipgov.startup import new_registry, plugins_setting

    build_catalog(new_registry(plugins_setting(settings)))  # every plugin and its models
    url = settings.app_sqlalchemy_url
    if "+asyncpg" in url:
        import sqlalchemy.dialects.postgresql.asyncpg  # noqa: F401
    elif url.startswith("sqlite"):
        import sqlalchemy.dialects.sqlite.aiosqlite  # noqa: F401
    if settings.broker_url.startswith(("redis://", "rediss://")):
        import dramatiq.brokers.redis  # noqa: F401
