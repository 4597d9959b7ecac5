"""SAML single logout and the IdP's key rotation, against a real identity provider (issue 19):
pysaml2's IdP side, ipgov served in-process (ASGI, the production app) over real HTTP
requests, on SQLite and PostgreSQL.

The acme group registers its SAML provider with the URL the IdP publishes its metadata at.
Shown: signing out of a SAML session sends the browser to the IdP with a signed
LogoutRequest naming the person and the assertion's SessionIndex (the IdP verifies it) and
the IdP's signed LogoutResponse brings it back to the sign-in screen, while a response
altered on the way is refused; a LogoutRequest the IdP sends ends every session of that
person opened through the provider, at once, audited, and is answered with a LogoutResponse
the IdP accepts, while an unsigned one, or one signed by another key, ends nothing. Then the
IdP rotates its key: a response signed with the new key makes ipgov read the metadata again
at once (it names both certificates: the overlap) and is accepted, the old key is still
accepted during the overlap, and once the scheduled refresh has read the metadata with the
new certificate alone, a response signed by the removed key is refused (without reading the
metadata again: at most once a minute).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select, update

from ipgov.runtime import Platform
from tests.conftest import make_group
from tests.e2e import test_sso_saml
from tests.e2e.oidc_support import refusal, sso_code
from tests.e2e.saml_support import MetadataServer, SamlIdentityProvider
from tests.e2e.test_sso_saml import BASE, COMPLETE, MANAGER, World

# the fixtures of the SAML sign-in tests: the platform published at BASE, the app, the IdP's key
settings, app, idp_keypair = test_sso_saml.settings, test_sso_saml.app, test_sso_saml.idp_keypair

SIGN_OUT = "mutation { signOut { ok singleLogoutUrl errors { code } } }"
ADA = "ada@acme.example"


async def _session(world: World) -> str:
    """A bearer token of a fresh session Ada opened through the IdP."""
    code = sso_code(await world.sign_in("acme", MANAGER))
    done = (await world.gql(COMPLETE, {"c": code}))["completeSignIn"]
    assert done["errors"] == [] and done["token"], done
    return str(done["token"])


async def _works(world: World, token: str) -> bool:
    async with world.browser() as client:
        body = (await client.post("/graphql", json={"query": "{ me { id } }"},
                                  headers={"authorization": f"Bearer {token}"})).json()
    return bool((body.get("data") or {}).get("me"))


def _slo(world: World) -> tuple[str, str]:
    prefix = f"{BASE}/auth/saml/{world.ids['acme']}"
    return f"{prefix}/slo", f"{prefix}/metadata"


async def test_saml_single_logout_and_idp_key_rotation(
        platform: Platform, app: Any, tmp_path: Any, idp_keypair: tuple[str, str]) -> None:
    acme = await make_group(platform, "acme", "hybrid")
    world = World(platform, app, SamlIdentityProvider(tmp_path, *idp_keypair))
    published = MetadataServer(world.idp.metadata())
    try:
        await world.register("acme", acme, jitPolicy="CREATE", allowedDomains=["acme.example"],
                             nameAttribute="displayName", idpMetadataUrl=published.url,
                             roleMappings=[{"value": "ip-managers", "tenantSlug": "acme-a",
                                            "role": "ip_manager"}])
        await _signing_out_here_signs_out_at_the_idp(world)
        await _the_idps_logout_request_ends_the_sessions(world, tmp_path, acme.ids["acme"])
        await _the_idp_rotates_its_key(world, published)
    finally:
        published.stop()


async def _signing_out_here_signs_out_at_the_idp(world: World) -> None:
    token = await _session(world)
    out = (await world.gql(SIGN_OUT, {}, token))["signOut"]
    assert out["ok"] and out["errors"] == [], out
    assert out["singleLogoutUrl"].startswith(world.idp.slo_url + "?"), out
    assert not await _works(world, token)  # ended here at once, whatever the IdP does
    message, back = world.idp.answer_logout(out["singleLogoutUrl"])  # signature verified
    assert message.name_id.text == ADA and message.session_index[0].text
    assert back.startswith(_slo(world)[0] + "?SAMLResponse=")
    query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    async with world.browser("zh-CN") as browser:
        for name, expected, words in (("Signature", "SSO_SAML_SIGNATURE", "签名"),
                                      ("RelayState", "SSO_SAML_LOGOUT_INVALID", "登出")):
            value = query[name]
            flipped = value[:-6] + ("AAAA" if value[-6:-2] != "AAAA" else "BBBB") + value[-2:]
            altered = await browser.get(urlsplit(back).path + "?" + urlencode(
                {**query, name: flipped}))
            code, message_text = refusal(altered)
            assert code == expected and words in message_text, (name, message_text)
        done = await browser.get(back.removeprefix(BASE))
    assert done.status_code == 303 and done.headers["location"] == "/signin", done.text
    assert await world.refusals("SSO_SAML_SIGNATURE")
    # a session signed out of once has no link left: signing out again sends nobody anywhere
    again = await _session(world)
    await world.gql(SIGN_OUT, {}, again)


async def _the_idps_logout_request_ends_the_sessions(world: World, tmp_path: Any,
                                                     acme_id: str) -> None:
    from ipgov.audit.models import AuditEvent

    first, second = await _session(world), await _session(world)
    slo, entity = _slo(world)
    forger = SamlIdentityProvider.generated(tmp_path / "forger")
    forger.entity_id, forger.trusted = world.idp.entity_id, list(world.idp.trusted)
    async with world.browser() as browser:
        for url, expected in ((world.idp.logout_request_url(slo, entity, ADA, sign=False),
                               "SSO_SAML_UNSIGNED"),
                              (forger.logout_request_url(slo, entity, ADA),
                               "SSO_SAML_SIGNATURE")):
            assert refusal(await browser.get(url.removeprefix(BASE)))[0] == expected
        assert await _works(world, first) and await _works(world, second)
        answer = await browser.get(world.idp.logout_request_url(slo, entity, ADA)
                                   .removeprefix(BASE))
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(world.idp.slo_url + "?SAMLResponse=")
    response = world.idp.read_logout_response(location)
    assert response.response.status.status_code.value.endswith(":Success")
    assert not await _works(world, first) and not await _works(world, second)
    async with world.platform.db.system_session("test: logout audit") as s:
        [event] = (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "user.saml_logged_out"))).scalars().all()
    assert event.details == {"sessions": 2, "initiated_by": "idp"}
    assert event.tenant_id == acme_id


async def _read_long_ago(world: World, hours: float = 0.1) -> None:
    from ipgov.db.base import utcnow
    from ipgov.identity.sso.models import IdentityProvider

    async with world.platform.db.system_session("test: metadata read long ago") as s:
        await s.execute(update(IdentityProvider).where(
            IdentityProvider.id == world.ids["acme"]).values(
                saml_metadata_fetched_at=utcnow() - timedelta(hours=hours)))


async def _the_idp_rotates_its_key(world: World, published: MetadataServer) -> None:
    from ipgov.identity.sso.saml_metadata_refresh import refresh_due

    await _read_long_ago(world)  # the metadata was last read more than a minute ago
    old = world.idp.rotate()
    new = (world.idp.key_pem, world.idp.cert_pem)
    world.idp.published_certs = [old[1], new[1]]  # the overlap: both published
    published.xml = world.idp.metadata()
    reads = published.reads
    sso_code(await world.sign_in("acme", MANAGER))  # signed by the new key: read again
    assert published.reads == reads + 1
    world.idp.key_pem, world.idp.cert_pem = old
    sso_code(await world.sign_in("acme", MANAGER))  # the old key, still published
    assert published.reads == reads + 1
    world.idp.key_pem, world.idp.cert_pem = new
    world.idp.published_certs = [new[1]]  # the old key removed
    published.xml = world.idp.metadata()
    await _read_long_ago(world, hours=7)  # the scheduled refresh is due (every 6 hours)
    assert await refresh_due(world.platform) == 1
    assert published.reads == reads + 2
    sso_code(await world.sign_in("acme", MANAGER))
    world.idp.key_pem, world.idp.cert_pem = old
    assert refusal(await world.sign_in("acme", MANAGER))[0] == "SSO_SAML_SIGNATURE"
    assert published.reads == reads + 2  # read a minute ago: not again for a forged response


@pytest.fixture(autouse=True)
def _idp_folder(tmp_path: Any) -> None:
    (tmp_path / "forger").mkdir()
