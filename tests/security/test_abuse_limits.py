"""Abuse limits (OWASP API4, GraphQL Cheat Sheet): each attack is refused before execution.

"Before execution" is measured: the SQL statements an attack costs equal those of
authenticating the caller alone (a ``{ __typename }`` request), so no resolver ran and no
data was read. Functional checks of the same limits live in ``tests/core/test_graphql_api.py``.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_group
from tests.security.conftest import codes

ATTACKS = {
    "depth": ("{ tenants(first: 1) { edges { node { " + "parent { " * 14 + "id"
              + " }" * 14 + " } } } }", "depth"),
    "aliases": ("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(31)) + " }", "alias"),
    "tokens": ("{ me { " + "id " * 5100 + "} }", "token"),
    "fragment_cycle": ("query { ...A } fragment A on Query { me { id } ...B } "
                       "fragment B on Query { ...A }", "cannot spread fragment"),
    "suggestions": ("{ me { displayNam } tenantz { id } }", "cannot query field"),
}


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme")


async def _auth_baseline(app_client, sql, token: str) -> int:
    sql.reset()
    body = await app_client("{ __typename }", token=token)
    assert body == {"data": {"__typename": "Query"}}
    return sql.count


async def test_query_limits_reject_before_execution(app_client, acme, sql):
    """Depth, aliases, tokens, fragment cycles, suggestions: one attack each."""
    token = acme.token("admin")
    baseline = await _auth_baseline(app_client, sql, token)
    for attack, (query, words) in sorted(ATTACKS.items()):
        sql.reset()
        response = await app_client.post(query, token=token)
        body = response.json()
        assert body.get("data") is None, (attack, body)
        assert codes(body) and set(codes(body)) == {"GRAPHQL_VALIDATION"}, (attack, body)
        messages = " ".join(e["message"] for e in body["errors"]).lower()
        assert words in messages, (attack, messages)
        assert "did you mean" not in messages
        assert sql.count == baseline, (attack, sql.statements[baseline:])


async def test_batch_over_the_limit_runs_nothing(platform, app_client, acme, sql):
    token = acme.token("admin")
    baseline = await _auth_baseline(app_client, sql, token)
    review = 'mutation($t: ID!) { requestReview(tenantId: $t) { errors { code } } }'
    batch = [{"query": review, "variables": {"t": acme.ids["acme-a"]}}] * (
        platform.settings.graphql_max_batch + 1)
    sql.reset()
    response = await app_client.client.post("/graphql", json=batch,
                                            headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert sql.count == baseline, sql.statements  # authentication only: no operation ran


async def test_page_size_is_refused_before_any_query(platform, app_client, acme, sql):
    token = acme.token("admin")
    baseline = await _auth_baseline(app_client, sql, token)
    for field in ("tenants(first: 1000)", f'members(tenantId: "{acme.ids["acme"]}", first: 1000)',
                  f'auditEvents(tenantId: "{acme.ids["acme"]}", first: 1000)'):
        sql.reset()
        body = await app_client(f"{{ {field} {{ edges {{ cursor }} }} }}", token=token)
        assert codes(body) == ["PAGE_SIZE"], (field, body)
        assert body["errors"][0]["extensions"]["field"] == "first"
        assert sql.count <= baseline, (field, sql.statements[baseline:])


@pytest.mark.settings(environment="production", graphql_introspection=False)
async def test_introspection_refused_in_production_before_execution(app_client, acme, sql):
    token = acme.token("admin")
    baseline = await _auth_baseline(app_client, sql, token)
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Tenant") { name } }'):
        sql.reset()
        body = await app_client(query, token=token)
        assert body.get("data") is None and set(codes(body)) == {"GRAPHQL_VALIDATION"}, body
        assert "introspection" in body["errors"][0]["message"].lower()
        assert sql.count == baseline


@pytest.mark.settings(max_request_bytes=4096)
async def test_request_body_over_the_limit_is_413(app_client, acme, sql):
    token = acme.token("admin")
    padding = " " * 5000
    sql.reset()
    response = await app_client.post("{ me { id } }" + padding, token=token)
    assert response.status_code == 413
    assert codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
    assert sql.count == 0

    async def chunks():  # no Content-Length: counted while streaming
        yield b'{"query": "{ me { id } }' + b" " * 3000
        yield b" " * 3000 + b'"}'

    baseline = await _auth_baseline(app_client, sql, token)
    sql.reset()
    streamed = await app_client.client.post(
        "/graphql", content=chunks(), headers={"authorization": f"Bearer {token}",
                                               "content-type": "application/json"})
    assert streamed.status_code == 413, streamed.text
    assert sql.count <= baseline  # at most authentication (a dependency resolved first)
    small = await app_client("{ me { id } }", token=token)
    assert small["data"]["me"]["id"] == acme.users["admin"]


async def test_upload_over_the_limit_is_413_before_the_handler():
    """``/plugins/...`` uploads have their own ceiling (no plugin has an upload route yet: a
    throw-away app with the real middleware and a handler that records what it received)."""
    import httpx
    from litestar import Litestar, Request, post
    from litestar.middleware import DefineMiddleware

    from ipgov.settings import Settings
    from ipgov.web.limits import BodySizeLimitMiddleware

    received: list[int] = []

    @post("/plugins/test/upload", request_max_body_size=None)
    async def upload(request: Request) -> dict:
        received.append(len(await request.body()))
        return {"ok": True}

    settings = Settings(max_upload_bytes=10_000, max_request_bytes=100)
    app = Litestar([upload], middleware=[DefineMiddleware(BodySizeLimitMiddleware,
                                                          settings=settings)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        ok = await client.post("/plugins/test/upload", content=b"x" * 9_000)
        assert ok.status_code == 201 and received == [9_000]
        big = await client.post("/plugins/test/upload", content=b"x" * 10_001)
        assert big.status_code == 413 and big.json()["errors"][0]["extensions"]["limit"] == 10_000

        async def stream():
            for _ in range(20):
                yield b"x" * 1_000

        streamed = await client.post("/plugins/test/upload", content=stream())
        assert streamed.status_code == 413
    assert received == [9_000]  # neither oversized body reached the handler whole


# --------------------------------------------------------------------------- rate limits


def _retry_after(response) -> int:
    assert response.status_code == 429, response.text
    assert codes(response.json()) == ["RATE_LIMITED"]
    value = int(response.headers["retry-after"])
    assert 1 <= value <= 60
    return value


@pytest.mark.settings(rate_limit_user="5/minute", rate_limit_tenant="", rate_limit_anonymous="")
async def test_per_user_rate_limit_is_429_with_retry_after(app_client, acme, sql):
    token = acme.token("a-admin")
    for _ in range(5):
        body = await app_client("{ me { id } }", token=token)
        assert body["data"]["me"]["id"] == acme.users["a-admin"]
    sql.reset()
    response = await app_client.post("{ me { id } }", token=token)
    _retry_after(response)
    assert response.json()["errors"][0]["extensions"]["scope"] == "user"
    assert sql.count == 0  # refused before authentication's user lookup
    other = await app_client("{ me { id } }", token=acme.token("b-admin"))
    assert other["data"]["me"]["id"] == acme.users["b-admin"]


@pytest.mark.settings(rate_limit_user="", rate_limit_tenant="4/minute", rate_limit_anonymous="")
async def test_per_tenant_rate_limit_counts_every_member(platform, app_client, acme, sql):
    globex = await make_group(platform, "globex")
    query = "query($t: ID!) { tenant(id: $t) { id } }"
    a = acme.ids["acme-a"]
    # another group naming acme-a's id spends only its own budget, never acme-a's
    for _ in range(6):
        body = await app_client(query, {"t": a}, token=globex.token("admin"))
        assert "FORBIDDEN" in codes(body) or "TENANT_NOT_FOUND" in codes(body)
    for user in ("a-admin", "a-viewer", "a-admin", "a-viewer"):
        body = await app_client(query, {"t": a}, token=acme.token(user))
        assert body["data"]["tenant"]["id"] == a, body
    baseline = await _auth_baseline(app_client, sql, acme.token("a-viewer"))
    sql.reset()
    response = await app_client.post(query, {"t": a}, token=acme.token("a-viewer"))
    assert _retry_after(response) >= 1
    assert response.json()["errors"][0]["extensions"]["scope"] == "tenant"
    assert sql.count == baseline  # authenticated, but no resolver ran
    b = acme.ids["acme-b"]
    body = await app_client(query, {"t": b}, token=acme.token("b-admin"))
    assert body["data"]["tenant"]["id"] == b


@pytest.mark.settings(rate_limit_anonymous="5/minute", rate_limit_user="")
async def test_anonymous_and_bad_credentials_share_the_client_limit(app_client, acme):
    login = 'mutation { login(email: "x@acme.example", password: "wrong-password") { token } }'
    for _ in range(2):  # each costs 2: the request and its credential check
        assert (await app_client.post(login)).status_code == 200
    forged = await app_client.post("{ me { id } }", token="eyJhbGciOiJub25lIn0.e30.")
    assert forged.status_code == 401  # a bad token is charged to the client, then refused
    refused = await app_client.post(login)
    _retry_after(refused)
    # a valid user is not behind the anonymous limit
    body = await app_client("{ me { id } }", token=acme.token("admin"))
    assert body["data"]["me"]["id"] == acme.users["admin"]


async def test_login_brute_force_is_throttled(platform, app_client, acme):
    from ipgov.identity.service import create_user

    password = "correct horse battery staple"
    async with platform.db.system_session("t: user") as s:
        await create_user(s, email="pat@acme.example", display_name="Pat", password=password)
    login = """mutation($p: String!) { login(email: "pat@acme.example", password: $p) {
        token errors { code } } }"""
    for _ in range(5):
        body = await app_client(login, {"p": "not the password"})
        assert [e["code"] for e in body["data"]["login"]["errors"]] == ["BAD_CREDENTIALS"]
    locked = await app_client(login, {"p": password})
    assert locked["data"]["login"]["token"] is None
    assert [e["code"] for e in locked["data"]["login"]["errors"]] == ["LOGIN_THROTTLED"]


@pytest.mark.redis
@pytest.mark.settings(rate_limit_user="3/minute", rate_limit_tenant="", rate_limit_anonymous="")
async def test_redis_storage_shares_the_limit_between_replicas(platform, acme, settings):
    """Two apps (two API replicas, each with its own limiter) count in one Redis."""
    import dataclasses
    import socket
    import uuid

    import httpx

    from ipgov.web.app import create_app
    from ipgov.web.ratelimit import RateLimits
    from tests.conftest import GraphQLClient

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    shared = dataclasses.replace(settings, rate_limit_storage="redis://127.0.0.1:6379/15",
                                 broker_namespace=f"ipgov-sec-{uuid.uuid4().hex[:8]}")
    token = acme.token("a-viewer")
    statuses = []
    for replica in range(2):
        platform.rate_limiters.clear()  # each replica has its own process-local limiter
        app = create_app(platform, shared)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as http:
            gql = GraphQLClient(http)
            for _ in range(2):
                statuses.append((await gql.post("{ me { id } }", token=token)).status_code)
    assert statuses == [200, 200, 200, 429]
    limits = RateLimits(shared)
    assert (await limits.hit("user", "someone-else")) is None
