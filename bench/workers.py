"""Benchmark of review workers under churn: start-up time, and draining a backlog while killed.

What it measures, on Redis and a fresh database (PostgreSQL with ``--postgres``, the API side
as a non-owner role under row-level security; a SQLite file otherwise):

* **ready**: seconds from starting ``ipgov worker --processes 1 --threads 2`` until it has
  claimed a review that was waiting in the queue (so: interpreter, imports, plugins, broker
  connection, platform and whatever the first review needs), ``--starts`` times; median and
  max. Baseline in the same run: a bare ``python -m dramatiq`` process with a no-op actor on
  the same Redis, until it has run a waiting message (the floor any Dramatiq worker pays).
* **drain**: ``--reviews`` reviews (round-robin over ``--tenants`` tenants) are queued before
  two worker processes start; seconds until every run is terminal, with one of the two
  workers SIGKILLed (its process group) and started again every ``--kill-every`` seconds,
  beside the same drain without kills (the baseline). The ratio is the cost of the churn.
  Also printed: failed runs (must be 0) and how many times recovery or the broker delivered a
  run more than once (``attempts`` above 1: harmless, a claim is exclusive).

Run: ``python bench/workers.py [--starts 5] [--reviews 500] [--kill-every 5] [--postgres URL]
[--redis URL]``. Redis keys live under a fresh namespace and are deleted afterwards; the
PostgreSQL database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from _common import Result, _admin_sql, delete_redis_namespace, emit, progress
from reviews import _setup_tenants

APP_ROLE = "ipgov_app_bench"
Measure = Callable[[argparse.Namespace, dict[str, str], Path], Awaitable[list[Result]]]
"""``measure(args, env, log)``: a benchmark's figures, with the processes' environment."""
NOOP_QUEUE = "ipgov-bench-ready"
BENCH = Path(__file__).resolve().parent

if os.environ.get("IPGOV_BENCH_READY_WORKER") == "1":  # imported by `python -m dramatiq`
    import dramatiq
    import redis as _redis
    from dramatiq.brokers.redis import RedisBroker

    _url = os.environ["IPGOV_BROKER_URL"]
    _ns = os.environ["IPGOV_BROKER_NAMESPACE"]
    broker = RedisBroker(url=_url, namespace=_ns)
    _client = _redis.Redis.from_url(_url)

    @dramatiq.actor(broker=broker, queue_name=NOOP_QUEUE, actor_name="ipgov_bench_ready")
    def ready(token: str) -> None:
        """The baseline actor: records that it ran."""
        _client.set(f"{_ns}:bench-ready:{token}", "1", ex=600)

    dramatiq.set_broker(broker)


class Worker:
    """One process group (``ipgov worker`` or a bare dramatiq), killed with its children."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.started = time.perf_counter()
        with open(log, "a") as out:
            self.proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


IPGOV_WORKER = [sys.executable, "-m", "ipgov.cli.main", "worker", "--processes", "1",
                "--threads", "2"]


# --- set-up ---------------------------------------------------------------------------------

def _environment(args: argparse.Namespace, tmp: str, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({"IPGOV_DATA_DIR": tmp, "IPGOV_BROKER_URL": args.redis,
                "IPGOV_BROKER_NAMESPACE": f"ipgov-bench-{uuid.uuid4().hex[:10]}",
                "IPGOV_LOG_LEVEL": "WARNING", "IPGOV_REVIEW_LEASE_SECONDS": "5",
                "IPGOV_REVIEW_REQUEUE_SECONDS": "3", "PYTHONUNBUFFERED": "1"})
    if args.postgres:
        from sqlalchemy.engine import make_url

        base = make_url(args.postgres)
        env["IPGOV_DATABASE_URL"] = base.set(database=database).render_as_string(
            hide_password=False)
        env["IPGOV_APP_DATABASE_URL"] = base.set(
            database=database, username=APP_ROLE, password=APP_ROLE).render_as_string(
            hide_password=False)
    return env


def _migrate(env: dict[str, str]) -> None:
    from ipgov.db.migrate import upgrade
    from ipgov.settings import Settings
    from ipgov.startup import build_platform

    settings = Settings.from_env(env)
    platform = build_platform(settings)
    locations = [str(p) for p in platform.registry.hook.register_migrations() if p]
    upgrade(settings.sqlalchemy_url, locations, app_role=APP_ROLE if settings.app_database_url
            else None, app_password=APP_ROLE)
    asyncio.run(platform.db.dispose())


async def _queue(platform, tenants: list[str], count: int) -> set[str]:  # type: ignore[no-untyped-def]
    from ipgov.reviews.service import request_review

    return {(await request_review(platform, tenant_id=tenants[i % len(tenants)],
                                  actor="bench")).id for i in range(count)}


async def _statuses(platform, run_ids: set[str]) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from ipgov.reviews.models import ReviewRun

    async with platform.db.system_session("bench: progress") as s:
        rows = (await s.execute(select(ReviewRun.id, ReviewRun.status, ReviewRun.attempts)))
        return {r: (st, n) for r, st, n in rows if r in run_ids}


# --- ready ----------------------------------------------------------------------------------

async def _until_claimed(platform, run_id: str, worker: Worker, limit: float) -> float:  # type: ignore[no-untyped-def]
    while True:
        status, _attempts = (await _statuses(platform, {run_id}))[run_id]
        elapsed = time.perf_counter() - worker.started
        if status != "queued":
            return elapsed
        if worker.proc.poll() is not None or elapsed > limit:
            raise SystemExit(f"the worker did not claim a review within {elapsed:.0f} s")
        await asyncio.sleep(0.02)


async def ready_times(platform, env: dict[str, str], tenants: list[str], starts: int,  # type: ignore[no-untyped-def]
                      log: Path) -> list[float]:
    """Seconds until a fresh ``ipgov worker`` claims a waiting review, ``starts`` times."""
    times = []
    for i in range(starts):
        (run_id,) = await _queue(platform, tenants[:1], 1)
        worker = Worker(IPGOV_WORKER, env, log)
        try:
            times.append(await _until_claimed(platform, run_id, worker, 120))
        finally:
            worker.kill()
        progress(f"ready [{i + 1}/{starts}]: {times[-1]:.2f} s")
    return times


def baseline_ready_times(env: dict[str, str], starts: int, log: Path) -> list[float]:
    """Seconds until a bare dramatiq process runs a waiting no-op message."""
    import dramatiq
    import redis
    from dramatiq.brokers.redis import RedisBroker

    url, ns = env["IPGOV_BROKER_URL"], env["IPGOV_BROKER_NAMESPACE"]
    broker = RedisBroker(url=url, namespace=ns)
    actor = dramatiq.actor(lambda token: None, broker=broker, queue_name=NOOP_QUEUE,
                           actor_name="ipgov_bench_ready")
    client = redis.Redis.from_url(url)
    argv = [sys.executable, "-m", "dramatiq", Path(__file__).stem, "--path", str(BENCH),
            "--processes", "1", "--threads", "2", "--queues", NOOP_QUEUE]
    times = []
    try:
        for _ in range(starts):
            token = uuid.uuid4().hex
            actor.send(token)
            worker = Worker(argv, {**env, "IPGOV_BENCH_READY_WORKER": "1"}, log)
            try:
                while not client.get(f"{ns}:bench-ready:{token}"):
                    if worker.proc.poll() is not None or time.perf_counter() - worker.started > 60:
                        raise SystemExit("the baseline worker did not start")
                    time.sleep(0.02)
                times.append(time.perf_counter() - worker.started)
            finally:
                worker.kill()
    finally:
        broker.close()
        client.close()
    return times


# --- drain ----------------------------------------------------------------------------------

async def drain(platform, env: dict[str, str], tenants: list[str], reviews: int,  # type: ignore[no-untyped-def]
                kill_every: float | None, log: Path) -> tuple[float, int, int, int]:
    """Seconds to finish ``reviews`` queued reviews with two workers; (seconds, kills,
    failed, runs delivered more than once)."""
    run_ids = await _queue(platform, tenants, reviews)
    workers = [Worker(IPGOV_WORKER, env, log) for _ in range(2)]
    started = time.perf_counter()
    kills, victim, next_kill = 0, 0, started + (kill_every or 0)
    try:
        while True:
            statuses = await _statuses(platform, run_ids)
            done = [s for s, _n in statuses.values() if s in ("succeeded", "partial", "failed")]
            now = time.perf_counter()
            if len(done) == len(run_ids):
                break
            if now - started > 1800:
                raise SystemExit(f"drain not finished after 30 min: {len(done)}/{reviews}")
            if kill_every and now >= next_kill:
                workers[victim].kill()
                workers[victim] = Worker(IPGOV_WORKER, env, log)
                kills, victim, next_kill = kills + 1, 1 - victim, now + kill_every
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.kill()
    failed = sum(1 for s, _n in statuses.values() if s == "failed")
    again = sum(1 for _s, n in statuses.values() if n > 1)
    return elapsed, kills, failed, again


# --- main -----------------------------------------------------------------------------------

async def _measure(args: argparse.Namespace, env: dict[str, str], log: Path) -> list[Result]:
    from ipgov.settings import Settings
    from ipgov.startup import build_platform
    from ipgov.work.worker import attach_broker

    settings = Settings.from_env(env)
    platform = build_platform(settings)
    queue = attach_broker(platform)
    rows: list[Result] = []
    try:
        tenants = await _setup_tenants(platform, args.tenants)
        size = f"{'PostgreSQL' if args.postgres else 'SQLite'}, Redis"
        if args.starts:
            base = await asyncio.to_thread(baseline_ready_times, env, args.starts, log)
            ready = await ready_times(platform, env, tenants, args.starts, log)
            for name, pick in (("median", statistics.median), ("max", max)):
                rows.append(Result("workers", f"{size}, {args.starts} starts",
                                   f"worker ready ({name})", pick(ready), "s", pick(base),
                                   "bare dramatiq no-op worker"))
        if args.reviews:
            await drain(platform, env, tenants, 2 * len(tenants), None, log)  # warm-up
            calm = await drain(platform, env, tenants, args.reviews, None, log)
            progress(f"drain without kills: {calm[0]:.1f} s")
            churn = await drain(platform, env, tenants, args.reviews, args.kill_every, log)
            progress(f"drain with kills: {churn[0]:.1f} s ({churn[1]} kills)")
            rows.append(Result("workers", f"{size}, {args.reviews} reviews, 2 workers",
                               f"drain, one worker killed every {args.kill_every:g} s "
                               f"({churn[1]} kills, {churn[2]} failed, {churn[3]} redelivered)",
                               churn[0], "s", calm[0],
                               f"same drain without kills ({calm[2]} failed)"))
    finally:
        queue.broker.close()
        await platform.close()
    return rows


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="worker starts to time (0: skip)")
    parser.add_argument("--reviews", type=int, default=500, help="reviews to drain (0: skip)")
    parser.add_argument("--kill-every", type=float, default=5.0,
                        help="seconds between kills during the second drain")
    parser.add_argument("--tenants", type=int, default=10)
    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    if not _redis_up(args.redis):
        print(f"workers: skipped (no Redis at {args.redis})")
        return
    emit(in_fresh_database(args, _measure))


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """``--postgres`` and ``--redis``, defaulting to the test suite's servers."""
    parser.add_argument("--postgres", default=os.environ.get("IPGOV_TEST_POSTGRES_URL", ""),
                        help="PostgreSQL server URL (a database is created and dropped); "
                             "a SQLite file when empty")
    parser.add_argument("--redis", default=os.environ.get("IPGOV_TEST_REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"))


def in_fresh_database(args: argparse.Namespace, measure: Measure,
                      extra_env: dict[str, str] | None = None) -> list[Result]:
    """``measure(args, env, log)`` on a fresh migrated database (SQLite in a temporary
    directory, or a PostgreSQL database created from ``args.postgres`` and dropped after) and
    a fresh Redis namespace (deleted after); the processes' log is shown when it fails."""
    name = f"ipgov_bench_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix="ipgov-bench-") as tmp:
        env = {**_environment(args, tmp, name), **(extra_env or {})}
        log = Path(tmp) / "processes.log"
        if args.postgres:
            asyncio.run(_admin_sql(args.postgres, f'CREATE DATABASE "{name}"'))
        try:
            _migrate(env)
            return asyncio.run(measure(args, env, log))
        except BaseException:
            if log.exists():
                print(log.read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            delete_redis_namespace(args.redis, env["IPGOV_BROKER_NAMESPACE"])
            if args.postgres:
                asyncio.run(_admin_sql(args.postgres,
                                       f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
