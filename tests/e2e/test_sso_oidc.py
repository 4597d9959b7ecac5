"""Single sign-on against a real OpenID provider (issue 19): the certified ``oidc-provider``
under Node, a real ``ipgov serve``, real HTTP, on SQLite and PostgreSQL.

The acme group's administrator registers its providers through GraphQL; people sign in at
the provider's own pages. Shown: a first sign-in creates the person and maps their directory
group to a role in a subsidiary, and the workspace receives the session through a one-time
code (a second use, and a replayed callback, are refused); a tampered state, a callback in
another browser, an expired code, an ID token issued to another application, one of another
sign-in, and one that expired on the way are each refused with a page saying why (in
Chinese for a Chinese browser) and an audit event; a groups claim naming another group's
tenant, an address of another group's member, and an unknown person under the refuse policy
are refused with nothing created.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ipgov.settings import Settings
from tests.e2e.oidc_support import (
    SECRET,
    Browser,
    OpenIdProvider,
    TokenPath,
    direct_id_token,
    graphql,
    missing,
    provider_clients,
    provider_input,
    refusal,
    register_providers,
    serving_two_groups,
    sso_code,
)
from tests.e2e.test_multi_process import Processes

if (reason := missing()) is not None:
    pytest.skip(reason, allow_module_level=True)

COMPLETE = """mutation($c: String!) { completeSignIn(code: $c) {
  token refreshToken userId errors { code message } } }"""
ME = "{ me { id displayName memberships { tenantSlug role } } }"
ACCOUNTS = {
    "ada": {"email": "ada@acme.example", "email_verified": True, "name": "Ada Lovelace",
            "groups": ["ip-managers", "staff"]},
    "mallory": {"email": "mallory@acme.example", "email_verified": True, "name": "Mallory",
                "groups": ["staff", "ipgov:globex:group_admin"]},
    "spoof": {"email": "admin@globex.example", "email_verified": True, "name": "Not Globex",
              "groups": ["staff"]},
    "stranger": {"email": "stranger@elsewhere.example", "email_verified": True,
                 "name": "Stranger", "groups": ["staff"]},
}


class World:
    """ipgov serving the acme and globex groups, the provider and the token path."""

    def __init__(self, platform: Any, groups: Any, base: str, provider: OpenIdProvider,
                 path: TokenPath, ids: dict[str, str]) -> None:
        self.platform, self.acme, self.globex = platform, *groups
        self.base, self.provider, self.path, self.ids = base, provider, path, ids

    def browser(self, language: str = "en") -> Browser:
        return Browser(self.base, self.provider, language)

    async def count(self, model: Any, *where: Any) -> int:
        async with self.platform.db.system_session("test: count") as s:
            return int((await s.execute(select(func.count()).select_from(model).where(*where))
                        ).scalar_one())

    async def refusals(self, code: str) -> list[dict[str, Any]]:
        from ipgov.audit.models import AuditEvent

        async with self.platform.db.system_session("test: refusals") as s:
            rows = (await s.execute(select(AuditEvent).where(
                AuditEvent.action == "user.sso_refused"))).scalars().all()
        return [r.details for r in rows if r.details.get("code") == code]


async def _world(settings: Settings, tmp_path: Any, procs: Processes,
                 stack: list[Any]) -> World:
    platform, groups, base = await serving_two_groups(settings, procs, stack)
    provider = OpenIdProvider(tmp_path, clients=[], accounts=ACCOUNTS,
                              short_code_clients=["ipgov-short"],
                              short_id_token_clients=["ipgov-expiring"])
    path = TokenPath(provider)
    issuer = provider.issuer
    inputs = {
        "acme": provider_input("Acme directory", issuer, "acme", jitPolicy="CREATE",
                               allowedDomains=["acme.example"], directRoleClaims=True,
                               roleMappings=[{"value": "ip-managers", "tenantSlug": "acme-a",
                                              "role": "ip_manager"}]),
        "short": provider_input("Acme short codes", issuer, "short", jitPolicy="CREATE"),
        "open": provider_input("Acme open", issuer, "open", jitPolicy="REFUSE"),
        "proxied": provider_input("Acme proxied", issuer, "proxied", jitPolicy="CREATE",
                                  discoveryUrl=path.discovery_url),
        "expiring": provider_input("Acme expiring", issuer, "expiring", jitPolicy="CREATE",
                                   discoveryUrl=path.discovery_url),
    }
    async with httpx.AsyncClient(timeout=30) as client:
        ids = await register_providers(client, base, groups[0].token("admin"),
                                       groups[0].ids["acme"], inputs)
    provider.clients = provider_clients(base, ids) + [
        {"client_id": "other-app", "client_secret": SECRET,
         "redirect_uris": ["http://127.0.0.1:9/cb"]}]
    provider.start()
    stack.append(provider)
    path.start()
    stack.append(path)
    return World(platform, groups, base, provider, path, ids)


async def test_single_sign_on_against_a_real_openid_provider(settings, tmp_path):
    (tmp_path / "logs").mkdir()
    procs = Processes({}, tmp_path / "logs")
    stack: list[Any] = []
    try:
        world = await _world(settings, tmp_path, procs, stack)
        await _first_sign_in_creates_and_maps(world)
        await _tampered_state_and_another_browser_are_refused(world)
        await _an_expired_code_is_refused(world)
        await _tokens_substituted_on_the_way_are_refused(world)
        await _claims_never_reach_another_group(world)
        await _unknown_people_are_refused_by_policy(world)
    finally:
        for item in reversed(stack):
            await item.close() if hasattr(item, "close") else item.stop()
        procs.stop_all()


async def _first_sign_in_creates_and_maps(world: World) -> None:
    from ipgov.audit.models import AuditEvent
    from ipgov.identity.models import User

    browser = world.browser()
    try:
        callback = await browser.to_callback(world.ids["acme"], "ada")
        code = sso_code(await browser.callback(callback))
        async with httpx.AsyncClient(timeout=30) as client:
            done = (await graphql(client, world.base, COMPLETE, {"c": code}))["completeSignIn"]
            assert done["errors"] == [] and done["token"] and done["refreshToken"], done
            me = (await graphql(client, world.base, ME, {}, done["token"]))["me"]
            assert me["displayName"] == "Ada Lovelace"
            assert me["memberships"] == [{"tenantSlug": "acme-a", "role": "ip_manager"}]
            again = (await graphql(client, world.base, COMPLETE, {"c": code}))["completeSignIn"]
            assert [e["code"] for e in again["errors"]] == ["SSO_CODE_INVALID"]
        assert refusal(await browser.callback(callback))[0] == "SSO_STATE_USED"
    finally:
        await browser.close()
    assert await world.count(User, User.email == "ada@acme.example") == 1
    async with world.platform.db.system_session("test: audit") as s:
        methods = [e.details.get("method") for e in (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "user.signed_in"))).scalars()]
    assert f"oidc:{world.ids['acme']}" in methods
    assert await world.refusals("SSO_STATE_USED")


async def _tampered_state_and_another_browser_are_refused(world: World) -> None:
    browser, other = world.browser("zh-CN"), world.browser()
    try:
        callback = await browser.to_callback(world.ids["acme"], "ada")
        tampered = callback.replace("state=", "state=x")
        code, message = refusal(await browser.callback(tampered))
        assert code == "SSO_STATE_INVALID" and "篡改" in message, message
        code, message = refusal(await other.callback(callback))  # login CSRF: no cookie
        assert code == "SSO_BROWSER_MISMATCH" and "another browser" in message
        assert refusal(await browser.callback(callback))[0] == "SSO_STATE_USED"
    finally:
        await browser.close()
        await other.close()
    assert await world.refusals("SSO_STATE_INVALID")
    assert await world.refusals("SSO_BROWSER_MISMATCH")


async def _an_expired_code_is_refused(world: World) -> None:
    browser = world.browser()
    try:
        callback = await browser.to_callback(world.ids["short"], "ada")
        await asyncio.sleep(2.5)  # the provider's codes for this client live one second
        assert refusal(await browser.callback(callback))[0] == "SSO_CODE_REJECTED"
    finally:
        await browser.close()
    assert await world.refusals("SSO_CODE_REJECTED")


async def _tokens_substituted_on_the_way_are_refused(world: World) -> None:
    provider = world.provider
    another_app = await direct_id_token(provider, "other-app", SECRET, "http://127.0.0.1:9/cb",
                                        "ada")
    proxied_callback = f"{world.base}/auth/oidc/{world.ids['proxied']}/callback"
    another_sign_in = await direct_id_token(provider, "ipgov-proxied", SECRET,
                                            proxied_callback, "ada")
    for token, expected in ((another_app, "SSO_WRONG_AUDIENCE"),
                            (another_sign_in, "SSO_NONCE_MISMATCH")):
        browser = world.browser()
        try:
            callback = await browser.to_callback(world.ids["proxied"], "ada")
            world.path.substitute = token
            assert refusal(await browser.callback(callback))[0] == expected
        finally:
            await browser.close()
    browser = world.browser()
    try:
        callback = await browser.to_callback(world.ids["expiring"], "ada")
        world.path.hold_seconds = 3.0  # this client's ID tokens live one second
        assert refusal(await browser.callback(callback))[0] == "SSO_TOKEN_EXPIRED"
    finally:
        await browser.close()
    for code in ("SSO_WRONG_AUDIENCE", "SSO_NONCE_MISMATCH", "SSO_TOKEN_EXPIRED"):
        assert await world.refusals(code), code


async def _claims_never_reach_another_group(world: World) -> None:
    from ipgov.identity.models import Membership, User
    from ipgov.identity.sso.models import ExternalIdentity

    globex = set(world.globex.ids.values())
    memberships_before = await world.count(Membership, Membership.tenant_id.in_(globex))
    links_before = await world.count(ExternalIdentity)
    mallory, spoof = world.browser(), world.browser()  # one provider session each
    try:
        code, _message = refusal(await mallory.sign_in(world.ids["acme"], "mallory"))
        assert code == "SSO_TENANT_OUTSIDE_PROVIDER"
        code, _message = refusal(await spoof.sign_in(world.ids["open"], "spoof"))
        assert code == "SSO_ACCOUNT_OUTSIDE_PROVIDER"  # no sign-in as globex's admin
    finally:
        await mallory.close()
        await spoof.close()
    assert await world.count(User, User.email == "mallory@acme.example") == 0
    assert await world.count(Membership, Membership.tenant_id.in_(globex)) == memberships_before
    assert await world.count(ExternalIdentity) == links_before
    [details] = await world.refusals("SSO_TENANT_OUTSIDE_PROVIDER")
    assert details["value"] == "ipgov:globex:group_admin"


async def _unknown_people_are_refused_by_policy(world: World) -> None:
    from ipgov.identity.models import User

    browser = world.browser()
    try:
        code, message = refusal(await browser.sign_in(world.ids["open"], "stranger"))
        assert code == "SSO_UNKNOWN_USER" and "invitation" in message
    finally:
        await browser.close()
    assert await world.count(User, User.email == "stranger@elsewhere.example") == 0
