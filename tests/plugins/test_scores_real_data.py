"""Scores of real tenants with every first-party plugin: a group and a subsidiary onboarded a
minute ago (no data), a subsidiary with partial data, and the demo. Nothing assessed is never
100; the registers and statements the seed requires are findings when they are missing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ip_governance.risk_assets.models import IpAsset, IpAssetDeadline, IpRisk
from ipgov.reviews.inline import run_inline
from ipgov.reviews.models import CheckResult, Finding
from ipgov.reviews.scoring import Assessment, dimensions, overall_view
from tests.conftest import make_group

REQUIRED = {"ip_governance.risk_assets.risk_register", "ip_governance.risk_assets.asset_register",
            "ip_governance.risk_assets.risk_appetite_statement",
            "ip_governance.organization.strategy_reassessment",
            "ip_governance.organization.governing_body_missing",
            "ip_governance.framework.current_profile_missing",
            "data_governance.catalog.empty"}


async def _findings(platform, run) -> dict[str, list[Finding]]:
    async with platform.db.tenant_session(run.tenant_id) as s:
        found: dict[str, list[Finding]] = {}
        for f in (await s.execute(select(Finding).where(Finding.run_id == run.id))).scalars():
            found.setdefault(f.check_id, []).append(f)
        return found


async def _statuses(platform, run) -> dict[str, str]:
    async with platform.db.tenant_session(run.tenant_id) as s:
        return dict((await s.execute(select(CheckResult.check_id, CheckResult.status).where(
            CheckResult.run_id == run.id))).all())


def _assert_nothing_unassessed_is_scored(scores) -> None:
    for part in ("functions", "domains"):
        for view in dimensions(scores, part):
            assert view.assessment != Assessment.UNKNOWN, view
            if not view.assessed:
                assert view.score is None, view
            if view.score == 100:
                assert view.passed == view.assessed > 0, view


async def test_tenants_onboarded_a_minute_ago_score_nothing_as_perfect(platform):
    acme = await make_group(platform, "acme", "decentralized")
    for tid in (acme.ids["acme"], acme.ids["acme-a"]):  # a group root and a subsidiary
        run = await run_inline(platform, tid, actor="test")
        scores = run.scores
        _assert_nothing_unassessed_is_scored(scores)
        # with no data the registers' checks have nothing to assess: no score, never 100
        for function in ("protect", "operate", "respond", "recover"):
            assert function not in scores["functions"], (function, scores)
        assert scores["functions"]["identify"] == 0.0  # no register, no assets: findings
        assert scores["functions"]["govern"] < 50
        assert scores["overall"] < 50
        assert overall_view(scores).coverage < 0.6
        found = await _findings(platform, run)
        assert set(found) >= REQUIRED, REQUIRED - set(found)
        statuses = await _statuses(platform, run)
        assert statuses["ip_governance.risk_assets.risk_above_tolerance"] == "not_assessed"
        assert statuses["ip_governance.risk_assets.deadline_overdue"] == "not_assessed"
        assert statuses["ip_governance.framework.target_gaps"] == "not_assessed"
        assert statuses["patent_search.watchlist_matches"] == "not_assessed"


async def test_a_tenant_with_partial_data_is_scored_on_what_it_holds(platform):
    acme = await make_group(platform, "acme", "hybrid")
    tid = acme.ids["acme-a"]
    async with platform.db.system_session("test: partial data") as s:
        asset = IpAsset(tenant_id=tid, kind="patent", title="Hybrid bonding", jurisdiction="CN",
                        publication_number="CN1", status="granted", owner="IP", value_tier="A")
        s.add(asset)
        await s.flush()
        s.add(IpAssetDeadline(tenant_id=tid, asset_id=asset.id, kind="annuity",
                              due_on=date.today() - timedelta(days=3), status="open"))
        s.add(IpRisk(tenant_id=tid, title="NPE assertion", category="infringement",
                     likelihood=4, impact=5, score=20, treatment="mitigate"))

    run = await run_inline(platform, tid, actor="test")

    _assert_nothing_unassessed_is_scored(run.scores)
    statuses = await _statuses(platform, run)
    assert statuses["ip_governance.risk_assets.deadline_overdue"] == "findings"
    assert statuses["ip_governance.risk_assets.granted_patent_unowned"] == "passed"
    assert statuses["ip_governance.risk_assets.risk_above_tolerance"] == "passed"  # treated
    assert statuses["ip_governance.risk_assets.acceptance_expired"] == "not_applicable"
    found = await _findings(platform, run)
    assert "ip_governance.risk_assets.asset_register" not in found
    assert "ip_governance.risk_assets.risk_register" not in found
    protect = {v.key: v for v in dimensions(run.scores, "functions")}["protect"]
    assert protect.assessed == 2 and protect.score < 100  # both deadline checks assessed
    [overdue] = found["ip_governance.risk_assets.deadline_overdue"]
    assert overdue.params["asset"] == "CN CN1 Hybrid bonding"
    assert overdue.params["kind"] == {"en": "annuity", "zh-CN": "年费"}


async def test_demo_tenants_say_what_their_scores_rest_on(platform):
    from ipgov.cli.demo import load_demo
    from ipgov.tenancy.models import Tenant

    await load_demo(platform, "demo-password")
    async with platform.db.system_session("test") as s:
        ids = dict((await s.execute(select(Tenant.slug, Tenant.id))).all())
    runs = {slug: await run_inline(platform, ids[slug], actor="test")
            for slug in ("hanwei-semiconductor", "northstar-robotics")}
    for run in runs.values():
        _assert_nothing_unassessed_is_scored(run.scores)
    real, empty = runs["hanwei-semiconductor"].scores, runs["northstar-robotics"].scores
    # the tenant with real data is assessed far more widely than the one without data
    assert overall_view(real).coverage > 0.9 > 0.5 > overall_view(empty).coverage
    assert empty["overall"] < real["overall"]  # absence is not rewarded
    assert "protect" not in empty["functions"] and "protect" in real["functions"]
