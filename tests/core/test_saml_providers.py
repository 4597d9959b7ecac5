"""SAML identity providers in GraphQL (issue 19): the IdP metadata is checked before anything
is stored, the service-provider key is made sealed and never read back, the two kinds are not
confused, and no field crosses a group's boundary (the sign-in itself: tests/e2e/test_sso_saml.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ipgov.identity.sso.models import IdentityProvider
from ipgov.identity.sso.saml import new_keypair
from tests.e2e.saml_support import SamlIdentityProvider

SAVE = """mutation($t: ID!, $i: SamlIdentityProviderInput!, $id: ID) {
  saveSamlIdentityProvider(tenantId: $t, input: $i, id: $id) {
    identityProvider { id kind issuer clientId hasClientSecret redirectUri
                       saml { entityId acsUrl metadataUrl certificate } }
    errors { code field message } } }"""
SAVE_OIDC = """mutation($t: ID!, $i: IdentityProviderInput!, $id: ID) {
  saveIdentityProvider(tenantId: $t, input: $i, id: $id) {
    identityProvider { id } errors { code } } }"""
ROTATE = """mutation($t: ID!, $id: ID!) { rotateSamlServiceProviderKey(tenantId: $t, id: $id) {
  identityProvider { saml { certificate } } errors { code } } }"""
OFFERED = """query($s: String) { signInProviders(tenantSlug: $s) { id kind loginUrl } }"""


@pytest.fixture(scope="module")
def idp_metadata(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real IdP's metadata (pysaml2's IdP with its own key)."""
    key, cert = new_keypair("test IdP")
    return SamlIdentityProvider(Path(tmp_path_factory.mktemp("idp")), key, cert).metadata()


async def _save(gql, token: str, tenant: str, data: dict[str, Any], pid: str | None = None
                ) -> dict[str, Any]:
    body = await gql(SAVE, {"t": tenant, "i": data, "id": pid}, token)
    assert "errors" not in body, body
    return body["data"]["saveSamlIdentityProvider"]


def _codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_a_saml_provider_is_saved_with_checked_metadata_and_a_sealed_key(
        two_groups, gql, platform, idp_metadata):
    acme, _globex = two_groups
    token, tenant = acme.token("admin"), acme.ids["acme"]
    bad = {
        "not xml": "<EntityDescriptor",
        "a federation": idp_metadata.replace("EntityDescriptor", "EntitiesDescriptor"),
        "http": idp_metadata.replace("https://idp.acme.example/sso", "http://idp.acme.example/sso"),
        "no certificate": idp_metadata.replace("X509Certificate", "X509Nothing"),
        "too large": idp_metadata.replace("</", "<!--" + "x" * 300_000 + "--></", 1),
    }
    for why, xml in bad.items():
        saved = await _save(gql, token, tenant, {"name": "Bad", "idpMetadataXml": xml})
        assert _codes(saved) == ["SSO_SAML_METADATA_INVALID"], why
    assert _codes(await _save(gql, token, tenant, {"name": "None"})) == [
        "SSO_SAML_METADATA_INVALID"]
    private = await _save(gql, token, tenant, {"name": "Url",
                                               "idpMetadataUrl": "https://127.0.0.1/md"})
    assert _codes(private) == ["SSO_URL_REFUSED"]  # the outbound guard: no private address

    saved = await _save(gql, token, tenant, {"name": "Acme SAML", "idpMetadataXml": idp_metadata})
    assert saved["errors"] == []
    node = saved["identityProvider"]
    pid = node["id"]
    assert node["kind"] == "saml" and node["issuer"] == "https://idp.acme.example/saml"
    assert not node["hasClientSecret"] and node["clientId"] == ""
    assert node["saml"]["entityId"].endswith(f"/auth/saml/{pid}/metadata")
    assert node["redirectUri"] == node["saml"]["acsUrl"]
    async with platform.db.system_session("test: read") as s:
        row = await s.get(IdentityProvider, pid)
    assert row is not None and row.saml_sp_key_sealed.startswith("v1.")
    assert "PRIVATE KEY" not in row.saml_sp_key_sealed
    assert row.saml_sp_cert == node["saml"]["certificate"]
    from ipgov.identity.sealing import SP_KEY_PURPOSE, SealError, unseal

    assert "PRIVATE KEY" in unseal(platform, row.saml_sp_key_sealed, provider_id=pid,
                                   purpose=SP_KEY_PURPOSE)
    with pytest.raises(SealError):  # the key does not open as another provider's secret
        unseal(platform, row.saml_sp_key_sealed, provider_id=pid)

    kept = await _save(gql, token, tenant, {"name": "Renamed"}, pid)
    assert kept["errors"] == [] and kept["identityProvider"]["issuer"] == node["issuer"]
    oidc = await gql(SAVE_OIDC, {"t": tenant, "id": pid, "i": {
        "name": "x", "issuer": "https://login.acme.example", "clientId": "c"}}, token)
    assert [e["code"] for e in oidc["data"]["saveIdentityProvider"]["errors"]] == [
        "SSO_PROVIDER_KIND"]
    offered = (await gql(OFFERED, {"s": "acme-a"}))["data"]["signInProviders"]
    assert offered == [{"id": pid, "kind": "saml", "loginUrl": f"/auth/saml/{pid}/login"}]


async def test_saml_providers_stay_in_their_groups(two_groups, gql, idp_metadata):
    acme, globex = two_groups
    pid = (await _save(gql, acme.token("admin"), acme.ids["acme"],
                       {"name": "Acme SAML", "idpMetadataXml": idp_metadata})
           )["identityProvider"]["id"]
    outside = await _save(gql, acme.token("admin"), acme.ids["acme"], {
        "name": "Reach", "idpMetadataXml": idp_metadata,
        "roleMappings": [{"value": "x", "tenantSlug": "globex-a", "role": "viewer"}]})
    assert _codes(outside) == ["SSO_MAPPING_OUTSIDE_PROVIDER"]
    foreign = await gql(SAVE, {"t": acme.ids["acme"], "i": {"name": "Mine"}, "id": pid},
                        globex.token("admin"))
    assert foreign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    rotated = await gql(ROTATE, {"t": globex.ids["globex"], "id": pid}, globex.token("admin"))
    assert [e["code"] for e in rotated["data"]["rotateSamlServiceProviderKey"]["errors"]] == [
        "IDENTITY_PROVIDER_NOT_FOUND"]
    central = await _save(gql, globex.token("a-admin"), globex.ids["globex-a"],
                          {"name": "Own", "idpMetadataXml": idp_metadata})
    assert _codes(central) == ["GOVERNANCE_MODE_FORBIDS"]
    auditor = await gql(ROTATE, {"t": acme.ids["acme"], "id": pid}, acme.token("auditor"))
    assert auditor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    metadata = await gql.client.get(f"/auth/saml/{pid}/metadata")
    assert metadata.status_code == 200 and "AssertionConsumerService" in metadata.text
    assert (await gql.client.get("/auth/saml/no-such/metadata")).status_code == 404
