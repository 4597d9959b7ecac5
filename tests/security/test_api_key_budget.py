"""API-key budget theft (issue 22, item 9): a victim's key id with a junk secret spends nothing
of the victim's rate budget; the attempts are charged to the attacker's client address. A
revoked key stops counting as the key's within ``IPGOV_API_KEY_CACHE_SECONDS``.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import update

from ipgov.db.base import utcnow
from tests.conftest import GraphQLClient, make_group
from tests.security.conftest import codes

PING = "{ __typename }"
JUNK = "A" * 43  # a well-formed secret that is not the key's


async def _service_key(platform, tenant_id: str) -> str:
    """A service account of ``tenant_id`` with one API key; returns the key's plaintext."""
    from ipgov.identity.service_accounts import create_service_account

    async with platform.db.system_session("test: service account") as s:
        _account, _key, plaintext = await create_service_account(
            platform, s, tenant_id=tenant_id, name="ci", role="viewer", actor="test")
    await platform.authz.refresh()
    return plaintext


async def _client(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://ipgov.test")


@pytest.mark.settings(rate_limit_user="3/minute", rate_limit_anonymous="6/minute",
                      rate_limit_tenant="", api_key_cache_seconds=0.2)
async def test_a_junk_secret_spends_the_callers_budget_not_the_keys(platform):
    from ipgov.web.app import create_app

    acme = await make_group(platform, "acme")
    key = await _service_key(platform, acme.ids["acme-a"])
    key_id = key.split("_")[1]
    forged = f"ipgov_{key_id}_{JUNK}"
    app = create_app(platform)
    attacker = GraphQLClient(await _client(app, "203.0.113.66"))
    victim = GraphQLClient(await _client(app, "198.51.100.9"))
    try:
        statuses = [(await attacker.post(PING, token=forged)).status_code for _ in range(8)]
        assert statuses == [401] * 6 + [429] * 2, statuses  # the attacker's own address pays
        refused = await attacker.post(PING, token=forged)
        assert refused.json()["errors"][0]["extensions"]["scope"] == "client"

        served = [(await victim.post(PING, token=key)) for _ in range(3)]
        assert [r.status_code for r in served] == [200] * 3, [r.text for r in served]
        over = await victim.post(PING, token=key)  # the key's budget is its own, and whole
        assert over.status_code == 429 and over.json()["errors"][0]["extensions"][
            "scope"] == "user"
    finally:
        await attacker.client.aclose()
        await victim.client.aclose()


@pytest.mark.settings(rate_limit_user="100/minute", rate_limit_anonymous="4/minute",
                      rate_limit_tenant="", api_key_cache_seconds=0.2)
async def test_a_revoked_key_stops_counting_as_the_key_within_the_cache_bound(platform):
    from ipgov.identity.models import ApiKey
    from ipgov.web.app import create_app

    acme = await make_group(platform, "acme")
    key = await _service_key(platform, acme.ids["acme-a"])
    app = create_app(platform)
    caller = GraphQLClient(await _client(app, "192.0.2.44"))
    try:
        for _ in range(5):  # a valid key pays from its own (large) budget
            assert (await caller.post(PING, token=key)).status_code == 200
        async with platform.db.system_session("test: revoke") as s:
            await s.execute(update(ApiKey).where(ApiKey.id == key.split("_")[1])
                            .values(revoked_at=utcnow()))
        await asyncio.sleep(0.3)  # past IPGOV_API_KEY_CACHE_SECONDS
        responses = [await caller.post(PING, token=key) for _ in range(6)]
        statuses = [r.status_code for r in responses]
        # refused by authentication at once, and now charged to the client address (4/minute;
        # a cache miss before the revocation may have cost it one already)
        assert statuses[0] == 401 and statuses[-1] == 429, statuses
        assert statuses == sorted(statuses) and set(statuses) == {401, 429}, statuses
        assert codes(responses[-1].json()) == ["RATE_LIMITED"]
        assert responses[-1].json()["errors"][0]["extensions"]["scope"] == "client"
    finally:
        await caller.client.aclose()
