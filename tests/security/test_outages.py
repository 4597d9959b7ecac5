"""Outages through real ``ipgov serve`` processes: a dependency cut or silent behind a proxy.

- Redis (rate-limit counters and broker) cut, then silent, under two API processes: proven
  callers keep being served on a per-process fallback budget (which still limits them),
  anonymous callers and sign-in get 503 ``RATE_LIMIT_UNAVAILABLE`` with ``Retry-After``, a
  review request is kept queued, ``/readyz`` answers 503 naming the dependencies down; never a
  500; everything returns to normal, shared counters included, once Redis is back.
- PostgreSQL silent (paused, not closed): every request answers 503 ``DATABASE_UNAVAILABLE``
  within the configured timeouts instead of hanging, ``/healthz`` keeps answering, and the
  same process serves again when the database answers.
- SQLite locked by another writer: 503 ``DATABASE_UNAVAILABLE`` after the lock timeout, not
  the former fixed 10 s.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import make_group
from tests.security.conftest import codes
from tests.security.pgproxy import ThreadedProxy
from tests.security.servers import ApiProcess, timed
from tests.security.test_faults import _redis_up

ME = "{ me { id } }"
TENANT = "query($t: ID!) { tenant(id: $t) { id } }"
LOGIN = """mutation { login(email: "nobody@acme.example", password: "whatever-long-1") {
  token errors { code } } }"""
REQUEST_REVIEW = """mutation($t: ID!) { requestReview(tenantId: $t) {
  run { id status } errors { code message } } }"""


async def _post(http: httpx.AsyncClient, api: ApiProcess, query: str,
                variables: dict | None = None, token: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await http.post(f"{api.url}/graphql", json={"query": query,
                                                        "variables": variables or {}},
                           headers=headers)


async def _until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {timeout:.0f} s")
        await asyncio.sleep(0.2)


# --------------------------------------------------------------------------- Redis


@pytest.mark.redis
async def test_redis_outage_degrades_deliberately_on_two_apis(platform, backend):
    if backend != "sqlite":
        pytest.skip("the outage is Redis: one database backend is enough")
    if not _redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    proxy = ThreadedProxy("127.0.0.1", 6379)
    env = {"IPGOV_RATE_LIMIT_STORAGE": f"redis://127.0.0.1:{proxy.port}/15",
           "IPGOV_BROKER_URL": f"redis://127.0.0.1:{proxy.port}/0",
           "IPGOV_BROKER_NAMESPACE": f"ipgov-sec-{uuid.uuid4().hex[:8]}",
           "IPGOV_REDIS_TIMEOUT_SECONDS": "0.5", "IPGOV_RATE_LIMIT_USER": "8/minute",
           "IPGOV_RATE_LIMIT_ANONYMOUS": "1000/minute"}
    seen: list[int] = []
    try:
        with ApiProcess(platform, env, "api-a") as a, ApiProcess(platform, env, "api-b") as b:
            async with httpx.AsyncClient(timeout=30) as http:
                for api in (a, b):
                    ready = await http.get(f"{api.url}/readyz")
                    assert ready.status_code == 200, ready.text
                    assert ready.json()["rateLimitStore"] == ready.json()["broker"] == "up"
                for mode, user in (("cut", "b-admin"), ("silence", "c-contrib")):
                    getattr(proxy, mode)()
                    for api in (a, b):
                        seen += await _degraded(http, api, acme, tenant)
                    seen += await _fallback_budget_holds(http, a, acme.token(user))
                    proxy.resume()
                    for api in (a, b):
                        await _recovered(http, api)
    finally:
        proxy.close()
    assert seen and set(seen) <= {200, 429, 503}, seen  # deliberate answers, never a 500


async def _degraded(http, api, acme, tenant: str) -> list[int]:
    """One API during the outage: what each kind of caller gets."""
    token = acme.token("a-admin")
    me, took = await timed(_post(http, api, ME, token=token))
    assert isinstance(me, httpx.Response), (me, api.tail())
    assert me.status_code == 200, (me.text, api.tail())
    assert me.json()["data"]["me"]["id"] == acme.users["a-admin"]  # fail open
    assert took < 5, took
    anonymous = await _post(http, api, LOGIN)
    assert anonymous.status_code == 503, anonymous.text  # fail closed
    assert codes(anonymous.json()) == ["RATE_LIMIT_UNAVAILABLE"]
    assert int(anonymous.headers["retry-after"]) >= 1
    forged = await _post(http, api, ME, token="eyJhbGciOiJub25lIn0.e30.")
    assert forged.status_code == 503 and codes(forged.json()) == ["RATE_LIMIT_UNAVAILABLE"]
    review = await _post(http, api, REQUEST_REVIEW, {"t": tenant}, token=token)
    assert review.status_code == 200, review.text
    assert review.json()["data"]["requestReview"]["run"]["status"] == "queued"  # kept
    ready = await http.get(f"{api.url}/readyz")
    assert ready.status_code == 503, ready.text
    assert ready.json() == {"status": "unavailable", "database": "up",
                            "rateLimitStore": "down", "broker": "down"}
    return [me.status_code, anonymous.status_code, forged.status_code, review.status_code,
            ready.status_code]


async def _fallback_budget_holds(http, api, token: str) -> list[int]:
    """Failing open is not unlimited: the per-process fallback budget has the same limit."""
    statuses = [(await _post(http, api, ME, token=token)).status_code for _ in range(8)]
    assert statuses == [200] * 8, statuses
    over = await _post(http, api, ME, token=token)
    assert over.status_code == 429 and codes(over.json()) == ["RATE_LIMITED"], over.text
    return [*statuses, over.status_code]


async def _recovered(http, api) -> None:
    async def back() -> bool:
        login = await _post(http, api, LOGIN)
        ready = await http.get(f"{api.url}/readyz")
        return login.status_code == 200 and ready.status_code == 200

    await _until(back, 20, f"{api.url} serving anonymous callers again")
    assert (await http.get(f"{api.url}/readyz")).json()["rateLimitStore"] == "up"


# --------------------------------------------------------------------------- PostgreSQL


async def test_silent_postgres_answers_503_within_a_bounded_time(platform, backend):
    if backend != "postgres":
        pytest.skip("the silent server is PostgreSQL behind a proxy")
    acme = await make_group(platform, "acme")
    tenant, token = acme.ids["acme-a"], acme.token("a-admin")
    s = platform.settings
    proxy = ThreadedProxy("127.0.0.1", make_url(s.database_url).port or 5432)

    def via_proxy(url: str) -> str:
        return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)

    env = {"IPGOV_DATABASE_URL": via_proxy(s.database_url),
           "IPGOV_APP_DATABASE_URL": via_proxy(s.app_database_url),
           "IPGOV_DATABASE_STATEMENT_TIMEOUT_SECONDS": "2",
           "IPGOV_DATABASE_CONNECT_TIMEOUT_SECONDS": "1",
           "IPGOV_DATABASE_POOL_TIMEOUT_SECONDS": "1"}
    bound = 2 + 1 + 3  # statement (+1 s client margin), then generous slack for a busy CI
    try:
        with ApiProcess(platform, env) as api:
            async with httpx.AsyncClient(timeout=60) as http:
                warm = await _post(http, api, TENANT, {"t": tenant}, token=token)
                assert warm.json()["data"]["tenant"]["id"] == tenant, warm.text
                proxy.silence()
                outcomes, health = await _during_silence(http, api, tenant, token)
                proxy.resume()
                await _until(lambda: _tenant_ok(http, api, tenant, token), 20,
                             "serving after the database answers again")
    finally:
        proxy.close()
    for name, (result, took) in outcomes.items():
        assert isinstance(result, httpx.Response), (name, result, api.tail())
        assert result.status_code == 503, (name, result.text)
        assert took < bound, (name, took)
        if name != "readyz":
            assert codes(result.json()) == ["DATABASE_UNAVAILABLE"], (name, result.text)
            assert result.headers["retry-after"] == "5"
    assert outcomes["readyz"][0].json()["database"] == "down"
    assert health and max(health) < 1.5, health  # the process stayed responsive
    print(f"\nsilent database: slowest 503 after "
          f"{max(t for _r, t in outcomes.values()):.1f} s; /healthz at most {max(health):.2f} s")


async def _during_silence(http, api, tenant: str, token: str):
    calls = {f"tenant-{i}": _post(http, api, TENANT, {"t": tenant}, token=token)
             for i in range(6)}
    calls["login"] = _post(http, api, LOGIN)
    calls["review"] = _post(http, api, REQUEST_REVIEW, {"t": tenant}, token=token)
    calls["readyz"] = http.get(f"{api.url}/readyz")
    tasks = {name: asyncio.create_task(timed(call)) for name, call in calls.items()}
    health = []
    while not all(t.done() for t in tasks.values()):
        started = time.monotonic()
        response = await http.get(f"{api.url}/healthz", timeout=10)
        assert response.status_code == 200
        health.append(time.monotonic() - started)
        await asyncio.sleep(0.2)
    return {name: task.result() for name, task in tasks.items()}, health


async def _tenant_ok(http, api, tenant: str, token: str) -> bool:
    response = await _post(http, api, TENANT, {"t": tenant}, token=token)
    return response.status_code == 200 and bool((response.json().get("data") or {})
                                                .get("tenant"))


# --------------------------------------------------------------------------- SQLite


async def test_locked_sqlite_answers_503_after_the_lock_timeout(platform, backend):
    if backend != "sqlite":
        pytest.skip("the lock is SQLite's write lock")
    acme = await make_group(platform, "acme")
    tenant, token = acme.ids["acme-a"], acme.token("a-admin")
    db_file = platform.settings.database_url.removeprefix("sqlite+aiosqlite:///")
    await platform.db.dispose()
    with ApiProcess(platform, {"IPGOV_DATABASE_LOCK_TIMEOUT_SECONDS": "1"}) as api:
        async with httpx.AsyncClient(timeout=60) as http:
            assert await _tenant_ok(http, api, tenant, token)
            holder = sqlite3.connect(db_file, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
            try:
                result, took = await timed(_post(http, api, REQUEST_REVIEW, {"t": tenant},
                                                 token=token))
                health = await http.get(f"{api.url}/healthz", timeout=2)
            finally:
                holder.rollback()
                holder.close()
            assert isinstance(result, httpx.Response), (result, api.tail())
            assert result.status_code == 503, result.text
            assert codes(result.json()) == ["DATABASE_UNAVAILABLE"]
            assert took < 5, took  # 1 s lock timeout, not 10 s
            assert health.status_code == 200
            done = await _post(http, api, REQUEST_REVIEW, {"t": tenant}, token=token)
            assert done.json()["data"]["requestReview"]["run"]["status"] == "queued"
