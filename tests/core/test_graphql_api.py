"""The GraphQL API end to end: sign-in, authentication, errors, pagination, abuse limits."""

from __future__ import annotations

import dataclasses
import time

import httpx
import pytest
from sqlalchemy import select

from ipgov.identity.tokens import SigningKey, TokenIssuer
from tests.conftest import GraphQLClient, Group, make_group

PASSWORD = "correct horse battery staple"
LOGIN = """mutation($e: String!, $p: String!) {
  login(email: $e, password: $p) { token userId retryAfter errors { code field message } }
}"""
ONBOARD = """mutation($i: OnboardSubsidiaryInput!) {
  onboardSubsidiary(input: $i) { tenant { id slug parentId } errors { code field message } }
}"""
TENANTS = """query($first: Int!, $after: String) {
  tenants(first: $first, after: $after) {
    edges { cursor node { id slug } } pageInfo { hasNextPage endCursor }
  }
}"""


def codes(body: dict) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


@pytest.fixture
async def acme(platform) -> Group:
    return await make_group(platform, "acme")


async def _user_with_password(platform, email: str = "pat@acme.example") -> str:
    from sqlalchemy import select

    from ipgov.identity.service import add_membership, create_user
    from ipgov.tenancy.models import Tenant

    async with platform.db.system_session("t") as s:
        tenant_id = (await s.execute(select(Tenant.id).where(Tenant.slug == "acme-a"))
                     ).scalar_one()
        user = await create_user(s, email=email, display_name="Pat", password=PASSWORD)
        await add_membership(platform, s, tenant_id=tenant_id, user_id=user.id, role="viewer",
                             actor="test")
    await platform.authz.refresh()
    return user.id


async def _tenant_count(platform) -> int:
    from sqlalchemy import func, select

    from ipgov.tenancy.models import Tenant

    async with platform.db.system_session("t: count") as s:
        return (await s.execute(select(func.count(Tenant.id)))).scalar_one()


# ------------------------------------------------------------------------------ sign-in


async def test_login_returns_a_token_usable_for_me(platform, gql, acme):
    user_id = await _user_with_password(platform)
    body = await gql(LOGIN, {"e": "Pat@Acme.example", "p": PASSWORD})
    payload = body["data"]["login"]
    assert payload["errors"] == [] and payload["token"] and payload["userId"] == user_id
    me = await gql("{ me { id kind displayName memberships { tenantSlug role } } }",
                   token=payload["token"])
    assert "errors" not in me
    assert me["data"]["me"]["id"] == user_id
    assert me["data"]["me"]["displayName"] == "Pat"
    assert {"tenantSlug": "acme-a", "role": "viewer"} in me["data"]["me"]["memberships"]


async def test_wrong_password_is_a_payload_error(platform, gql, acme):
    await _user_with_password(platform)
    body = await gql(LOGIN, {"e": "pat@acme.example", "p": "wrong password!!"})
    payload = body["data"]["login"]
    assert payload["token"] is None
    assert [e["code"] for e in payload["errors"]] == ["BAD_CREDENTIALS"]
    unknown = await gql(LOGIN, {"e": "nobody@acme.example", "p": PASSWORD})
    assert [e["code"] for e in unknown["data"]["login"]["errors"]] == ["BAD_CREDENTIALS"]


async def test_five_failures_slow_down_this_address(platform, gql, acme):
    from ipgov.identity.models import LoginThrottle

    await _user_with_password(platform)
    for _ in range(5):
        body = await gql(LOGIN, {"e": "pat@acme.example", "p": "wrong password!!"})
        assert [e["code"] for e in body["data"]["login"]["errors"]] == ["BAD_CREDENTIALS"]
    async with platform.db.system_session("t: read counter") as s:
        assert [r.failures for r in (await s.execute(select(LoginThrottle))).scalars()] == [5]
    body = await gql(LOGIN, {"e": "pat@acme.example", "p": PASSWORD})
    assert body["data"]["login"]["token"] is None
    assert [e["code"] for e in body["data"]["login"]["errors"]] == ["LOGIN_THROTTLED"]
    assert body["data"]["login"]["retryAfter"] > 0


# ------------------------------------------------------------------------- authentication


async def test_no_token_is_401_unauthenticated(gql, acme):
    response = await gql.post("{ me { id } }")
    assert response.status_code == 401
    body = response.json()
    assert body["data"] is None and codes(body) == ["UNAUTHENTICATED"]


def _foreign_tokens(platform, user_id: str) -> dict[str, str]:
    own = platform.tokens.issuer
    other = TokenIssuer(SigningKey.generate(), own.issuer, own.audience, 3600)
    past = TokenIssuer(own.key, own.issuer, own.audience, 60, clock=lambda: time.time() - 7200)
    return {
        "malformed": "not.a.jwt",
        "garbage": "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
        "other key": other.issue(user_id).token,
        "expired": past.issue(user_id).token,
    }


async def test_bad_tokens_are_401(platform, gql, acme):
    valid = await gql.post("{ me { id } }", token=acme.token("admin"))
    assert valid.status_code == 200 and valid.json()["data"]["me"]["id"] == acme.users["admin"]
    for name, token in _foreign_tokens(platform, acme.users["admin"]).items():
        response = await gql.post("{ me { id } }", token=token)
        assert response.status_code == 401, name
        assert acme.users["admin"] not in response.text, name


async def test_forbidden_is_a_graphql_error_with_null_data(platform, gql, acme):
    before = await _tenant_count(platform)
    body = await gql(ONBOARD, {"i": {"parentId": acme.ids["acme-a"], "slug": "acme-x",
                                     "name": "X"}}, token=acme.token("a-viewer"))
    assert body["data"] is None
    assert codes(body) == ["FORBIDDEN"]
    assert await _tenant_count(platform) == before


# ------------------------------------------------------------------------- onboarding


async def test_group_admin_onboards_a_subsidiary(platform, gql, acme):
    token = acme.token("admin")
    body = await gql(ONBOARD, {"i": {"parentId": acme.ids["acme"], "slug": "acme-new",
                                     "name": "New"}}, token=token)
    payload = body["data"]["onboardSubsidiary"]
    assert payload["errors"] == []
    assert payload["tenant"]["slug"] == "acme-new"
    assert payload["tenant"]["parentId"] == acme.ids["acme"]
    listed = await gql(TENANTS, {"first": 50}, token=token)
    assert "acme-new" in [e["node"]["slug"] for e in listed["data"]["tenants"]["edges"]]


@pytest.mark.parametrize(("slug", "parent", "code", "field"), [
    ("acme-b", "acme", "DUPLICATE_SLUG", "slug"),
    ("Bad Slug!", "acme", "INVALID_INPUT", "slug"),
])
async def test_bad_onboarding_input_changes_nothing(platform, gql, acme, slug, parent, code,
                                                    field):
    before = await _tenant_count(platform)
    body = await gql(ONBOARD, {"i": {"parentId": acme.ids[parent], "slug": slug, "name": "X"}},
                     token=acme.token("admin"))
    payload = body["data"]["onboardSubsidiary"]
    assert payload["tenant"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert await _tenant_count(platform) == before


async def test_onboarding_under_unknown_parent_changes_nothing(platform, gql, acme):
    before = await _tenant_count(platform)
    body = await gql(ONBOARD, {"i": {"parentId": "7e57c0de-0000-4000-8000-00000000dead",
                                     "slug": "acme-z", "name": "Z"}}, token=acme.token("admin"))
    assert body["data"] is None
    assert codes(body) == ["FORBIDDEN"]  # as another group's tenant would: no existence oracle
    assert await _tenant_count(platform) == before


# ------------------------------------------------------------------------- pagination


async def test_oversized_page_is_refused(gql, acme):
    body = await gql(TENANTS, {"first": 1000}, token=acme.token("admin"))
    assert body["data"] is None and codes(body) == ["PAGE_SIZE"]
    body = await gql(TENANTS, {"first": 0}, token=acme.token("admin"))
    assert codes(body) == ["PAGE_SIZE"]


@pytest.mark.parametrize("cursor", ["!!!not base64", "bm90IGpzb24=", "WzEsIDJd"])
async def test_bad_cursor_is_refused(gql, acme, cursor):
    body = await gql(TENANTS, {"first": 2, "after": cursor}, token=acme.token("admin"))
    assert body["data"] is None and codes(body) == ["BAD_CURSOR"]


async def test_pagination_walks_every_page_once(gql, acme):
    token = acme.token("admin")
    everything = await gql(TENANTS, {"first": 100}, token=token)
    expected = [e["node"]["slug"] for e in everything["data"]["tenants"]["edges"]]
    assert expected == ["acme", "acme-a", "acme-b", "acme-c"]
    seen: list[str] = []
    after = None
    for _ in range(10):
        body = await gql(TENANTS, {"first": 1, "after": after}, token=token)
        page = body["data"]["tenants"]
        assert len(page["edges"]) <= 1
        seen += [e["node"]["slug"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert seen == expected and len(set(seen)) == len(seen)


# ------------------------------------------------------------------------- abuse limits


def _nested_parents(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"parent {{ {inner} }}"
    return f"{{ tenants(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


async def test_query_depth_limit(platform, gql, acme):
    token = acme.token("admin")
    ok = await gql(_nested_parents(2), token=token)
    assert "data" in ok and ok["data"]["tenants"] is not None
    deep = await gql(_nested_parents(platform.settings.graphql_max_depth + 2), token=token)
    assert deep.get("data") is None
    assert any("depth" in e["message"].lower() for e in deep["errors"])


async def test_alias_limit(platform, gql, acme):
    token = acme.token("admin")
    few = " ".join(f"a{i}: __typename" for i in range(3))
    assert (await gql(f"{{ {few} }}", token=token))["data"] == {f"a{i}": "Query"
                                                                for i in range(3)}
    many = " ".join(f"a{i}: __typename"
                    for i in range(platform.settings.graphql_max_aliases + 1))
    body = await gql(f"{{ {many} }}", token=token)
    assert body.get("data") is None
    assert any("alias" in e["message"].lower() for e in body["errors"])


async def test_token_limit(platform, gql, acme):
    body = await gql("{ " + "__typename " * (platform.settings.graphql_max_tokens + 10) + "}",
                     token=acme.token("admin"))
    assert body.get("data") is None
    assert any("token" in e["message"].lower() for e in body["errors"])


async def test_batching_is_bounded(platform, gql, acme):
    """Strawberry batching is on for the Litestar controller: lists of operations are run,
    up to ``graphql_max_batch``; more are refused with HTTP 400 before anything runs."""
    headers = {"authorization": f"Bearer {acme.token('admin')}"}
    small = await gql.client.post("/graphql", json=[{"query": "{ __typename }"}] * 2,
                                  headers=headers)
    assert small.status_code == 200
    assert small.json() == [{"data": {"__typename": "Query"}}] * 2
    too_many = [{"query": "{ me { id } }"}] * (platform.settings.graphql_max_batch + 1)
    response = await gql.client.post("/graphql", json=too_many, headers=headers)
    assert response.status_code == 400
    assert acme.users["admin"] not in response.text


# ------------------------------------------------------------------------- introspection


INTROSPECT = "{ __schema { queryType { name } types { name } } }"


async def test_introspection_in_development(gql, acme):
    body = await gql(INTROSPECT, token=acme.token("admin"))
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_refused_in_production(platform, acme):
    from ipgov.web.app import create_app

    settings = dataclasses.replace(platform.settings, environment="production")
    app = create_app(platform, settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as client:
        gql = GraphQLClient(client)
        token = acme.token("admin")
        body = await gql(INTROSPECT, token=token)
        assert body.get("data") is None
        assert body["errors"] and "introspection" in body["errors"][0]["message"].lower()
        typed = await gql('{ __type(name: "Tenant") { name } }', token=token)
        assert typed.get("data") is None
        normal = await gql("{ me { id } }", token=token)
        assert normal["data"]["me"]["id"] == acme.users["admin"]


async def test_misspelled_field_gives_no_suggestions(gql, acme):
    body = await gql("{ me { displayNam } tenantz { id } }", token=acme.token("admin"))
    assert body.get("data") is None and body["errors"]
    text = " ".join(e["message"] for e in body["errors"])
    assert "displayNam" in text
    assert "did you mean" not in text.lower()
    assert "displayName" not in text


# ------------------------------------------------------------------------- internal errors


async def test_internal_errors_are_masked(platform, gql, acme, monkeypatch):
    import ipgov.graphql.identity as gql_identity

    async def boom(*_a, **_k):
        raise RuntimeError("db password is hunter2")

    monkeypatch.setattr(gql_identity.service, "login", boom)
    response = await gql.post(LOGIN, {"e": "pat@acme.example", "p": PASSWORD})
    body = response.json()
    assert body["data"] is None
    assert codes(body) == ["INTERNAL"]
    assert body["errors"][0]["message"] == "Internal error"
    assert body["errors"][0]["extensions"]["requestId"]
    assert "hunter2" not in response.text and "RuntimeError" not in response.text


# ------------------------------------------------------------------------- probes


async def test_health_ready_and_jwks(platform, gql):
    health = await gql.client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = await gql.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    jwks = (await gql.client.get("/.well-known/jwks.json"))
    assert jwks.status_code == 200
    keys = jwks.json()["keys"]
    assert keys and keys[0]["kid"] == platform.tokens.issuer.key.kid
    assert keys[0]["kty"] == "OKP" and "d" not in keys[0]
