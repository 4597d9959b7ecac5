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


SET_TIERS = """mutation($t: ID!, $k: ProfileKind!, $e: [ProfileTierInput!]!) {
  setProfileTiers(tenantId: $t, kind: $k, entries: $e) { errors { code message } } }"""
GOVERN = ["GV.OC-01", "GV.OC-02", "GV.RM-01", "GV.RR-01", "GV.RR-02", "GV.ST-01"]


async def test_a_low_govern_score_beside_a_profile_at_target_is_explained(platform, gql):
    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    entries = [{"outcomeId": o, "tier": 3} for o in GOVERN]
    for tenant, kind, user in ((group.ids["acme"], "TARGET", "admin"),
                               (tid, "CURRENT", "a-admin")):
        done = await gql(SET_TIERS, {"t": tenant, "k": kind, "e": entries},
                         group.token(user))
        assert done["data"]["setProfileTiers"]["errors"] == []
    run = await run_inline(platform, tid)
    govern = run.scores["functions"]["govern"]
    coverage = run.scores["coverage"]["functions"]["govern"]
    assert govern < 75  # no strategy, no governing body, no register...: the data says so
    async with await _client(platform) as client:
        pages = {lang: (await client.get(
            f"/plugins/ip_governance/tenants/{tid}/report?lang={lang}",
            headers={"authorization": f"Bearer {group.token('a-admin')}"})).text
            for lang in ("en", "zh-CN")}
    en, zh = pages["en"], pages["zh-CN"]
    # both measures are named and explained, and the Govern row says how they relate
    assert "Review score (0-100)" in en and "Profile tier (1-4)" in en
    row = en[en.index("<td>Govern</td>"):].split("</tr>")[0]
    assert f"<td>{govern:g}</td>" in row
    assert f"{coverage['assessed']} / {coverage['applicable']}" in row
    assert "<td>3</td><td>3</td>" in row  # current and target tiers beside the score
    assert "do not yet evidence the self-assessment" in row
    assert "Protect</td><td><span class='na'>not assessed</span>" in en  # no data, no score
    zh_row = zh[zh.index("<td>治理</td>"):].split("</tr>")[0]
    assert "记录尚不能证明自评结果" in zh_row and "项检查中" in zh_row
    assert "治理模式: 混合式" in zh and "hybrid" not in zh
    assert "seed" not in en.lower() and "seed" not in zh.lower()
    assert "IP-CSF GV.RR-01" in en  # findings cite what a reader can look up
    assert "未通过检查" not in zh  # every finding reads with its specifics
