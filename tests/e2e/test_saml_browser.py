"""SAML single sign-on in Chromium against a real SAML identity provider (issue 19): the
journeys of ``web/e2e/saml/sign-in.spec.ts`` (Playwright Test, projects ``saml-en`` and
``saml-zh-CN``, both in one run against one server) against pysaml2's IdP behind its own login
page (``IdentityProviderPages``) and a real ``ipgov serve`` with the built workspace, on SQLite.

The acme group's administrator registers "Acme SAML" through GraphQL with the IdP's metadata
(creates accounts just in time; the directory group ``ip-managers`` gives ``ip_manager`` in
acme-a, ``Sales:Team`` gives ``viewer`` in acme-b); the IdP imports ipgov's service-provider
metadata from its URL. What the journeys click through is in the spec (signing out goes
through the IdP's single logout); here the server side is checked afterwards: the two people
who signed in hold exactly the mapped memberships, the refused answers (altered, another
audience, expired, replayed: once per language) created nobody, and each was logged by the
server and appended to acme's audit trail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.e2e.oidc_support import graphql, serving_two_groups
from tests.e2e.saml_support import IdentityProviderPages, SamlIdentityProvider
from tests.e2e.test_multi_process import Processes
from tests.e2e.test_workspace_browser import WEB, _missing, _node_bin

if (reason := _missing()) is not None:
    pytest.skip(reason, allow_module_level=True)

PROVIDER = "Acme SAML"
SAVE = """mutation($t: ID!, $i: SamlIdentityProviderInput!) {
  saveSamlIdentityProvider(tenantId: $t, input: $i) {
    identityProvider { id saml { metadataUrl } } errors { code field message } } }"""
GROUPS = ["ip-managers", "Sales:Team", "staff"]
MALLORY = {"mail": ["mallory@acme.example"], "displayName": ["Mallory"], "groups": ["staff"]}
ACCOUNTS: dict[str, dict[str, Any]] = {
    "ada": {"mail": ["ada@acme.example"], "displayName": ["Ada Lovelace"], "groups": GROUPS},
    "lin": {"mail": ["lin.xiao@acme.example"], "displayName": ["林晓"], "groups": GROUPS},
    "tampered": {**MALLORY, "fault": "tampered"},
    "wrong-audience": {**MALLORY, "fault": "wrong-audience"},
    "expired": {**MALLORY, "fault": "expired"},
}
REFUSED = ["SSO_SAML_EXPIRED", "SSO_SAML_REPLAYED", "SSO_SAML_SIGNATURE",
           "SSO_SAML_WRONG_AUDIENCE"]


async def _register(base: str, groups: Any, idp: SamlIdentityProvider) -> str:
    """Acme's SAML provider, registered through GraphQL; the IdP trusts its metadata."""
    acme = groups[0]
    data = {"name": PROVIDER, "idpMetadataXml": idp.metadata(), "jitPolicy": "CREATE",
            "allowedDomains": ["acme.example"], "directRoleClaims": True,
            "nameAttribute": "displayName",
            "roleMappings": [
                {"value": "ip-managers", "tenantSlug": "acme-a", "role": "ip_manager"},
                {"value": "Sales:Team", "tenantSlug": "acme-b", "role": "viewer"}]}
    async with httpx.AsyncClient(timeout=30) as client:
        saved = (await graphql(client, base, SAVE, {"t": acme.ids["acme"], "i": data},
                               acme.token("admin")))["saveSamlIdentityProvider"]
        assert saved["errors"] == [], saved
        metadata = await client.get(saved["identityProvider"]["saml"]["metadataUrl"])
    assert metadata.status_code == 200, metadata.text
    idp.trust(metadata.text)
    return str(saved["identityProvider"]["id"])


def _playwright(base: str, idp: str, output: Any) -> subprocess.CompletedProcess[str]:
    node = _node_bin()
    assert node is not None
    cli = WEB / "node_modules" / "@playwright" / "test" / "cli.js"
    env = {**os.environ, "IPGOV_BASE_URL": base, "IPGOV_E2E_OUTPUT": str(output),
           "IPGOV_SAML_IDP": idp, "IPGOV_SAML_PROVIDER": PROVIDER,
           "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1", "PATH": f"{node.parent}:{os.environ['PATH']}"}
    return subprocess.run(
        [str(node), str(cli), "test", "--project", "saml-en", "--project", "saml-zh-CN"],
        cwd=WEB, env=env, capture_output=True, text=True, timeout=600, check=False)


async def _server_side(platform: Any, groups: Any, provider_id: str, log: str) -> None:
    from ipgov.audit.models import AuditEvent
    from ipgov.identity.models import Membership, User

    acme = groups[0]
    async with platform.db.system_session("test: after the SAML journeys") as s:
        people = {u.email: u for u in (await s.execute(
            select(User).where(User.email.like("%@acme.example")))).scalars()}
        for email in ("ada@acme.example", "lin.xiao@acme.example"):
            held = {(m.tenant_id, m.role) for m in (await s.execute(
                select(Membership).where(Membership.user_id == people[email].id))).scalars()}
            assert held == {(acme.ids["acme-a"], "ip_manager"), (acme.ids["acme-b"], "viewer")}
        assert "mallory@acme.example" not in people  # no refused answer created anyone
        refused = [(e.tenant_id, e.details) for e in (await s.execute(
            select(AuditEvent).where(AuditEvent.action == "user.sso_refused"))).scalars()]
    assert sorted(d["code"] for _, d in refused) == sorted(REFUSED * 2)  # once per language
    assert {t for t, _ in refused} == {acme.ids["acme"]}
    for code in REFUSED:
        assert log.count(f"single sign-on refused: {code} (provider {provider_id}") == 2, code


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_saml_single_sign_on_in_the_browser(settings, tmp_path):
    (tmp_path / "logs").mkdir()
    procs = Processes({}, tmp_path / "logs")
    stack: list[Any] = []
    idp = SamlIdentityProvider.generated(tmp_path)
    pages = IdentityProviderPages(idp, ACCOUNTS)
    try:
        platform, groups, base = await serving_two_groups(settings, procs, stack)
        provider_id = await _register(base, groups, idp)
        done = _playwright(base, pages.base, tmp_path / "playwright")
        sys.stdout.write(done.stdout[-20000:])
        assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-4000:]
        assert "8 passed" in done.stdout, done.stdout[-4000:]  # four journeys, two languages
        assert pages.logouts == 2  # each person's sign-out went through the IdP
        log = (tmp_path / "logs" / "api.log").read_text(errors="replace")
        await _server_side(platform, groups, provider_id, log)
    finally:
        pages.stop()
        for item in reversed(stack):
            await item.close() if hasattr(item, "close") else item.stop()
        procs.stop_all()
