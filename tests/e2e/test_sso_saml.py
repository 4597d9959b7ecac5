"""SAML 2.0 single sign-on against a real identity provider (issue 19): pysaml2's IdP side
(``saml2.server.Server``, its own key), ipgov served in-process (ASGI, the production app
and middleware) over real HTTP requests, on SQLite and PostgreSQL.

The acme group's administrator registers a SAML provider through GraphQL with the IdP's
metadata; the IdP imports ipgov's service-provider metadata from its URL. Shown: a sign-in
(the IdP verifies ipgov's signed AuthnRequest, answers with a signed assertion) creates the
person and maps their directory group to a role in a subsidiary; a response signed as a
whole, and an encrypted assertion, are accepted too. Refused, each with a page saying why
(in Chinese for a Chinese browser), a log line and an audit event: an assertion altered
after signing, a replayed one, one for another audience, an expired one, one answering
another request or none, an unsigned one, one signed with SHA-1, and a response carried to
another browser.
Isolation: an assertion of acme's IdP claiming a globex tenant, or posted to globex's
provider, never gives a role in globex. Also: bad metadata (a DTD) is refused at saving,
metadata is read once from the URL the IdP publishes it at, a provider that requires
encrypted assertions refuses a plain one, and
rotating the service-provider key changes its certificate and keeps sign-in working.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ipgov.identity.sso.saml import new_keypair
from ipgov.runtime import Platform
from tests.conftest import make_group
from tests.e2e.oidc_support import refusal, sso_code
from tests.e2e.saml_support import MetadataServer, SamlIdentityProvider, altered, post_form

BASE = "http://ipgov.test"
SAVE = """mutation($t: ID!, $i: SamlIdentityProviderInput!, $id: ID) {
  saveSamlIdentityProvider(tenantId: $t, input: $i, id: $id) {
    identityProvider { id kind issuer redirectUri saml { entityId acsUrl metadataUrl
                       certificate } }
    errors { code field message } } }"""
ROTATE = """mutation($t: ID!, $id: ID!) { rotateSamlServiceProviderKey(tenantId: $t, id: $id) {
  identityProvider { saml { certificate } } errors { code } } }"""
METADATA = """query($t: ID!, $id: ID!) { samlServiceProviderMetadata(tenantId: $t, id: $id) }"""
COMPLETE = """mutation($c: String!) { completeSignIn(code: $c) {
  token errors { code message } } }"""
ME = "{ me { displayName memberships { tenantSlug role } } }"
ADA = {"mail": ["ada@acme.example"], "displayName": ["Ada Lovelace"], "groups": ["staff"]}
MANAGER = {**ADA, "groups": ["ip-managers", "staff"]}


@pytest.fixture(scope="module")
def idp_keypair() -> tuple[str, str]:
    """The IdP's key and certificate, made once for the module (key generation is slow)."""
    return new_keypair("test IdP")


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """The platform published at ``BASE``, with a clock skew of one second; the IdP's
    metadata URL on this host may be read."""
    return dataclasses.replace(settings, public_url=BASE, sso_clock_skew_seconds=1,
                               sso_allow_http=True, sso_allow_private_networks="127.0.0.0/8")


@pytest.fixture
async def app(platform: Platform) -> AsyncIterator[Any]:
    from ipgov.web.app import create_app

    await platform.authz.start()
    yield create_app(platform)


class World:
    """ipgov with acme and globex, the IdP, and the registered providers."""

    def __init__(self, platform: Platform, app: Any, idp: SamlIdentityProvider) -> None:
        self.platform, self.app, self.idp = platform, app, idp
        self.ids: dict[str, str] = {}

    def browser(self, language: str = "en") -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE,
                                 headers={"accept-language": language}, timeout=30)

    async def gql(self, query: str, variables: dict[str, Any], token: str | None = None
                  ) -> dict[str, Any]:
        async with self.browser() as client:
            answer = await client.post("/graphql", json={"query": query,
                                                         "variables": variables},
                                       headers={"authorization": f"Bearer {token}"}
                                       if token else {})
        body: dict[str, Any] = answer.json()
        assert "errors" not in body, body
        return body["data"]

    async def register(self, key: str, group: Any, **extra: Any) -> dict[str, Any]:
        data = {"name": f"{key} SAML", **extra}
        if "idpMetadataUrl" not in extra:
            data["idpMetadataXml"] = self.idp.metadata()
        saved = (await self.gql(SAVE, {"t": group.ids[key], "i": data},
                                group.token("admin")))["saveSamlIdentityProvider"]
        assert saved["errors"] == [], saved
        node = saved["identityProvider"]
        self.ids[key] = node["id"]
        async with self.browser() as client:
            metadata = await client.get(node["saml"]["metadataUrl"].removeprefix(BASE))
        assert metadata.status_code == 200
        assert metadata.headers["content-type"].startswith("application/samlmetadata+xml")
        self.idp.trust(metadata.text)
        return dict(node)

    async def start(self, browser: httpx.AsyncClient, key: str) -> Any:
        """ipgov's login route, then the IdP reading the AuthnRequest it was sent."""
        started = await browser.get(f"/auth/saml/{self.ids[key]}/login")
        assert started.status_code == 302, started.text
        assert "ipgov_sso" in started.cookies
        return self.idp.read_request(started.headers["location"])

    async def post(self, browser: httpx.AsyncClient, key: str, saml_response: str,
                   relay_state: str) -> httpx.Response:
        """The browser posting the IdP's form to the ACS, then following to ``finish``."""
        acs = await browser.post(f"/auth/saml/{self.ids[key]}/acs",
                                 data=post_form(saml_response, relay_state))
        if acs.status_code != 303:
            return acs
        return await browser.get(acs.headers["location"])

    async def sign_in(self, key: str, person: dict[str, list[str]], language: str = "en",
                      **answer: Any) -> httpx.Response:
        async with self.browser(language) as browser:
            request = await self.start(browser, key)
            return await self.post(browser, key, self.idp.response(request, person, **answer),
                                   request.relay_state)

    async def refusals(self, code: str) -> list[dict[str, Any]]:
        from ipgov.audit.models import AuditEvent

        async with self.platform.db.system_session("test: refusals") as s:
            rows = (await s.execute(select(AuditEvent).where(
                AuditEvent.action == "user.sso_refused"))).scalars().all()
        return [r.details for r in rows if r.details.get("code") == code]

    async def count(self, model: Any, *where: Any) -> int:
        async with self.platform.db.system_session("test: count") as s:
            return int((await s.execute(select(func.count()).select_from(model).where(*where))
                        ).scalar_one())


async def test_saml_single_sign_on_against_a_real_identity_provider(
        platform: Platform, app: Any, tmp_path: Any, idp_keypair: tuple[str, str],
        caplog: pytest.LogCaptureFixture) -> None:
    acme = await make_group(platform, "acme", "hybrid")
    globex = await make_group(platform, "globex", "centralized")
    world = World(platform, app, SamlIdentityProvider(tmp_path, *idp_keypair))
    await _metadata_with_a_dtd_is_refused(world, acme)
    await world.register("acme", acme, jitPolicy="CREATE", allowedDomains=["acme.example"],
                         directRoleClaims=True, nameAttribute="displayName",
                         roleMappings=[{"value": "ip-managers", "tenantSlug": "acme-a",
                                        "role": "ip_manager"}])
    published = MetadataServer(world.idp.metadata())
    try:  # globex's administrator gives the URL where the IdP publishes its metadata
        node = await world.register("globex", globex, jitPolicy="CREATE",
                                    emailAttribute="urn:oid:0.9.2342.19200300.100.1.3",
                                    idpMetadataUrl=published.url)
    finally:
        published.stop()
    assert node["issuer"] == world.idp.entity_id
    await _sign_in_creates_and_maps(world)
    await _signed_response_and_encrypted_assertion_are_accepted(world)
    with caplog.at_level(logging.WARNING, logger="ipgov.sso"):
        await _altered_replayed_and_misdirected_assertions_are_refused(world)
    assert "single sign-on refused: SSO_SAML_SIGNATURE" in caplog.text
    await _expired_assertions_are_refused(world)
    await _assertions_never_reach_another_group(world, globex)
    await _rotating_the_key_changes_the_certificate(world, acme, globex)
    await _encryption_can_be_required(world, globex)


async def _metadata_with_a_dtd_is_refused(world: World, acme: Any) -> None:
    xxe = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           + world.idp.metadata().split("?>", 1)[-1].replace("test IdP", "&x;"))
    saved = (await world.gql(SAVE, {"t": acme.ids["acme"],
                                    "i": {"name": "bad", "idpMetadataXml": xxe}},
                             acme.token("admin")))["saveSamlIdentityProvider"]
    assert [e["code"] for e in saved["errors"]] == ["SSO_SAML_METADATA_INVALID"], saved
    assert "DTD" in saved["errors"][0]["message"]


async def _sign_in_creates_and_maps(world: World) -> None:
    from ipgov.audit.models import AuditEvent
    from ipgov.identity.models import User

    code = sso_code(await world.sign_in("acme", MANAGER))
    done = (await world.gql(COMPLETE, {"c": code}))["completeSignIn"]
    assert done["errors"] == [] and done["token"], done
    me = (await world.gql(ME, {}, done["token"]))["me"]
    assert me == {"displayName": "Ada Lovelace",
                  "memberships": [{"tenantSlug": "acme-a", "role": "ip_manager"}]}
    assert await world.count(User, User.email == "ada@acme.example") == 1
    async with world.platform.db.system_session("test: audit") as s:
        methods = [e.details.get("method") for e in (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "user.signed_in"))).scalars()]
    assert f"saml:{world.ids['acme']}" in methods


async def _signed_response_and_encrypted_assertion_are_accepted(world: World) -> None:
    sso_code(await world.sign_in("acme", MANAGER, sign_assertion=False, sign_response=True))
    async with world.browser() as client:
        metadata = (await client.get(f"/auth/saml/{world.ids['acme']}/metadata")).text
    certificate = re.findall(r"X509Certificate>([^<]+)<", metadata)[0]
    pem = ("-----BEGIN CERTIFICATE-----\n" + certificate.strip()
           + "\n-----END CERTIFICATE-----\n")
    sso_code(await world.sign_in("acme", MANAGER, encrypt_to=pem))


async def _altered_replayed_and_misdirected_assertions_are_refused(world: World) -> None:
    async with world.browser("zh-CN") as browser:
        request = await world.start(browser, "acme")
        signed = world.idp.response(request, ADA)
        tampered = altered(signed, ">staff<", ">ip-managers<")
        answer = await world.post(browser, "acme", tampered, request.relay_state)
        code, message = refusal(answer)
        assert code == "SSO_SAML_SIGNATURE" and "签名" in message, message
    async with world.browser() as browser:
        request = await world.start(browser, "acme")
        signed = world.idp.response(request, MANAGER)
        sso_code(await world.post(browser, "acme", signed, request.relay_state))
        again = await world.post(browser, "acme", signed, request.relay_state)
        assert refusal(again)[0] == "SSO_SAML_REPLAYED"
    cases = [({"audience": "https://another.example/sp"}, "SSO_SAML_WRONG_AUDIENCE"),
             ({"in_response_to": None}, "SSO_SAML_UNSOLICITED"),
             ({"in_response_to": "id-another-request"}, "SSO_SAML_UNSOLICITED"),
             ({"sign_assertion": False}, "SSO_SAML_UNSIGNED"),
             ({"sha1": True}, "SSO_SAML_WEAK_ALGORITHM")]
    for answer_with, expected in cases:
        assert refusal(await world.sign_in("acme", MANAGER, **answer_with))[0] == expected
    async with world.browser() as browser, world.browser() as other:
        request = await world.start(browser, "acme")
        signed = world.idp.response(request, MANAGER)
        code, message = refusal(await world.post(other, "acme", signed, request.relay_state))
        assert code == "SSO_BROWSER_MISMATCH" and "another browser" in message
        bare = await other.post(f"/auth/saml/{world.ids['acme']}/acs",
                                data={"SAMLResponse": signed})
        assert refusal(bare)[0] == "SSO_SAML_UNSOLICITED"
    for code in ("SSO_SAML_SIGNATURE", "SSO_SAML_REPLAYED", "SSO_SAML_WRONG_AUDIENCE",
                 "SSO_SAML_UNSOLICITED", "SSO_SAML_UNSIGNED", "SSO_SAML_WEAK_ALGORITHM",
                 "SSO_BROWSER_MISMATCH"):
        assert await world.refusals(code), code


async def _expired_assertions_are_refused(world: World) -> None:
    world.idp.lifetime = {"seconds": 1}
    try:
        async with world.browser() as browser:
            request = await world.start(browser, "acme")
            signed = world.idp.response(request, MANAGER)
            await _wall_clock_passes(4)  # past NotOnOrAfter and its second of skew, with room
            answer = await world.post(browser, "acme", signed, request.relay_state)
    finally:
        world.idp.lifetime = {"minutes": 5}
    assert refusal(answer)[0] == "SSO_SAML_EXPIRED"
    assert await world.refusals("SSO_SAML_EXPIRED")


async def _wall_clock_passes(seconds: float) -> None:
    """Wait until the wall clock (which the IdP and the SP read) has moved ``seconds``:
    on a loaded machine it can lag the monotonic clock ``asyncio.sleep`` counts."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        await asyncio.sleep(0.1)


async def _assertions_never_reach_another_group(world: World, globex: Any) -> None:
    from ipgov.identity.models import Membership, User

    in_globex = Membership.tenant_id.in_(set(globex.ids.values()))
    before = await world.count(Membership, in_globex)
    claims_globex = {"mail": ["mallory@acme.example"], "displayName": ["Mallory"],
                     "groups": ["staff", "ipgov:globex:group_admin"]}
    code = refusal(await world.sign_in("acme", claims_globex))[0]
    assert code == "SSO_TENANT_OUTSIDE_PROVIDER"
    [details] = await world.refusals("SSO_TENANT_OUTSIDE_PROVIDER")
    assert details["value"] == "ipgov:globex:group_admin"
    async with world.browser() as browser:
        for_acme = await world.start(browser, "acme")
        for_globex = await world.start(browser, "globex")
        signed = world.idp.response(for_acme, claims_globex)
        carried = await world.post(browser, "globex", signed, for_globex.relay_state)
        assert refusal(carried)[0] == "SSO_SAML_UNSOLICITED"
        relayed = await world.post(browser, "globex", signed, for_acme.relay_state)
        assert refusal(relayed)[0] == "SSO_STATE_INVALID"
    assert await world.count(User, User.email == "mallory@acme.example") == 0
    assert await world.count(Membership, in_globex) == before


async def _rotating_the_key_changes_the_certificate(world: World, acme: Any, globex: Any
                                                    ) -> None:
    variables = {"t": acme.ids["acme"], "id": world.ids["acme"]}
    before = (await world.gql(METADATA, variables, acme.token("admin")))
    rotated = (await world.gql(ROTATE, variables, acme.token("admin"))
               )["rotateSamlServiceProviderKey"]
    assert rotated["errors"] == []
    after = (await world.gql(METADATA, variables, acme.token("admin")))
    assert before["samlServiceProviderMetadata"] != after["samlServiceProviderMetadata"]
    old_trust = list(world.idp.trusted)
    world.idp.trusted = [after["samlServiceProviderMetadata"]]
    try:
        sso_code(await world.sign_in("acme", MANAGER))
    finally:
        world.idp.trusted = old_trust
    foreign = await world.gql(METADATA, {"t": globex.ids["globex"], "id": world.ids["acme"]},
                              globex.token("admin"))
    assert foreign["samlServiceProviderMetadata"] is None  # acme's provider, asked in globex


async def _encryption_can_be_required(world: World, globex: Any) -> None:
    saved = (await world.gql(SAVE, {"t": globex.ids["globex"], "id": world.ids["globex"], "i": {
        "name": "globex SAML", "requireEncryptedAssertions": True}}, globex.token("admin"))
             )["saveSamlIdentityProvider"]
    assert saved["errors"] == [], saved
    grace = {"mail": ["grace@globex.example"], "displayName": ["Grace"], "groups": []}
    assert refusal(await world.sign_in("globex", grace))[0] == "SSO_SAML_NOT_ENCRYPTED"
    assert await world.refusals("SSO_SAML_NOT_ENCRYPTED")
