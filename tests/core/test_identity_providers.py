"""Identity providers in GraphQL (issue 19): who may register them, what a mapping may name,
that the client secret is sealed and never read back, which providers a sign-in screen is
offered per governance mode, and that no field crosses a group's boundary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ipgov.identity.sso.models import IdentityProvider

SAVE = """mutation($t: ID!, $i: IdentityProviderInput!, $id: ID) {
  saveIdentityProvider(tenantId: $t, input: $i, id: $id) {
    identityProvider { id tenantId name hasClientSecret redirectUri jitPolicy
                       roleMappings { value tenantSlug role } }
    errors { code field message } } }"""
LIST = """query($t: ID!) { identityProviders(tenantId: $t) { edges { node { id name } } } }"""
OFFERED = """query($e: String, $s: String) { signInProviders(email: $e, tenantSlug: $s) {
  id name kind loginUrl } }"""
REMOVE = """mutation($t: ID!, $id: ID!) { removeIdentityProvider(tenantId: $t, id: $id) {
  removedId errors { code } } }"""
SECRET = "a client secret nobody reads back"


def _input(name: str = "Acme directory", **extra: Any) -> dict[str, Any]:
    return {"name": name, "issuer": "https://login.acme.example", "clientId": "ipgov",
            "clientSecret": SECRET, **extra}


async def _save(gql, token: str, tenant: str, data: dict[str, Any], pid: str | None = None
                ) -> dict[str, Any]:
    body = await gql(SAVE, {"t": tenant, "i": data, "id": pid}, token)
    assert "errors" not in body, body
    return body["data"]["saveIdentityProvider"]


def _codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_an_admin_registers_a_provider_and_its_secret_is_sealed(two_groups, gql, platform):
    acme, _globex = two_groups
    saved = await _save(gql, acme.token("admin"), acme.ids["acme"], _input(
        jitPolicy="CREATE", roleMappings=[{"value": "ip", "tenantSlug": "acme-a",
                                           "role": "ip_manager"}]))
    assert saved["errors"] == []
    node = saved["identityProvider"]
    assert node["hasClientSecret"] and node["jitPolicy"] == "CREATE"
    assert node["redirectUri"].endswith(f"/auth/oidc/{node['id']}/callback")
    assert node["roleMappings"] == [{"value": "ip", "tenantSlug": "acme-a",
                                     "role": "ip_manager"}]
    async with platform.db.system_session("test: read") as s:
        row = (await s.execute(select(IdentityProvider))).scalar_one()
    assert SECRET not in row.client_secret_sealed and row.client_secret_sealed.startswith("v1.")
    from ipgov.identity.sealing import unseal

    assert unseal(platform, row.client_secret_sealed, provider_id=row.id) == SECRET
    kept = await _save(gql, acme.token("admin"), acme.ids["acme"],
                       _input(name="Renamed", clientSecret=None), pid=node["id"])
    assert kept["errors"] == [] and kept["identityProvider"]["hasClientSecret"]
    async with platform.db.system_session("test: read") as s:
        again = (await s.execute(select(IdentityProvider))).scalar_one()
    assert unseal(platform, again.client_secret_sealed, provider_id=again.id) == SECRET


async def test_every_bad_field_is_reported_at_once(two_groups, gql):
    acme, _globex = two_groups
    saved = await _save(gql, acme.token("admin"), acme.ids["acme"], {
        "name": "", "issuer": "ftp://nowhere", "clientId": "x", "clientSecret": "",
        "scopes": ["email"], "allowedDomains": ["not a domain"], "groupsClaim": "bad claim"})
    assert sorted(_codes(saved)) == sorted(["SSO_TEXT_LENGTH", "SSO_URL_REFUSED",
                                            "SSO_SECRET_REQUIRED", "SSO_SCOPES", "SSO_DOMAIN",
                                            "SSO_CLAIM_NAME"])
    private = await _save(gql, acme.token("admin"), acme.ids["acme"],
                          _input(issuer="https://127.0.0.1/"))
    assert _codes(private) == ["SSO_URL_REFUSED"]  # the outbound guard: no private address


async def test_a_mapping_never_names_another_groups_tenant(two_groups, gql):
    acme, globex = two_groups
    for slug in ("globex", "globex-a"):
        saved = await _save(gql, acme.token("admin"), acme.ids["acme"], _input(
            roleMappings=[{"value": "x", "tenantSlug": slug, "role": "viewer"}]))
        assert _codes(saved) == ["SSO_MAPPING_OUTSIDE_PROVIDER"], slug
    group_role = await _save(gql, acme.token("admin"), acme.ids["acme"], _input(
        roleMappings=[{"value": "x", "tenantSlug": "acme-a", "role": "group_admin"}]))
    assert _codes(group_role) == ["SSO_ROLE_NOT_GRANTABLE"]
    listed = await gql(LIST, {"t": globex.ids["globex"]}, acme.token("admin"))
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_mapping_stays_under_the_privilege_ceiling(two_groups, gql):
    acme, _globex = two_groups
    saved = await _save(gql, acme.token("a-admin"), acme.ids["acme-a"], _input(
        roleMappings=[{"value": "x", "tenantSlug": "acme-a", "role": "tenant_admin"}]))
    assert saved["errors"] == []  # a subsidiary of a hybrid group registers its own
    body = await gql(SAVE, {"t": acme.ids["acme"], "i": _input(name="Up")},
                     acme.token("a-admin"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    viewer = await gql(SAVE, {"t": acme.ids["acme-a"], "i": _input(name="V")},
                       acme.token("a-viewer"))
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_centrally_governed_subsidiary_uses_its_groups_providers(two_groups, gql):
    acme, globex = two_groups
    own = await _save(gql, globex.token("a-admin"), globex.ids["globex-a"], _input())
    assert _codes(own) == ["GOVERNANCE_MODE_FORBIDS"]
    saved = await _save(gql, globex.token("admin"), globex.ids["globex"], _input(
        name="Globex directory", allowedDomains=["globex.example"]))
    pid = saved["identityProvider"]["id"]
    for slug in ("globex", "globex-a"):
        offered = (await gql(OFFERED, {"s": slug}))["data"]["signInProviders"]
        assert offered == [{"id": pid, "name": "Globex directory", "kind": "oidc",
                            "loginUrl": f"/auth/oidc/{pid}/login"}], slug
    assert (await gql(OFFERED, {"s": "acme-a"}))["data"]["signInProviders"] == []
    assert [p["id"] for p in (await gql(OFFERED, {"e": "x@globex.example"}))["data"][
        "signInProviders"]] == [pid]
    assert (await gql(OFFERED, {"e": "x@acme.example"}))["data"]["signInProviders"] == []
    assert (await gql(OFFERED, {}))["data"]["signInProviders"] == []  # not platform-wide


async def test_a_decentralized_group_offers_its_providers_to_itself_only(platform, gql):
    from tests.conftest import make_group

    soft = await make_group(platform, "soft", "decentralized")
    saved = await _save(gql, soft.token("admin"), soft.ids["soft"], _input(
        roleMappings=[{"value": "x", "tenantSlug": "soft-a", "role": "viewer"}]))
    assert _codes(saved) == ["SSO_MAPPING_OUTSIDE_PROVIDER"]
    saved = await _save(gql, soft.token("admin"), soft.ids["soft"], _input())
    assert len((await gql(OFFERED, {"s": "soft"}))["data"]["signInProviders"]) == 1
    assert (await gql(OFFERED, {"s": "soft-a"}))["data"]["signInProviders"] == []
    local = await _save(gql, soft.token("a-admin"), soft.ids["soft-a"], _input(name="Own"))
    assert local["errors"] == []
    assert [p["name"] for p in (await gql(OFFERED, {"s": "soft-a"}))["data"][
        "signInProviders"]] == ["Own"]


async def test_removing_a_provider_is_audited_and_stays_in_its_tenant(two_groups, gql,
                                                                      platform):
    from ipgov.audit.models import AuditEvent

    acme, globex = two_groups
    pid = (await _save(gql, acme.token("admin"), acme.ids["acme"], _input())
           )["identityProvider"]["id"]
    foreign = await gql(REMOVE, {"t": globex.ids["globex"], "id": pid}, globex.token("admin"))
    assert foreign["data"]["removeIdentityProvider"]["errors"][0]["code"] == \
        "IDENTITY_PROVIDER_NOT_FOUND"
    done = await gql(REMOVE, {"t": acme.ids["acme"], "id": pid}, acme.token("admin"))
    assert done["data"]["removeIdentityProvider"] == {"removedId": pid, "errors": []}
    async with platform.db.system_session("test: audit") as s:
        actions = [e.action for e in (await s.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == acme.ids["acme"]))).scalars()]
    assert "ipgov.identity_provider.saved" in actions
    assert "ipgov.identity_provider.removed" in actions


async def test_the_login_route_refuses_an_unknown_provider_with_a_page(gql):
    answer = await gql.client.get("/auth/oidc/no-such-provider/login",
                                  headers={"accept-language": "zh-CN"})
    assert answer.status_code == 403
    assert "SSO_PROVIDER_NOT_FOUND" in answer.text and "登录被拒绝" in answer.text
    bad = await gql.client.get("/auth/oidc/x/callback?state=forged&code=c")
    assert bad.status_code == 403 and "SSO_STATE_INVALID" in bad.text
