"""The printable governance report: radar charts, findings, directives, access control."""

from __future__ import annotations

import httpx

from ipgov.reviews.inline import run_inline
from ipgov.web.app import create_app
from tests.conftest import make_group


async def _client(platform) -> httpx.AsyncClient:
    app = create_app(platform)
    await platform.authz.start()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_report_shows_scores_profile_findings_and_directives(platform):
    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    run = await run_inline(platform, tid)
    assert run.status in ("succeeded", "partial")
    async with await _client(platform) as client:
        r = await client.get(f"/plugins/ip_governance/tenants/{tid}/report",
                             headers={"authorization": f"Bearer {group.token('a-admin')}"})
        zh = await client.get(f"/plugins/ip_governance/tenants/{tid}/report?lang=zh-CN",
                              headers={"authorization": f"Bearer {group.token('a-admin')}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert html.count("<svg") == 2  # review scores radar and profile radar
    assert "IP governance report" in html and "acme-a" in html and run.id in html
    assert "current_profile_missing" in html  # a finding of the review (no profile yet)
    assert "Open directives" in html and "<td>" in html
    assert "知识产权治理报告" in zh.text and "治理" in zh.text


async def test_report_refuses_other_tenants_and_anonymous_callers(platform):
    group = await make_group(platform, "acme")
    other = await make_group(platform, "globex")
    tid = group.ids["acme-a"]
    async with await _client(platform) as client:
        anonymous = await client.get(f"/plugins/ip_governance/tenants/{tid}/report")
        stranger = await client.get(
            f"/plugins/ip_governance/tenants/{tid}/report",
            headers={"authorization": f"Bearer {other.token('admin')}"})
        sibling = await client.get(
            f"/plugins/ip_governance/tenants/{tid}/report",
            headers={"authorization": f"Bearer {group.token('b-admin')}"})
        unknown = await client.get(
            "/plugins/ip_governance/tenants/no-such-tenant/report",
            headers={"authorization": f"Bearer {group.token('a-admin')}"})
    assert anonymous.status_code == 401
    assert stranger.status_code == 403 and "acme" not in stranger.text
    assert sibling.status_code == 403
    assert unknown.status_code == 403  # as a stranger's tenant: no existence oracle
