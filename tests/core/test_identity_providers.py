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


async def test_a_browser_is_sent_back_to_the_sign_in_screen_with_the_reason(gql, platform):
    """A top-level navigation (``Sec-Fetch-Mode: navigate``) is refused by a redirect to the
    workspace's sign-in, which says why (only the code travels: the screen owns the words);
    the refusal is audited as for the page."""
    from ipgov.audit.models import AuditEvent

    navigate = {"sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
    answer = await gql.client.get("/auth/oidc/x/callback?state=forged&code=c", headers=navigate)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/signin#sso-refused=SSO_STATE_INVALID"
    assert answer.headers["cache-control"] == "no-store"
    async with platform.db.system_session("test: audit") as s:
        codes = [e.details["code"] for e in (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "user.sso_refused"))).scalars()]
    assert codes == ["SSO_STATE_INVALID"]


# ------------------------------------------------------ how claim values name tenants and roles


def _claims_provider(acme: Any, **extra: Any) -> IdentityProvider:
    values: dict[str, Any] = {
        "tenant_id": acme.ids["acme"], "name": "Acme", "issuer": "https://login.acme.example",
        "client_id": "ipgov", "groups_claim": "groups", "role_mappings": [],
        "direct_role_claims": True, **extra}
    return IdentityProvider(**values)


async def test_a_directory_groups_own_colon_never_names_a_tenant(two_groups, platform):
    """A group the directory calls ``Acme-A:Viewer`` is that directory's name, mapped only by
    the table; only ``ipgov:<slug>:<role>`` (slug and role in either case) names a role."""
    from ipgov.identity.sso.mapping import Grant, claimed_grants

    acme, _globex = two_groups
    provider = _claims_provider(acme, role_mappings=[
        {"value": "Sales:Team", "tenant_id": acme.ids["acme-b"], "role": "contributor"}])
    claims = {"groups": ["Sales:Team", "Acme-A:Viewer", "acme-a:viewer", "ipgov:ACME-C:Reviewer"]}
    assert claimed_grants(platform.tenants, provider, claims) == {
        Grant(acme.ids["acme-b"], "contributor"), Grant(acme.ids["acme-c"], "reviewer")}


async def test_a_claim_named_by_a_url_is_read_whole(two_groups, platform):
    """Namespaced claims are URLs with dots (``https://acme.example/groups``): the whole name
    is the claim; a dotted path reaches into objects only when no claim has the whole name."""
    from ipgov.identity.sso.mapping import Grant, claim_values, claimed_grants

    acme, _globex = two_groups
    claim = "https://acme.example/claims/groups"
    provider = _claims_provider(acme, groups_claim=claim, direct_role_claims=False,
                                role_mappings=[{"value": "ip", "tenant_id": acme.ids["acme-a"],
                                                "role": "ip_manager"}])
    assert claimed_grants(platform.tenants, provider, {claim: ["ip"]}) == {
        Grant(acme.ids["acme-a"], "ip_manager")}
    assert claim_values({"realm_access": {"roles": ["x"]}}, "realm_access.roles") == ["x"]


async def test_a_malformed_role_name_is_refused_with_its_reason(two_groups, platform):
    import pytest

    from ipgov.identity.sso.mapping import claimed_grants
    from ipgov.identity.sso.refusals import SignInRefused

    acme, _globex = two_groups
    for value in ("ipgov:acme-a", "ipgov:acme-a:viewer:extra", "ipgov:Sales Team:viewer"):
        with pytest.raises(SignInRefused) as refused:
            claimed_grants(platform.tenants, _claims_provider(acme), {"groups": [value]})
        assert refused.value.code == "SSO_ROLE_NAME_MALFORMED", value
        assert refused.value.details["value"] == value


async def test_a_mapping_value_may_not_look_like_a_role_name(two_groups, gql):
    """A table row whose value is written ``ipgov:<slug>:<role>`` would give two roles at once
    (its own and the one the value names): refused when saved."""
    acme, _globex = two_groups
    saved = await _save(gql, acme.token("admin"), acme.ids["acme"], _input(
        roleMappings=[{"value": "IPGOV:acme-a:viewer", "tenantSlug": "acme-b",
                       "role": "reviewer"}]))
    assert _codes(saved) == ["SSO_MAPPING_VALUE_RESERVED"]
    fine = await _save(gql, acme.token("admin"), acme.ids["acme"], _input(
        roleMappings=[{"value": "Sales:Team", "tenantSlug": "acme-b", "role": "reviewer"}]))
    assert fine["errors"] == []
