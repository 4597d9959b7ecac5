"""Faults: the database goes away, the broker goes away, the disk fills up.

- Database outage (PostgreSQL behind a pausable TCP proxy): requests fail at once with 503
  ``DATABASE_UNAVAILABLE`` and ``Retry-After``; nothing half-done stays; the same app serves
  again as soon as the database is back, without a restart.
- Broker outage (Redis behind the same proxy): a requested review is kept (its row is the
  record), recovery resends it once Redis is back, and a real worker runs it exactly once.
- Disk full (a file-size rlimit in a subprocess): appending to the audit trail fails with a
  clear error; every committed event verifies and no partial event is visible.
- Broker lost its queue (Redis restarted empty): recovery resends within
  ``IPGOV_REVIEW_REQUEUE_SECONDS``; messages a dead worker had fetched go back on the queue.
- Worker SIGKILL: covered by ``tests/e2e/test_review_workers.py`` (two ``ipgov worker``
  processes killed repeatedly; each review done once), not repeated here.
- Redis cut or silent under real API processes, a silent PostgreSQL and a locked SQLite:
  ``tests/security/test_outages.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.conftest import GraphQLClient, make_group
from tests.security.conftest import codes
from tests.security.pgproxy import PausableProxy, ThreadedProxy

TENANT = "query($t: ID!) { tenant(id: $t) { id } }"
REQUEST_REVIEW = """mutation($t: ID!) { requestReview(tenantId: $t) {
  run { id status } errors { code message } } }"""


async def _review_runs(platform, tenant_id: str) -> list[tuple[str, str]]:
    from ipgov.reviews.models import ReviewRun

    async with platform.db.tenant_session(tenant_id) as s:
        return list((await s.execute(select(ReviewRun.id, ReviewRun.status)
                                     .order_by(ReviewRun.id))).all())


LOGIN = """mutation { login(email: "nobody@acme.example", password: "whatever-long-1") {
  token errors { code } } }"""


async def test_database_outage_is_503_and_recovers_without_restart(platform, backend):
    if backend != "postgres":
        pytest.skip("the outage is a paused proxy in front of PostgreSQL")
    from ipgov.startup import build_platform
    from ipgov.web.app import create_app

    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    proxy = await PausableProxy("127.0.0.1", make_url(platform.settings.database_url).port
                                or 5432).start()

    def via_proxy(url: str) -> str:
        return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)

    s = platform.settings
    proxied = build_platform(dataclasses.replace(
        s, database_url=via_proxy(s.database_url), app_database_url=via_proxy(s.app_database_url),
        system_database_url=via_proxy(s.system_database_url)))
    await proxied.authz.load()
    runs_before = await _review_runs(platform, tenant)
    token = acme.token("a-admin")
    transport = httpx.ASGITransport(app=create_app(proxied))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as http:
            gql = GraphQLClient(http)
            assert (await gql(TENANT, {"t": tenant}, token=token))["data"]["tenant"]["id"] == tenant
            proxy.cut()
            outage_started = time.monotonic()
            outcomes = []
            while time.monotonic() - outage_started < 3.0:
                for query in (TENANT, REQUEST_REVIEW):
                    started = time.monotonic()
                    response = await gql.post(query, {"t": tenant}, token=token)
                    outcomes.append((response.status_code, time.monotonic() - started))
                    assert response.status_code == 503, response.text
                    assert codes(response.json()) == ["DATABASE_UNAVAILABLE"]
                    assert response.headers["retry-after"] == "5"
                # an anonymous call that reaches the database in its resolver (login)
                anonymous = await gql.post(LOGIN, {})
                assert anonymous.status_code == 503, anonymous.text
                assert codes(anonymous.json()) == ["DATABASE_UNAVAILABLE"]
                ready = await http.get("/readyz")
                assert ready.status_code == 503 and ready.json()["database"] == "down"
                await asyncio.sleep(0.25)
            assert proxy.refused > 0  # the requests really tried to reach the database
            assert max(d for _s, d in outcomes) < 2.0  # failed fast, did not hang
            proxy.resume()
            first_ok = None
            for attempt in range(5):
                body = await gql(TENANT, {"t": tenant}, token=token)
                if (body.get("data") or {}).get("tenant"):
                    first_ok = attempt
                    break
            assert first_ok is not None and first_ok <= 1, "not recovered after the outage"
            for _ in range(5):  # and stays up
                assert (await gql(TENANT, {"t": tenant}, token=token))["data"]["tenant"]
            assert (await http.get("/readyz")).status_code == 200
            done = await gql(REQUEST_REVIEW, {"t": tenant}, token=token)
            assert done["data"]["requestReview"]["run"]["status"] == "queued"
    finally:
        await proxied.close()
        await proxy.close()
    runs_after = await _review_runs(platform, tenant)
    assert len(runs_after) == len(runs_before) + 1  # the refused requests stored nothing
    print(f"\noutage: {len(outcomes)} requests refused with 503 in "
          f"{max(d for _s, d in outcomes) * 1000:.0f} ms at most; recovered on attempt "
          f"{first_ok + 1}")


# --------------------------------------------------------------------------- broker


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.redis
async def test_broker_outage_keeps_the_review_and_recovery_sends_it(platform, backend):
    if not _redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    from ipgov.web.app import create_app
    from ipgov.work.recovery import recover
    from ipgov.work.worker import WorkerRuntime, attach_broker

    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    proxy = ThreadedProxy("127.0.0.1", 6379)  # redis-py blocks: the proxy needs its own loop
    settings = dataclasses.replace(
        platform.settings, broker_url=f"redis://127.0.0.1:{proxy.port}/0",
        broker_namespace=f"ipgov-sec-{uuid.uuid4().hex[:8]}", review_requeue_seconds=0)
    platform.settings = settings
    attach_broker(platform)
    transport = httpx.ASGITransport(app=create_app(platform))
    worker = runtime = None
    try:
        proxy.cut()
        await asyncio.sleep(0.05)
        async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as http:
            body = await GraphQLClient(http)(REQUEST_REVIEW, {"t": tenant},
                                             token=acme.token("a-admin"))
        run = body["data"]["requestReview"]["run"]
        assert run["status"] == "queued" and not body["data"]["requestReview"]["errors"], body
        assert await _review_runs(platform, tenant) == [(run["id"], "queued")]
        assert await recover(platform) == 0  # still down: nothing sent, the row stays
        proxy.resume()
        await asyncio.sleep(0.05)
        resent = 0
        for _ in range(3):  # the connection pool may need one pass to notice Redis is back;
            resent += await recover(platform)  # a failed resend leaves the run "never sent",
            if resent:  # so the next pass tries again (it used to wait ten requeue periods)
                break
        assert resent == 1
        runtime = WorkerRuntime(settings)
        worker = runtime.queue.start_worker(1)
        status = await _wait_for_status(platform, tenant, run["id"], timeout=60)
        assert status in {"succeeded", "partial"}, status
        assert await recover(platform) == 0  # finished: never resent again
    finally:
        if worker is not None:
            await asyncio.to_thread(worker.stop)
            await runtime.close_from_other_loop()
        proxy.close()
    from ipgov.reviews.models import ReviewRun

    async with platform.db.tenant_session(tenant) as s:
        attempts = (await s.execute(select(ReviewRun.attempts).where(
            ReviewRun.id == run["id"]))).scalar_one()
    assert attempts == 1  # sent once after the outage, run once
    assert len(await _review_runs(platform, tenant)) == 1  # no duplicate run


async def _wait_for_status(platform, tenant_id: str, run_id: str, timeout: float) -> str:
    from ipgov.reviews.models import TERMINAL

    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = dict(await _review_runs(platform, tenant_id))[run_id]
        if status in TERMINAL:
            break
        await asyncio.sleep(0.2)
    return status


async def _sent_review(platform, redis_db: int = 0):
    """A review requested and sent on a fresh Redis namespace; (settings, run id, tenant)."""
    from ipgov.reviews.service import request_review
    from ipgov.work.worker import attach_broker

    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    settings = dataclasses.replace(
        platform.settings, broker_url=f"redis://127.0.0.1:6379/{redis_db}",
        broker_namespace=f"ipgov-sec-{uuid.uuid4().hex[:8]}", review_requeue_seconds=1,
        review_resend_seconds=3600)
    platform.settings = settings
    attach_broker(platform)
    run = await request_review(platform, tenant_id=tenant, actor="test")
    return settings, run.id, tenant


def _redis_client():
    import redis

    return redis.Redis.from_url("redis://127.0.0.1:6379/0")


def _drop_namespace(namespace: str) -> int:
    client = _redis_client()
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


@pytest.mark.redis
async def test_a_lost_broker_queue_is_resent_within_the_requeue_bound(platform, backend):
    """Redis restarted empty (or a purged queue): the run is resent after
    IPGOV_REVIEW_REQUEUE_SECONDS because the broker says it holds nothing, not after the long
    IPGOV_REVIEW_RESEND_SECONDS safety net (an hour here; it used to be 10 x requeue)."""
    if not _redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    from ipgov.reviews.work import QUEUE_NAME
    from ipgov.work.recovery import recover

    settings, run_id, _tenant = await _sent_review(platform)
    queue = platform.work.queue
    try:
        await asyncio.sleep(1.2)  # past the requeue bound
        assert await recover(platform) == 0  # still held by the broker: waiting, not lost
        assert _drop_namespace(settings.broker_namespace) > 0  # Redis loses every message
        assert await recover(platform) == 1  # the broker holds nothing: resent at once
        assert await asyncio.to_thread(queue.held, QUEUE_NAME) == 1
        assert await recover(platform) == 0  # just resent: not again
    finally:
        queue.broker.close()
        _drop_namespace(settings.broker_namespace)


@pytest.mark.redis
async def test_messages_fetched_by_a_dead_worker_go_back_on_the_queue(platform, backend):
    """A worker killed with fetched-but-unstarted messages: recovery's maintenance pass puts
    them back on the queue once its heartbeat is stale (Dramatiq itself does so on one
    command in a thousand, at random), and nothing is resent twice."""
    if not _redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    from dramatiq.brokers.redis import RedisBroker

    from ipgov.reviews.work import QUEUE_NAME
    from ipgov.work.recovery import recover

    settings, run_id, _tenant = await _sent_review(platform)
    queue = platform.work.queue
    doomed = RedisBroker(url=settings.broker_url, namespace=settings.broker_namespace)
    client = _redis_client()
    ns = settings.broker_namespace
    try:
        fetched = await asyncio.to_thread(doomed.do_fetch, QUEUE_NAME, 10)
        assert len(fetched) == 1 and run_id in fetched[0].decode()
        assert client.llen(f"{ns}:{QUEUE_NAME}") == 0  # in the doomed worker's hands
        client.zadd(f"{ns}:__heartbeats__", {doomed.broker_id: 0})  # ... which then dies
        await asyncio.sleep(1.2)
        assert await recover(platform) == 0  # held by the broker: back on the queue, no resend
        assert client.llen(f"{ns}:{QUEUE_NAME}") == 1
        assert client.scard(f"{ns}:__acks__.{doomed.broker_id}.{QUEUE_NAME}") == 0
    finally:
        doomed.close()
        client.close()
        queue.broker.close()
        _drop_namespace(ns)


# --------------------------------------------------------------------------- disk full

DISK_FULL_CHILD = r"""
import asyncio, json, resource, sys
from pathlib import Path
from ipgov.startup import build_platform
from ipgov.settings import Settings

data_dir, url, tenant, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

async def main():
    platform = build_platform(Settings(data_dir=Path(data_dir), database_url=url))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    committed, error = 0, None
    try:
        for i in range(100_000):
            async with platform.db.tenant_session(tenant) as s:
                await platform.audit(s, tenant_id=tenant, actor="ingest", action="doc.stored",
                                     object_type="ipgov:tenant", object_id=tenant,
                                     details={"i": i, "text": "x" * 2000})
            committed += 1
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    await platform.db.dispose()
    print(json.dumps({"committed": committed, "error": error}))

asyncio.run(main())
"""


async def test_disk_full_while_writing_is_a_clear_error_and_nothing_half_written(
        platform, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("the file-size limit applies to the embedded SQLite file")
    from ipgov.audit.models import AuditEvent
    from ipgov.audit.verify import verify_tenant

    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    url = platform.settings.database_url
    db_file = url.removeprefix("sqlite+aiosqlite:///")
    async with platform.db.tenant_session(tenant) as s:
        before = (await s.execute(select(func.count(AuditEvent.id)))).scalar_one()
    await platform.db.dispose()
    wal = f"{db_file}-wal"
    size = max(os.path.getsize(db_file), os.path.getsize(wal) if os.path.exists(wal) else 0)
    limit = size + 256 * 1024
    script = tmp_path / "child.py"
    script.write_text(DISK_FULL_CHILD)
    done = subprocess.run([sys.executable, str(script), str(platform.settings.data_dir), url,
                           tenant, str(limit)], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["error"], "the file-size limit was never reached"
    assert "full" in outcome["error"].lower() or "disk" in outcome["error"].lower(), outcome
    assert outcome["committed"] > 0
    async with platform.db.system_session("cli: audit verify") as s:
        result = await verify_tenant(s, platform.audit_key, tenant)
        stored = (await s.execute(select(func.count(AuditEvent.id)).where(
            AuditEvent.tenant_id == tenant))).scalar_one()
    assert result.ok, result
    assert stored == before + outcome["committed"]  # every commit kept, the failed one absent
    print(f"\ndisk full after {outcome['committed']} events: {outcome['error']}")
