"""Review workers under fire: Redis, PostgreSQL, two `ipgov worker` processes killed repeatedly.

200 reviews of 20 tenants are queued on Redis; two worker processes (1 process x 2 threads
each, lease and requeue of 3 s) process them while one of them, in turn, is SIGKILLed (its
whole process group) and started again: every ~2 s, as soon as the victim has finished a
review since it started (so that, with a backlog, the kill lands while it holds runs).
Every run must end succeeded or partial having done each check exactly once in effect: one
CheckResult per check, findings matching the results, one closing audit event, and every
tenant's audit chain intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipgov.settings import Settings

PG_URL = os.environ.get("IPGOV_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("IPGOV_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not (PG_URL and REDIS_URL),
                       reason="needs IPGOV_TEST_POSTGRES_URL and IPGOV_TEST_REDIS_URL"),
]

IPGOV = [sys.executable, "-m", "ipgov.cli.main"]
TENANTS = 20
REVIEWS_PER_TENANT = 10
KILL_EVERY = 2.0
MAX_KILLS = 8
DEADLINE = 180.0


def _env(tmp_path: Path, owner: str, app: str, namespace: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({
        "IPGOV_DATA_DIR": str(tmp_path / "data"),
        "IPGOV_DATABASE_URL": owner,
        "IPGOV_APP_DATABASE_URL": app,
        "IPGOV_BROKER_URL": REDIS_URL,
        "IPGOV_BROKER_NAMESPACE": namespace,
        "IPGOV_REVIEW_LEASE_SECONDS": "3",
        "IPGOV_REVIEW_REQUEUE_SECONDS": "3",
        "IPGOV_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


class Workers:
    """Two `ipgov worker` process groups; one can be killed and restarted."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: list[subprocess.Popen | None] = [None, None]
        self.current: list[Path | None] = [None, None]
        self.starts = 0

    def start(self, slot: int) -> None:
        self.starts += 1
        self.current[slot] = self.logs / f"worker-{slot}-{self.starts:02d}.log"
        log = open(self.current[slot], "w")  # noqa: SIM115
        self.procs[slot] = subprocess.Popen(
            [*IPGOV, "worker", "--processes", "1", "--threads", "2"], env=self.env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def kill(self, slot: int) -> None:
        proc = self.procs[slot]
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        self.procs[slot] = None

    def busy(self, slot: int) -> bool:
        """Has this incarnation finished a review yet (so it is working through the backlog)?"""
        path = self.current[slot]
        text = path.read_text(errors="replace") if path and path.exists() else ""
        return "): succeeded" in text or "): partial" in text

    def alive(self) -> list[int | None]:
        return [p.poll() if p else -1 for p in self.procs]

    def tail(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.logs.glob("worker-*.log"))[-4:]:
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)


async def _status_counts(platform, run_ids: set[str]) -> Counter:
    from ipgov.reviews.models import ReviewRun

    async with platform.db.system_session("test: statuses") as s:
        rows = (await s.execute(select(ReviewRun.id, ReviewRun.status))).all()
    return Counter(status for run_id, status in rows if run_id in run_ids)


async def _cleanup_redis(namespace: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=f"{namespace}:*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def test_two_workers_killed_repeatedly_each_review_done_once(postgres_database, tmp_path):
    from ipgov.audit.models import AuditEvent
    from ipgov.audit.verify import verify_tenant
    from ipgov.reviews.catalog import checks_for
    from ipgov.reviews.models import TERMINAL, CheckResult, Finding, ReviewRun, RunStatus
    from ipgov.reviews.service import request_review
    from ipgov.startup import build_platform
    from ipgov.tenancy import services
    from ipgov.tenancy.models import Tenant
    from ipgov.work.broker import build_broker
    from ipgov.work.queue import WorkQueue
    from tests.conftest import _truncate

    owner, app, _system = postgres_database
    await _truncate(owner)  # the session's database is shared with other tests
    namespace = f"ipgov-test-{uuid.uuid4().hex[:10]}"
    env = _env(tmp_path, owner, app, namespace)
    settings = Settings.from_env(env)
    platform = build_platform(settings)
    queue = WorkQueue(build_broker(settings), platform.work.kinds)
    platform.work.attach(queue)
    logs = tmp_path / "logs"
    logs.mkdir()
    workers = Workers(env, logs)
    try:
        async with platform.db.system_session("test: platform tenant") as s:
            await services.ensure_platform_tenant(platform, s)
        await platform.authz.load()
        tenant_ids: list[str] = []
        async with platform.db.system_session("test: tenants") as s:
            group = await services.create_group(platform, s, slug="fleet", name="Fleet",
                                                governance_mode="hybrid", actor="test")
            tenant_ids.append(group.id)
            for i in range(TENANTS - 1):
                t = await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                                      slug=f"fleet-{i:02d}", name=f"Fleet {i}",
                                                      actor="test")
                tenant_ids.append(t.id)
        run_ids: set[str] = set()
        for _ in range(REVIEWS_PER_TENANT):
            for tid in tenant_ids:
                run = await request_review(platform, tenant_id=tid, actor="test")
                run_ids.add(run.id)
        assert len(run_ids) == TENANTS * REVIEWS_PER_TENANT

        started = time.monotonic()
        workers.start(0)
        workers.start(1)
        kills, victim, next_kill = 0, 0, started + KILL_EVERY
        counts = Counter()
        while True:
            counts = await _status_counts(platform, run_ids)
            if sum(counts[s] for s in TERMINAL) == len(run_ids):
                break
            now = time.monotonic()
            if now - started > DEADLINE:
                pytest.fail(f"not all runs finished in {DEADLINE:.0f} s (kills: {kills}): "
                            f"{dict(counts)}\n{workers.tail()}")
            if kills < MAX_KILLS and now >= next_kill and workers.busy(victim):
                workers.kill(victim)
                workers.start(victim)
                kills += 1
                victim, next_kill = 1 - victim, now + KILL_EVERY
            for slot, code in enumerate(workers.alive()):
                if code is not None and workers.procs[slot] is not None:
                    pytest.fail(f"worker {slot} exited on its own ({code})\n{workers.tail()}")
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - started

        assert counts[RunStatus.FAILED] == 0, dict(counts)
        async with platform.db.system_session("test: verify") as s:
            runs = {r.id: r for r in (await s.execute(
                select(ReviewRun).where(ReviewRun.id.in_(run_ids)))).scalars()}
            results = (await s.execute(select(CheckResult).where(
                CheckResult.run_id.in_(run_ids)))).scalars().all()
            finding_counts = dict((await s.execute(
                select(Finding.run_id, func.count()).where(Finding.run_id.in_(run_ids))
                .group_by(Finding.run_id))).all())
            closing = Counter((await s.execute(
                select(AuditEvent.object_id).where(
                    AuditEvent.object_id.in_(run_ids),
                    AuditEvent.action.in_(["review.succeeded", "review.partial",
                                           "review.failed"])))).scalars())
            tenants = {t.id: t for t in (await s.execute(
                select(Tenant).where(Tenant.id.in_(tenant_ids)))).scalars()}
            chains = [await verify_tenant(s, platform.audit_key, tid) for tid in tenants]

        per_run: dict[str, list[CheckResult]] = {rid: [] for rid in run_ids}
        for r in results:
            per_run[r.run_id].append(r)
        for run_id, run in runs.items():
            expected = sorted(c.id for _p, c in checks_for(
                platform, frozenset(tenants[run.tenant_id].enabled_plugins or ())))
            got = sorted(r.check_id for r in per_run[run_id])
            assert got == expected, f"run {run_id}: checks {got} != {expected}"
            assert run.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL), run.status
            assert run.checks_total == run.checks_done == len(expected), (
                run_id, run.checks_total, run.checks_done)
            assert finding_counts.get(run_id, 0) == sum(r.findings for r in per_run[run_id])
            assert run.attempts >= 1
            assert run.finished_at is not None and run.lease_until is None
            assert closing[run_id] == 1, f"run {run_id}: {closing[run_id]} closing audit events"
        bad = [c for c in chains if not c.ok]
        assert not bad, bad
        retried = sum(1 for r in runs.values() if r.attempts > 1)
        print(f"\n{len(runs)} runs in {elapsed:.1f} s, {kills} kills, {retried} runs claimed "
              f"more than once, max attempts {max(r.attempts for r in runs.values())}")
        if kills == 0 or retried == 0:
            warnings.warn(f"no run was claimed twice ({kills} kills): the kills did not hit "
                          "a run mid-way, so redelivery was not exercised", stacklevel=1)
    finally:
        for slot in (0, 1):
            workers.kill(slot)
        queue.broker.close()
        await platform.close()
        await _cleanup_redis(namespace)
