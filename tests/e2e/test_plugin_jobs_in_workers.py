"""Every plugin's jobs, run by a real ``ipgov worker`` process (issue 22, item 5).

A worker process builds its own platform; plugin jobs and checks read the tenant directory
(``tenant_info``, ``descendants``, ``list_ip_objects``), which a worker used to leave empty
(every ``data_governance.ip_inventory_sync`` failed with "tenant ... not found"). Here every
job kind any installed plugin registers is enqueued on Redis for a tenant and run by an
``ipgov worker``; each must succeed. Then a subsidiary is onboarded while the worker runs and
its job must succeed too (the worker's directory is kept fresh). A job of one tenant never
touches another's rows: the inventory sync of ``acme-a`` sees only ``acme-a``'s patents.

Runs on a SQLite file and, with ``IPGOV_TEST_POSTGRES_URL``, on PostgreSQL (non-owner role);
needs Redis (``IPGOV_TEST_REDIS_URL``).
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
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import make_group
from tests.e2e.test_review_workers import _cleanup_redis

REDIS_URL = os.environ.get("IPGOV_TEST_REDIS_URL", "")
DEMO_PATENT = (Path(__file__).parents[2] / "plugins" / "patent_search" / "demo_data"
               / "semiconductor_portfolio" / "PatentPublication_Example.xml")
TERMINAL = ("succeeded", "failed", "cancelled")

pytestmark = [pytest.mark.redis,
              pytest.mark.skipif(not REDIS_URL, reason="needs IPGOV_TEST_REDIS_URL")]


async def _portfolio(platform, tenant_id: str) -> str:
    """A portfolio collection of ``tenant_id`` (what the ingestion job fills)."""
    from patent_search.models import Collection

    async with platform.db.tenant_session(tenant_id) as s:
        collection = Collection(name="Portfolio", kind="portfolio")
        s.add(collection)
        await s.flush()
        return collection.id


async def _recipes(platform, tenant_id: str) -> dict[str, dict[str, Any]]:
    """Parameters to run each known job kind with; a new kind fails the test until added."""
    return {
        "data_governance.lifecycle_sweep": {},
        "data_governance.quality_evaluation": {},
        "data_governance.ip_inventory_sync": {},
        "ip_governance.deadline_reminders": {},
        "patent_search.ingest": {"collection_id": await _portfolio(platform, tenant_id),
                                 "source": str(DEMO_PATENT)},
        # no office account is set up here: the run says so and asks no office
        "patent_search.office_refresh": {},
    }


class Worker:
    """One ``ipgov worker`` process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ipgov.cli.main", "worker", "--processes", "1",
                 "--threads", "2"], env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


def _env(platform, namespace: str) -> dict[str, str]:
    s = platform.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({"IPGOV_DATA_DIR": str(s.data_dir), "IPGOV_DATABASE_URL": s.database_url,
                "IPGOV_APP_DATABASE_URL": s.app_database_url, "IPGOV_BROKER_URL": REDIS_URL,
                "IPGOV_BROKER_NAMESPACE": namespace, "IPGOV_LOG_LEVEL": "WARNING",
                "IPGOV_PATENT_IMPORT_DIRS": str(DEMO_PATENT.parent), "PYTHONUNBUFFERED": "1"})
    return env


async def _jobs(platform, tenant_id: str, ids: list[str]) -> dict[str, Any]:
    from ipgov.jobs.models import Job

    async with platform.db.tenant_session(tenant_id) as s:
        return {j.id: j for j in (await s.execute(select(Job).where(Job.id.in_(ids))))
                .scalars()}


async def _finished(platform, tenant_id: str, ids: list[str], worker: Worker,
                    timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = await _jobs(platform, tenant_id, ids)
        if all(j.status in TERMINAL for j in jobs.values()):
            return jobs
        if worker.proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"jobs not finished: {[(j.kind, j.status) for j in jobs.values()]}\n"
                        f"{worker.log.read_text()[-3000:]}")
        await asyncio.sleep(0.3)


async def test_every_plugin_job_runs_in_a_real_worker(platform, tmp_path):
    from ipgov.jobs.service import enqueue_job, job_kinds
    from ipgov.work.broker import build_broker
    from ipgov.work.queue import WorkQueue

    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    recipes = await _recipes(platform, tenant)
    kinds = job_kinds(platform)
    assert set(kinds) <= set(recipes), f"job kinds without a recipe: {set(kinds) - set(recipes)}"
    namespace = f"ipgov-jobs-{uuid.uuid4().hex[:8]}"
    env = _env(platform, namespace)
    queue = WorkQueue(build_broker(platform.settings.__class__.from_env(env)),
                      platform.work.kinds)
    platform.work.attach(queue)
    worker = Worker(env, tmp_path / "worker.log")
    try:
        ingest = await enqueue_job(platform, tenant_id=tenant, kind="patent_search.ingest",
                                   params=recipes["patent_search.ingest"], actor="test")
        assert (await _finished(platform, tenant, [ingest.id], worker))[ingest.id].status \
            == "succeeded"
        ids = [(await enqueue_job(platform, tenant_id=tenant, kind=kind, params=recipes[kind],
                                  actor="test")).id for kind in sorted(kinds)]
        jobs = await _finished(platform, tenant, ids, worker)
        failed = {j.kind: j.failure for j in jobs.values() if j.status != "succeeded"}
        assert not failed, failed
        sync = next(j for j in jobs.values() if j.kind == "data_governance.ip_inventory_sync")
        assert sync.result["objects"] >= 1, sync.result  # it saw acme-a's ingested patent
        await _new_tenant_job(platform, acme, worker)
    finally:
        worker.stop()
        queue.broker.close()
        await _cleanup_redis(namespace)


async def _new_tenant_job(platform, acme, worker: Worker) -> None:
    """A subsidiary onboarded after the worker loaded its directory: its jobs work too, and its
    inventory holds nothing of acme-a's."""
    from ipgov.jobs.service import enqueue_job
    from ipgov.tenancy import services

    async with platform.db.system_session("test: late subsidiary") as s:
        late = await services.onboard_subsidiary(platform, s, parent_id=acme.ids["acme"],
                                                 slug="acme-late", name="Acme late",
                                                 actor="test")
    job = await enqueue_job(platform, tenant_id=late.id,
                            kind="data_governance.ip_inventory_sync", actor="test")
    done = (await _finished(platform, late.id, [job.id], worker))[job.id]
    assert done.status == "succeeded", done.failure
    assert done.result["objects"] == 0, done.result  # acme-a's patent is not acme-late's
