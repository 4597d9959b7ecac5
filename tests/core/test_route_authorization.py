"""Plain HTTP routes take the decision of GraphQL fields (``ipgov.authz.access``), including
its refusal to change a suspended or archived tenant, and the supervision exports too."""

from __future__ import annotations

import pytest

from ipgov.tenancy import services
from tests.conftest import make_group


async def _set_status(platform, tenant_id: str, status: str) -> None:
    async with platform.db.system_session("test: status") as s:
        await services.set_status(platform, s, tenant_id=tenant_id, status=status, actor="t")
    await platform.authz.refresh()


@pytest.mark.parametrize("status", ["suspended", "archived"])
async def test_a_route_refuses_to_change_an_inactive_tenant_as_graphql_does(platform, gql,
                                                                          status):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    upload = f"/plugins/patent_search/tenants/{tid}/collections/none/upload"
    auth = {"authorization": f"Bearer {acme.token('a-admin')}"}
    active = await gql.client.put(upload, content=b"<x/>", headers=auth)
    assert active.status_code == 404  # authorized: only the collection is missing
    await _set_status(platform, tid, status)
    refused = await gql.client.put(upload, content=b"<x/>", headers=auth)
    assert refused.status_code == 403 and "TENANT_INACTIVE" in refused.text
    write = await gql('mutation($t: ID!) { addMember(tenantId: $t, email: "n@x.example", '
                      'role: "viewer") { errors { code } } }', {"t": tid},
                      token=acme.token("a-admin"))
    assert write["errors"][0]["extensions"]["code"] == "TENANT_INACTIVE"  # the same answer
    read = await gql.client.get(f"/audit/{tid}/export.csv",
                                headers={"authorization": f"Bearer {acme.token('auditor')}"})
    assert read.status_code == 200  # an inactive tenant stays readable


async def test_supervision_exports_are_refused_without_any_supervision_right(platform, gql):
    acme = await make_group(platform, "acme")
    for user, expected in (("a-viewer", 403), ("auditor", 200)):
        response = await gql.client.get(
            "/supervision/export.csv",
            headers={"authorization": f"Bearer {acme.token(user)}"})
        assert response.status_code == expected, (user, response.text)
    assert (await gql.client.get("/supervision/export.csv")).status_code == 401
