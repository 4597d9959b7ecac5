"""Single sign-on in Chromium against a real OpenID provider (issue 19): the journeys of
``web/e2e/sso/sign-in.spec.ts`` (Playwright Test, projects ``sso-en`` and ``sso-zh-CN``, both in
one run) against the certified ``oidc-provider`` under Node and a real ``ipgov serve`` with the
built workspace, on SQLite.

The acme group's administrator registers two providers through GraphQL: "Acme directory"
(creates accounts just in time; its table maps the directory groups ``ip-managers`` to
``ip_manager`` in acme-a and ``Sales:Team``, a name with a colon, to ``viewer`` in acme-b) and
"Acme invitations only" (refuses unknown people). What the journeys click through is in the
spec; here the server side is checked afterwards: the people the journeys signed in exist with
exactly the mapped memberships and their sessions are ended, and the newcomer was refused
with nothing created and an audit event.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.e2e.oidc_support import (
    OpenIdProvider,
    missing,
    provider_clients,
    provider_input,
    register_providers,
    serving_two_groups,
)
from tests.e2e.test_multi_process import Processes
from tests.e2e.test_workspace_browser import WEB, _missing, _node_bin

if (reason := missing() or _missing()) is not None:
    pytest.skip(reason, allow_module_level=True)

CREATING, REFUSING = "Acme directory", "Acme invitations only"
DIRECTORY_GROUPS = ["ip-managers", "Sales:Team", "staff"]
ACCOUNTS = {
    "ada": {
        "email": "ada@acme.example",
        "email_verified": True,
        "name": "Ada Lovelace",
        "groups": DIRECTORY_GROUPS,
    },
    "lin": {
        "email": "lin.xiao@acme.example",
        "email_verified": True,
        "name": "林晓",
        "groups": DIRECTORY_GROUPS,
    },
    "newcomer": {
        "email": "newcomer@acme.example",
        "email_verified": True,
        "name": "Newcomer",
        "groups": ["staff"],
    },
}


async def _providers(base: str, groups: Any, issuer: str) -> dict[str, str]:
    acme = groups[0]
    inputs = {
        "creating": provider_input(
            CREATING,
            issuer,
            "creating",
            jitPolicy="CREATE",
            allowedDomains=["acme.example"],
            directRoleClaims=True,
            roleMappings=[
                {"value": "ip-managers", "tenantSlug": "acme-a", "role": "ip_manager"},
                {"value": "Sales:Team", "tenantSlug": "acme-b", "role": "viewer"},
            ],
        ),
        "refusing": provider_input(
            REFUSING, issuer, "refusing", jitPolicy="REFUSE", allowedDomains=["acme.example"]
        ),
    }
    async with httpx.AsyncClient(timeout=30) as client:
        return await register_providers(client, base, acme.token("admin"), acme.ids["acme"], inputs)


def _playwright(base: str, issuer: str, output: Any) -> subprocess.CompletedProcess[str]:
    node = _node_bin()
    assert node is not None
    cli = WEB / "node_modules" / "@playwright" / "test" / "cli.js"
    env = {
        **os.environ,
        "IPGOV_BASE_URL": base,
        "IPGOV_E2E_OUTPUT": str(output),
        "IPGOV_SSO_ISSUER": issuer,
        "IPGOV_SSO_PROVIDER": CREATING,
        "IPGOV_SSO_REFUSING": REFUSING,
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "PATH": f"{node.parent}:{os.environ['PATH']}",
    }
    return subprocess.run(
        [str(node), str(cli), "test", "--project", "sso-en", "--project", "sso-zh-CN"],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


async def _server_side(platform: Any, groups: Any) -> None:
    from ipgov.audit.models import AuditEvent
    from ipgov.identity.models import Membership, User
    from ipgov.identity.sso.models import ExternalIdentity

    acme = groups[0]
    async with platform.db.system_session("test: after the journeys") as s:
        people = {
            u.email: u
            for u in (
                await s.execute(select(User).where(User.email.like("%@acme.example")))
            ).scalars()
        }
        for email in ("ada@acme.example", "lin.xiao@acme.example"):
            held = {
                (m.tenant_id, m.role)
                for m in (
                    await s.execute(
                        select(Membership).where(Membership.user_id == people[email].id)
                    )
                ).scalars()
            }
            assert held == {(acme.ids["acme-a"], "ip_manager"), (acme.ids["acme-b"], "viewer")}
        assert "newcomer@acme.example" not in people
        links = (await s.execute(select(ExternalIdentity.subject))).scalars().all()
        assert sorted(links) == ["ada", "lin"]
        refused = [
            e.details
            for e in (
                await s.execute(select(AuditEvent).where(AuditEvent.action == "user.sso_refused"))
            ).scalars()
        ]
    assert [r["code"] for r in refused] == ["SSO_UNKNOWN_USER"] * 2  # once per language


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_single_sign_on_in_the_browser(settings, tmp_path):
    (tmp_path / "logs").mkdir()
    procs = Processes({}, tmp_path / "logs")
    stack: list[Any] = []
    try:
        platform, groups, base = await serving_two_groups(settings, procs, stack)
        provider = OpenIdProvider(tmp_path, clients=[], accounts=ACCOUNTS)
        provider.clients = provider_clients(base, await _providers(base, groups, provider.issuer))
        provider.start()
        stack.append(provider)
        done = _playwright(base, provider.issuer, tmp_path / "playwright")
        sys.stdout.write(done.stdout[-20000:])
        assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-4000:]
        assert "4 passed" in done.stdout, done.stdout[-4000:]  # two journeys, two languages
        await _server_side(platform, groups)
    finally:
        for item in reversed(stack):
            await item.close() if hasattr(item, "close") else item.stop()
        procs.stop_all()
