"""The worker side: a per-process platform for the actors, what a worker loads when, and how a
process attaches its queue (``start_work``).

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
from collections.abc import Awaitable, Callable
from typing import Any

from dramatiq.middleware import Middleware

from ipgov.runtime import Platform
from ipgov.settings import Settings

from .broker import build_broker
from .kinds import WorkKind, core_kinds
from .queue import WorkQueue
from .recovery import recovery_loop
from .running import execute

__all__ = ["PlatformBootMiddleware", "RecoveryMiddleware", "WorkerRuntime", "attach_broker",
           "preload", "start_work"]


class WorkerRuntime:
    """Owns the worker process's platform (its own engine, on the actors' event loop) and the
    queue whose actors run every kind of work on it."""

    def __init__(self, settings: Settings,
                 platform_factory: Callable[[Settings], Platform] | None = None,
                 kinds: list[WorkKind] | None = None) -> None:
        self.settings = settings
        self._factory = platform_factory
        self._platform: Platform | None = None
        self._authz_checked: float | None = None  # monotonic time of the last load/refresh
        self.kinds = list(kinds if kinds is not None else core_kinds())
        self.queue = WorkQueue(build_broker(settings), self.kinds, self.execute)

    def platform(self) -> Platform:
        """The platform, built on first use (inside the event loop that will use it)."""
        if self._platform is None:
            from ipgov.startup import build_platform

            platform = (self._factory or build_platform)(self.settings)
            for kind in self.kinds:
                if kind.name not in platform.work.kinds.names():
                    platform.work.kinds.register(kind)
            platform.work.attach(self.queue)
            self._platform = platform
        return self._platform

    async def execute(self, kind: str, row_id: str, tenant_id: str) -> str:
        """Every actor's body: current authorization, then the kind's work."""
        await self.authorization(tenant_id)
        return await execute(self.platform(), kind, row_id, tenant_id)

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
    """Runs work recovery on the worker's event loop while the worker lives."""

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


def attach_broker(platform: Platform) -> WorkQueue:
    """Attach a queue that only sends, on the broker of the settings (API processes with
    separate workers, the scheduler, ``ipgov review request``)."""
    queue = WorkQueue(build_broker(platform.settings), platform.work.kinds)
    platform.work.attach(queue)
    return queue


async def start_work(platform: Platform) -> Callable[[], Awaitable[None]]:
    """Attach the platform's queue: a sender when a broker is configured, otherwise (the
    embedded default) worker threads and recovery in this process. Returns ``stop``."""
    settings = platform.settings
    if settings.broker_url:
        attach_broker(platform)

        async def stop_sender() -> None:
            return None

        return stop_sender
    runtime = WorkerRuntime(settings, kinds=list(platform.work.kinds))
    platform.work.attach(runtime.queue)
    worker = runtime.queue.start_worker(settings.worker_threads)
    recovery = asyncio.create_task(recovery_loop(platform, every=5.0))

    async def stop() -> None:
        recovery.cancel()
        await asyncio.to_thread(worker.stop)
        await runtime.close_from_other_loop()

    return stop


def preload(settings: Settings) -> None:
    """Import what a worker process needs (every plugin and its models, the kinds of work,
    the database and broker drivers) without opening anything, so that processes forked after
    it start with it in memory. Called by ``ipgov worker`` before Dramatiq forks."""
    from ipgov.plugins.catalog import build_catalog
    from ipgov.startup import new_registry, plugins_setting

    core_kinds()  # imports the review engine and the jobs service
    build_catalog(new_registry(plugins_setting(settings)))  # every plugin and its models
    url = settings.app_sqlalchemy_url
    if "+asyncpg" in url:
        import sqlalchemy.dialects.postgresql.asyncpg  # noqa: F401
    elif url.startswith("sqlite"):
        import sqlalchemy.dialects.sqlite.aiosqlite  # noqa: F401
    if settings.broker_url.startswith(("redis://", "rediss://")):
        import dramatiq.brokers.redis  # noqa: F401
