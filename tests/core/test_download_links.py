"""Signed download links: exports and reports open from a browser, without a bearer header
(issue 15 item 12), and a link opens only its path, for its user, for minutes.

The browser story is in ``tests/e2e/test_supervision_browser.py``.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import make_group
from tests.security.identity_support import SIGN_OUT, sign_in, user_with_password

LINKS = """query($t: ID) { downloadLinks(tenantId: $t) { title path url expiresAt } }"""


@pytest.fixture
async def groups(platform):
    return await make_group(platform, "acme"), await make_group(platform, "globex")


async def _links(gql, token: str, tenant: str | None = None) -> dict[str, str]:
    body = await gql(LINKS, {"t": tenant}, token=token)
    assert "errors" not in body, body
    return {link["path"]: link["url"] for link in body["data"]["downloadLinks"]}


async def _get(gql, url: str, **headers):
    return await gql.client.get(url, headers=headers)


async def test_a_supervisor_opens_the_exports_without_a_header(platform, gql, groups):
    """Before: the exports accepted only 'Authorization: Bearer' (a browser link cannot)."""
    acme, _globex = groups
    links = await _links(gql, acme.token("auditor"))
    assert set(links) == {"/supervision/export.csv", "/supervision/report"}
    csv = await _get(gql, links["/supervision/export.csv"])
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "acme-a" in csv.text and "globex" not in csv.text
    report = await _get(gql, links["/supervision/report"] + "&lang=zh-CN")
    assert report.status_code == 200 and "监督报告" in report.text
    narrowed = await _get(gql, links["/supervision/export.csv"] + f"&rootId={acme.ids['acme-b']}")
    assert "acme-b" in narrowed.text and "acme-a" not in narrowed.text
    foreign = await _get(gql, links["/supervision/report"] + f"&rootId={_globex.ids['globex']}")
    assert foreign.status_code == 403
    assert await _links(gql, acme.token("a-viewer")) == {}  # no supervision entitlement


async def test_a_tenant_lists_the_reports_of_its_enabled_plugins(platform, gql, groups):
    acme, globex = groups
    links = await _links(gql, acme.token("admin"), acme.ids["acme-a"])
    base = f"/plugins/ip_governance/tenants/{acme.ids['acme-a']}"
    assert {f"{base}/report", f"{base}/certification/report",
            f"{base}/certification/evidence.zip"} <= set(links)
    report = await _get(gql, links[f"{base}/report"])
    assert report.status_code == 200 and "<html" in report.text.lower()
    forbidden = await gql(LINKS, {"t": globex.ids["globex-a"]}, token=acme.token("admin"))
    assert forbidden["data"] is None
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_link_opens_only_its_path_only_by_get_and_is_no_bearer_token(platform, gql,
                                                                            groups):
    acme, globex = groups
    url = (await _links(gql, acme.token("admin"), acme.ids["acme-a"]))[
        f"/plugins/ip_governance/tenants/{acme.ids['acme-a']}/report"]
    token = url.split("access=", 1)[1]
    other = f"/plugins/ip_governance/tenants/{acme.ids['acme-b']}/report?access={token}"
    moved = await _get(gql, other)
    assert moved.status_code == 401 and moved.json()["errors"][0]["extensions"]["reason"] == (
        "LINK_WRONG_PATH")
    foreign = f"/plugins/ip_governance/tenants/{globex.ids['globex-a']}/report?access={token}"
    assert (await _get(gql, foreign)).status_code == 401
    as_bearer = await gql.post("{ me { id } }", token=token)
    assert as_bearer.status_code == 401
    bearer = acme.token("admin")
    assert (await _get(gql, url.split("?")[0] + f"?access={bearer}")).status_code == 401
    posted = await gql.client.post(url)
    assert posted.status_code in (401, 405)
    assert (await _get(gql, url.split("?")[0])).status_code == 401  # no link, no header


async def test_an_expired_link_and_a_signed_out_session_close_the_link(platform, gql, groups):
    from ipgov.identity.tokens import TokenIssuer

    acme, _globex = groups
    links = platform.tokens.links
    stale = TokenIssuer(links.key, links.issuer, links.audience, 60,
                        clock=lambda: time.time() - 600).issue(
        acme.users["auditor"], extra={"path": "/supervision/export.csv"})
    expired = await _get(gql, f"/supervision/export.csv?access={stale.token}")
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["extensions"]["reason"] == "TOKEN_EXPIRED"

    await user_with_password(platform, "sup@acme.example", acme.ids["acme"], role="auditor")
    session = await sign_in(gql, "sup@acme.example")
    url = (await _links(gql, session["token"]))["/supervision/export.csv"]
    assert (await _get(gql, url)).status_code == 200
    await gql(SIGN_OUT, {"all": False}, token=session["token"])
    closed = await _get(gql, url)
    assert closed.status_code == 401
    assert closed.json()["errors"][0]["extensions"]["reason"] == "TOKEN_REVOKED"


async def test_service_accounts_get_no_links(platform, gql, groups):
    acme, _globex = groups
    created = await gql("""mutation($t: ID!) { createServiceAccount(tenantId: $t, name: "ci",
        role: "auditor") { apiKey } }""", {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
    key = created["data"]["createServiceAccount"]["apiKey"]
    assert await _links(gql, key) == {}
