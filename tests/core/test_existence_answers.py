"""What an id tells a caller (issue 15 item 3, issue 29 item 5): outside the caller's
entitlement another group's tenant id and an id that names nothing get the same answer, in
GraphQL and on plain HTTP routes; inside it, a disabled plugin answers PLUGIN_DISABLED."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import make_group

UNKNOWN = "7e57c0de-0000-4000-8000-00000000dead"
PROBES = {
    "tenant": ("query($t: ID!) { tenant(id: $t) { slug } }", {}),
    "members": ("query($t: ID!) { members(tenantId: $t) { edges { node { id } } } }", {}),
    "can": ('query($t: ID!) { can(tenantId: $t, object: "ipgov:tenant", action: "read") }',
            {}),
    "addMember": ('mutation($t: ID!) { addMember(tenantId: $t, email: "x@y.example", '
                  'role: "viewer") { errors { code } } }', {}),
    "onboardSubsidiary": ('mutation($t: ID!) { onboardSubsidiary(input: {parentId: $t, '
                          'slug: "zz-new", name: "Z"}) { errors { code } } }', {}),
    "setTenantStatus": ('mutation($t: ID!) { setTenantStatus(tenantId: $t, status: '
                        '"suspended") { errors { code } } }', {}),
    "absorbTenant": ('mutation($t: ID!, $own: ID!) { absorbTenant(absorbingId: $own, '
                     'absorbedId: $t) { errors { code } } }', {"own": "acme"}),
    "joinParallelReporting": ('mutation($t: ID!, $own: ID!) { joinParallelReporting('
                              'parentId: $own, acquiredId: $t) { errors { code } } }',
                              {"own": "acme"}),
    "ipAssets": ("query($t: ID!) { ipAssets(tenantId: $t) { edges { node { id } } } }", {}),
    "patentCollections": ("query($t: ID!) { patentCollections(tenantId: $t) { id } }", {}),
}


def normalized(body: dict, tenant_id: str) -> str:
    """The response with the id the caller sent replaced: what must not differ."""
    return json.dumps(body, sort_keys=True).replace(tenant_id, "<id>")


async def test_another_groups_tenant_and_an_unknown_id_answer_alike(platform, gql):
    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex", "centralized")
    for user, own in (("admin", acme.ids["acme"]), ("a-admin", acme.ids["acme-a"]),
                      ("c-contrib", acme.ids["acme-c"])):
        token = acme.token(user)
        for name, (query, extra) in PROBES.items():
            variables = {k: own for k in extra}
            answers = set()
            for target in (globex.ids["globex"], globex.ids["globex-a"], acme.ids["acme-b"],
                           UNKNOWN):
                if user == "admin" and target == acme.ids["acme-b"]:
                    continue  # the group administrator is entitled to his subsidiaries
                body = await gql(query, {"t": target, **variables}, token)
                answers.add(normalized(body, target))
            assert len(answers) == 1, (user, name, answers)
            assert "FORBIDDEN" in next(iter(answers)), (user, name, answers)


async def test_platform_wide_roles_are_told_an_id_names_nothing(platform, gql):
    from ipgov.identity.service import add_membership, create_user
    from ipgov.tenancy.models import PLATFORM_TENANT_ID

    await make_group(platform, "acme")
    async with platform.db.system_session("t: operator") as s:
        user = await create_user(s, email="ops@platform.example", display_name="Ops")
        await add_membership(platform, s, tenant_id=PLATFORM_TENANT_ID, user_id=user.id,
                             role="platform_auditor", actor="test")
    await platform.authz.refresh()
    token = platform.tokens.issuer.issue(user.id).token
    body = await gql(PROBES["tenant"][0], {"t": UNKNOWN}, token)
    assert body["errors"][0]["extensions"]["code"] == "TENANT_NOT_FOUND"


async def _without_patents(platform):
    """acme, whose subsidiary acme-a runs every plugin but patent_search."""
    from ipgov.tenancy import services

    g = await make_group(platform, "acme")
    async with platform.db.system_session("t: plugins") as s:
        keep = [p for p in platform.registry.default_enabled() if p != "patent_search"]
        t = await services.onboard_subsidiary(platform, s, parent_id=g.ids["acme"],
                                              slug="acme-np", name="No patents", plugins=keep,
                                              actor="test")
    g.ids["acme-np"] = t.id
    await platform.authz.refresh()
    return g


async def test_a_disabled_plugin_answers_plugin_disabled_to_those_entitled(platform, gql):
    g = await _without_patents(platform)
    other = await make_group(platform, "globex")
    query = PROBES["patentCollections"][0]
    member = await gql(query, {"t": g.ids["acme-np"]}, g.token("admin"))
    assert member["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED", member
    # an outsider learns nothing: the same answer as for an id that names nothing
    outsider = await gql(query, {"t": g.ids["acme-np"]}, other.token("admin"))
    unknown = await gql(query, {"t": UNKNOWN}, other.token("admin"))
    assert normalized(outsider, g.ids["acme-np"]) == normalized(unknown, UNKNOWN)
    assert outsider["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.fixture
async def http(platform):
    from ipgov.web.app import create_app

    transport = httpx.ASGITransport(app=create_app(platform))
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as client:
        yield client


async def test_http_routes_answer_alike_and_say_plugin_disabled_to_members(platform, http):
    g = await _without_patents(platform)
    other = await make_group(platform, "globex")

    def report(tid: str, token: str):
        return http.get(f"/plugins/ip_governance/tenants/{tid}/report",
                        headers={"authorization": f"Bearer {token}"})

    foreign = await report(g.ids["acme-a"], other.token("admin"))
    unknown = await report(UNKNOWN, other.token("admin"))
    assert foreign.status_code == unknown.status_code == 403
    assert foreign.text.replace(g.ids["acme-a"], "<id>") == unknown.text.replace(UNKNOWN,
                                                                                 "<id>")
    # patent_search's routes, for a member of a tenant where the plugin is off
    from ipgov.tenancy import services

    async with platform.db.system_session("t: no governance plugin") as s:
        keep = [p for p in platform.registry.default_enabled() if p != "ip_governance"]
        t = await services.onboard_subsidiary(platform, s, parent_id=g.ids["acme"],
                                              slug="acme-ng", name="No governance",
                                              plugins=keep, actor="test")
    await platform.authz.refresh()
    off = await report(t.id, g.token("admin"))
    assert off.status_code == 403 and "PLUGIN_DISABLED" in off.text, off.text
