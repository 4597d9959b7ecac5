"""``scim2-tester``, an independent SCIM 2.0 compliance checker, against ``/scim/v2`` served by
a real uvicorn server on a free port (the application, lifespan and middleware of production).

The checker discovers the service (ServiceProviderConfig, ResourceTypes, Schemas), then runs
its create, read, list, attributes, replace, delete and PATCH add/replace/remove checks on
every resource type it found, with random values for every attribute the schemas publish.
Every check must succeed; the only ones allowed to be skipped are those the checker itself
skips for a capability the service does not announce (``POST /.search`` across several
resource types answers 501, which the checker treats as "not supported").
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from tests.conftest import GraphQLClient, make_group
from tests.core.test_live import serving

ALLOWED_SKIPS = {"search_with_attributes"}
"""Checks the checker may skip: the root ``/.search`` is not served (501)."""


@pytest.fixture
async def served(platform: Any) -> AsyncIterator[str]:
    """The real application on a real port (``test_live.serving``); yields its base URL."""
    # the checker sends a few hundred requests in seconds: more than the per-caller default
    platform.settings = dataclasses.replace(platform.settings, rate_limit_user="100000/minute")
    async with serving(platform) as url:
        yield url.replace("ws://", "http://").removesuffix("/graphql")


async def _token(base: str, platform: Any) -> str:
    group = await make_group(platform, "tester", "hybrid")
    async with httpx.AsyncClient(base_url=base) as client:
        got = await GraphQLClient(client)(
            'mutation($g: ID!) { createScimToken(groupId: $g, name: "scim2-tester") '
            '{ secret errors { code } } }', {"g": group.ids["tester"]}, group.token("admin"))
    return str(got["data"]["createScimToken"]["secret"])


def _run_checker(base: str, token: str) -> list[Any]:
    with httpx2.Client(base_url=f"{base}/scim/v2/",
                       headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        return check_server(SyncSCIMClient(http))


async def test_scim2_tester_passes(served: str, platform: Any) -> None:
    token = await _token(served, platform)
    results = await asyncio.to_thread(_run_checker, served, token)
    by_status = Counter(r.status for r in results)
    failed = [f"{r.resource_type or ''} {r.title}: {r.reason}" for r in results
              if r.status in (Status.ERROR, Status.CRITICAL)]
    skipped = {r.title for r in results if r.status is Status.SKIPPED}
    print(f"\nscim2-tester: {dict((s.name, n) for s, n in by_status.items())}")
    for r in results:
        print(f"  {r.status.name:8} {r.resource_type or '-':6} {r.title}")
    assert not failed, "\n".join(failed)
    assert skipped <= ALLOWED_SKIPS, skipped
    assert by_status[Status.SUCCESS] >= 30  # discovery, both resource types, PATCH paths
    titles = {r.title for r in results if r.status is Status.SUCCESS}
    assert {"object_creation", "object_query", "object_replacement", "object_deletion",
            "check_add_attribute", "check_replace_attribute", "check_remove_attribute",
            "random_url"} <= titles


async def test_deactivated_over_real_http_is_refused_on_the_next_request(served: str,
                                                                        platform: Any) -> None:
    from ipgov.identity.models import User
    from ipgov.identity.sessions import open_session

    token = await _token(served, platform)
    scim = {"authorization": f"Bearer {token}", "content-type": "application/scim+json"}
    async with httpx.AsyncClient(base_url=served) as client:
        made = (await client.post("/scim/v2/Users", headers=scim, json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ivy",
            "active": True, "emails": [{"value": "ivy@corp.example", "primary": True}]})).json()
        async with platform.db.system_session("test: sign in") as session:
            signed = await open_session(platform, session, await session.get(User, made["id"]),
                                        client="test")
        me = GraphQLClient(client)
        assert (await me("query { me { id } }", token=signed.access_token))["data"]["me"][
            "id"] == made["id"]
        off = await client.patch(f"/scim/v2/Users/{made['id']}", headers=scim, json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}]})
        assert off.status_code == 200
        refused = await me.post("query { me { id } }", token=signed.access_token)
        assert refused.status_code == 401
        again = await client.post("/graphql", json={
            "query": "mutation($t: String!) { refreshSession(refreshToken: $t) "
                     "{ token errors { code } } }",
            "variables": {"t": signed.refresh_token}})
        refresh = again.json()["data"]["refreshSession"]  # nor can it be refreshed
        assert refresh["token"] is None and refresh["errors"][0]["code"] == "REFRESH_TOKEN_INVALID"
