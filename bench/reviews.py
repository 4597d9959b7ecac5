"""Benchmark of governance-review throughput against a no-op Dramatiq actor on the same broker.

What it measures: reviews per second end to end, from the first ``request_review`` (run row,
audit event, message) until every run is terminal in the database (each run claims its lease,
runs every core and installed-plugin check on the run's shared read-only sessions, then scores,
syncs directives and appends its closing audit event in one transaction). Workers are started
and warmed up first; the clock starts at the first request, so request cost is included, worker
start-up is not. A
measurement stops after ``--budget`` seconds (default 30) even if runs remain: the rate is then
the runs finished so far over the time so far (the backlog keeps the workers busy throughout).

* (a) embedded default: StubBroker, a ``dramatiq.Worker`` inside this process
  (``ipgov.work.worker.WorkerRuntime``, ``IPGOV_WORKER_THREADS`` threads) and recovery,
  on a fresh SQLite file - what ``ipgov serve`` does with no broker configured.
* (b) Redis and separate ``ipgov worker --processes 1 --threads 2`` processes (``--workers``
  of them) on a fresh PostgreSQL database, the API side connecting as a non-owner role under
  row-level security; needs ``--postgres`` or ``IPGOV_TEST_POSTGRES_URL`` (skipped otherwise)
  and a Redis server (``--redis`` or ``IPGOV_TEST_REDIS_URL``, default redis://127.0.0.1:6379/0).

Beside each, the baseline: messages per second of an async actor that does nothing, on the same
broker kind with the same worker layout (same threads; for (b) the same number of separate
``dramatiq`` worker processes), timed from the first send until the queue is empty. The ratio
baseline / reviews says how much of a review's cost is the review itself rather than the queue.

Run: ``python bench/reviews.py [--reviews 200] [--budget 30] [--tenants 10] [--postgres URL]
[--redis URL]``.
Redis keys live under a fresh namespace and are deleted afterwards; the PostgreSQL database is
created and dropped (the app role ``ipgov_app_bench`` is left in the cluster).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import dramatiq
from _common import Result, delete_redis_namespace, emit

NOOP_QUEUE = "ipgov-bench-noop"
T0 = time.perf_counter()
APP_ROLE = "ipgov_app_bench"


async def _noop(tenant_id: str) -> None:
    """The baseline actor: does nothing (async, like the review actor)."""


def _declare_noop(broker: dramatiq.Broker) -> dramatiq.Actor:
    return dramatiq.actor(_noop, broker=broker, actor_name="ipgov_bench_noop",
                          queue_name=NOOP_QUEUE, max_retries=0)


if os.environ.get("IPGOV_BENCH_NOOP_WORKER") == "1":  # imported by `python -m dramatiq`
    from ipgov.settings import Settings
    from ipgov.work.broker import build_broker

    broker = build_broker(Settings.from_env())
    _declare_noop(broker)
    dramatiq.set_broker(broker)


# --- shared ---------------------------------------------------------------------------------

async def _setup_tenants(platform, tenants: int) -> list[str]:  # type: ignore[no-untyped-def]
    from ipgov.tenancy import services

    async with platform.db.system_session("bench: platform tenant") as s:
        await services.ensure_platform_tenant(platform, s)
    await platform.authz.load()
    ids = []
    async with platform.db.system_session("bench: tenants") as s:
        group = await services.create_group(platform, s, slug="bench", name="Bench",
                                            governance_mode="hybrid", actor="bench")
        ids.append(group.id)
        for i in range(tenants - 1):
            t = await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                                  slug=f"bench-{i:03d}", name=f"Bench {i}",
                                                  actor="bench")
            ids.append(t.id)
    return ids


async def _terminal(platform, run_ids: set[str]) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from ipgov.reviews.models import TERMINAL, ReviewRun

    async with platform.db.system_session("bench: progress") as s:
        rows = dict((await s.execute(select(ReviewRun.status, func.count())
                                     .where(ReviewRun.id.in_(run_ids))
                                     .group_by(ReviewRun.status))).all())
    return sum(n for st, n in rows.items() if st in TERMINAL), rows


async def _review_rate(platform, tenant_ids: list[str], n: int, budget: float) -> str:  # type: ignore[no-untyped-def]
    """Request ``n`` reviews round-robin; reviews/s once all are terminal or ``budget`` s passed.

    Past the budget the rate is the runs finished so far over the time so far (the backlog
    keeps the workers saturated until then, so that is still their throughput).
    """
    from ipgov.reviews.service import request_review

    started = time.perf_counter()
    run_ids = set()
    for i in range(n):
        run = await request_review(platform, tenant_id=tenant_ids[i % len(tenant_ids)],
                                   actor="bench")
        run_ids.add(run.id)
    while True:
        done, statuses = await _terminal(platform, run_ids)
        elapsed = time.perf_counter() - started
        if done == n or elapsed > budget:
            break
        await asyncio.sleep(0.05)
    failed = statuses.get("failed", 0)
    note = f"{done}/{n} runs in {elapsed:.1f} s" + (f", {failed} failed" if failed else "")
    return f"{done / elapsed:10.1f} /s   ({note})"


def _noop_rate(broker: dramatiq.Broker, actor: dramatiq.Actor, messages: int) -> float:
    started = time.perf_counter()
    for _ in range(messages):
        actor.send("bench")
    broker.join(NOOP_QUEUE, timeout=120_000)
    return messages / (time.perf_counter() - started)


def _report(label: str, reviews: str, noop: float, size: str = "") -> None:
    rate = float(reviews.split()[0])
    emit([Result("reviews", size or label.split(":")[0], "time per review (1 / rate)",
                 1000 / rate if rate else None, "ms", 1000 / noop, "per no-op message")])
    print(f"{label}:  [{time.perf_counter() - T0:.0f} s since start]")
    print(f"  reviews          {reviews}")
    print(f"  no-op actor      {noop:10.1f} msg/s")
    ratio = f"{noop / rate:10.1f}x" if rate else "       n/a"
    print(f"  ratio            {ratio}  (no-op msg/s per review/s)", flush=True)


def _plugin_locations(platform) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in platform.registry.hook.register_migrations() if p]


# --- (a) embedded -------------------------------------------------------------------------

def bench_embedded(args: argparse.Namespace) -> None:
    from ipgov.db.migrate import upgrade
    from ipgov.settings import Settings
    from ipgov.startup import build_platform
    from ipgov.work.broker import build_broker

    with tempfile.TemporaryDirectory(prefix="ipgov-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), log_level="WARNING")
        threads = settings.worker_threads

        noop_broker = build_broker(settings)  # StubBroker, same middleware
        noop_actor = _declare_noop(noop_broker)
        worker = dramatiq.Worker(noop_broker, worker_threads=threads, worker_timeout=200)
        worker.start()
        _noop_rate(noop_broker, noop_actor, min(200, args.noop_messages))  # warm-up
        noop = _noop_rate(noop_broker, noop_actor, args.noop_messages)
        worker.stop()

        platform = build_platform(settings)
        upgrade(settings.sqlalchemy_url, _plugin_locations(platform))
        reviews = asyncio.run(_embedded_reviews(platform, args, threads))
        _report(f"(a) embedded: StubBroker, in-process worker ({threads} threads), SQLite",
                reviews, noop, f"embedded, SQLite, {args.reviews} reviews")


async def _embedded_reviews(platform, args: argparse.Namespace, threads: int) -> str:  # type: ignore[no-untyped-def]
    from ipgov.work.recovery import recovery_loop
    from ipgov.work.worker import WorkerRuntime

    runtime = WorkerRuntime(platform.settings)
    platform.work.attach(runtime.queue)
    worker = runtime.queue.start_worker(threads)
    recovery = asyncio.create_task(recovery_loop(platform, every=5.0))
    try:
        tenant_ids = await _setup_tenants(platform, args.tenants)
        await _review_rate(platform, tenant_ids, len(tenant_ids), args.budget)  # warm-up
        return await _review_rate(platform, tenant_ids, args.reviews, args.budget)
    finally:
        recovery.cancel()
        await asyncio.to_thread(worker.stop)
        await runtime.close_from_other_loop()
        await platform.close()


# --- (b) Redis + worker processes -------------------------------------------------------

class Processes:
    """Worker processes, each in its own session (process group) so that nothing is left."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        with open(log, "a") as out:
            self.procs.append(subprocess.Popen(argv, env=env, stdout=out,
                                               stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:  # the main process forwards it to its children; a
                os.kill(proc.pid, signal.SIGTERM)  # second SIGTERM would make them hang
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = []


def _wait_for_heartbeats(redis_url: str, namespace: str, count: int, timeout: float = 60) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while client.zcard(f"{namespace}:__heartbeats__") < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"worker processes did not start within {timeout:.0f} s")
            time.sleep(0.1)
    finally:
        client.close()


def bench_redis(args: argparse.Namespace) -> None:
    from sqlalchemy.engine import make_url

    from ipgov.db.migrate import upgrade
    from ipgov.settings import Settings
    from ipgov.startup import build_platform
    from ipgov.work.broker import build_broker
    from ipgov.work.worker import attach_broker

    base = make_url(args.postgres)
    name = f"ipgov_bench_{uuid.uuid4().hex[:10]}"
    owner = base.set(database=name).render_as_string(hide_password=False)
    app = base.set(database=name, username=APP_ROLE, password=APP_ROLE).render_as_string(
        hide_password=False)
    namespace = f"ipgov-bench-{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(args.postgres, f'CREATE DATABASE "{name}"'))
    procs = Processes()
    with tempfile.TemporaryDirectory(prefix="ipgov-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
        env.update({"IPGOV_DATA_DIR": tmp, "IPGOV_DATABASE_URL": owner,
                    "IPGOV_APP_DATABASE_URL": app, "IPGOV_BROKER_URL": args.redis,
                    "IPGOV_BROKER_NAMESPACE": namespace, "IPGOV_LOG_LEVEL": "WARNING"})
        settings = Settings.from_env(env)
        log = Path(tmp) / "workers.log"
        layout = f"{args.workers} x `--processes 1 --threads 2`"
        try:
            # baseline: the no-op actor in separate dramatiq processes on the same Redis
            noop_broker = build_broker(settings)
            noop_actor = _declare_noop(noop_broker)
            noop_env = {**env, "IPGOV_BENCH_NOOP_WORKER": "1"}
            for _ in range(args.workers):
                procs.start([sys.executable, "-m", "dramatiq", Path(__file__).stem, "--path",
                             str(Path(__file__).resolve().parent), "--processes", "1",
                             "--threads", "2", "--queues", NOOP_QUEUE], noop_env, log)
            _wait_for_heartbeats(args.redis, namespace, args.workers)
            _noop_rate(noop_broker, noop_actor, min(200, args.noop_messages))  # warm-up
            noop = _noop_rate(noop_broker, noop_actor, args.noop_messages)
            procs.stop()
            noop_broker.close()
            delete_redis_namespace(args.redis, namespace)

            platform = build_platform(settings)
            upgrade(owner, _plugin_locations(platform), app_role=APP_ROLE,
                    app_password=APP_ROLE)
            queue = attach_broker(platform)
            for _ in range(args.workers):
                procs.start([sys.executable, "-m", "ipgov.cli.main", "worker", "--processes",
                             "1", "--threads", "2"], env, log)
            _wait_for_heartbeats(args.redis, namespace, args.workers)
            reviews = asyncio.run(_redis_reviews(platform, args))
            queue.broker.close()
            _report(f"(b) Redis, {layout} worker processes, PostgreSQL (RLS)", reviews, noop)
        except BaseException:
            if log.exists():
                print(log.read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            procs.stop()
            delete_redis_namespace(args.redis, namespace)
            asyncio.run(_admin_sql(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _redis_reviews(platform, args: argparse.Namespace) -> str:  # type: ignore[no-untyped-def]
    try:
        tenant_ids = await _setup_tenants(platform, args.tenants)
        await _review_rate(platform, tenant_ids, len(tenant_ids), args.budget)  # warm-up
        return await _review_rate(platform, tenant_ids, args.reviews, args.budget)
    finally:
        await platform.close()


async def _admin_sql(url: str, sql: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=200, help="reviews per measurement")
    parser.add_argument("--tenants", type=int, default=10, help="tenants reviewed round-robin")
    parser.add_argument("--noop-messages", type=int, default=5000,
                        help="messages for the no-op baseline")
    parser.add_argument("--workers", type=int, default=2,
                        help="(b): separate worker processes (1 process x 2 threads each)")
    parser.add_argument("--postgres", default=os.environ.get("IPGOV_TEST_POSTGRES_URL", ""),
                        help="PostgreSQL server URL for (b) (a database is created and dropped)")
    parser.add_argument("--redis", default=os.environ.get("IPGOV_TEST_REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"))
    parser.add_argument("--budget", type=float, default=30.0,
                        help="seconds per review measurement; past it the rate is of the runs "
                             "finished so far")
    parser.add_argument("--embedded-only", action="store_true", help="skip (b)")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("dramatiq").setLevel(logging.ERROR)
    print(f"{args.reviews} reviews over {args.tenants} tenants; baseline "
          f"{args.noop_messages} no-op messages", flush=True)
    bench_embedded(args)
    if args.postgres and not args.embedded_only:
        bench_redis(args)
    else:
        print("(b) Redis + worker processes: skipped (no PostgreSQL: pass --postgres URL or "
              "set IPGOV_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
