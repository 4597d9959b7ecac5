# ruff: noqa: E501 - the CSV excerpt keeps its real, long lines
"""ip_governance risk_assets: risk appetite inherited per governance mode, the registers and
their GraphQL, the CSV import, every review check (fires / does not fire), the tenant
boundary, and the demo data firing every check somewhere."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from ip_governance.risk_assets import checks as ra_checks
from ip_governance.risk_assets.appetite import ChainLink, effective
from ip_governance.risk_assets.models import (
    IpAsset,
    IpAssetDeadline,
    IpIncident,
    IpIncidentResponse,
    IpLicence,
    IpRecoveryPlan,
    IpRisk,
    IpRoyaltyPayment,
    RiskAppetite,
    RiskTolerance,
)
from ipgov.api import CheckContext, TenantScope, new_id, utcnow
from ipgov.reviews.runner import tenant_view
from tests.conftest import make_group

# A tiny excerpt of a Google Patents result export (public bibliographic data), from
# shared/data/patents/csv/google_patents_export/ (rows unchanged; several files) (via github WillKoehrsen/recurrent-neural-networks @8da0e37).
GOOGLE_EXCERPT = """\
search URL:,https://patents.google.com/?q=%28machine+learning%29&language=ENGLISH
id,title,assignee,inventor/author,priority date,filing/creation date,publication date,grant date,result link,representative figure link
US-5828812-A,Recurrent neural network-based fuzzy logic system and method ,National Semiconductor Corporation,"Emdadur Rahman Khan, William Shields Neely",1993-03-24,1995-05-02,1998-10-27,1998-10-27,https://patents.google.com/patent/US5828812A/en,https://patentimages.storage.googleapis.com/pages/US5828812-10.png
US-5649065-A,Optimal filtering by neural networks with range extenders and/or reducers ,Maryland Technology Corporation,"James Ting-Ho Lo, Lei Yu",1993-05-28,1993-08-09,1997-07-15,1997-07-15,https://patents.google.com/patent/US5649065A/en,https://patentimages.storage.googleapis.com/pages/US5649065-10.png
US-7197497-B2,Method and apparatus for machine learning a document relevance function ,"Overture Services, Inc.",David Cossock,2003-04-25,2003-04-25,2007-03-27,2007-03-27,https://patents.google.com/patent/US7197497B2/en,https://patentimages.storage.googleapis.com/c4/07/f8/994247163bf453/US07197497-20070327-D00001.png
US-8682812-B1,Machine learning based botnet detection using real-time extracted traffic features ,"Narus, Inc.",Supranamaya Ranjan,2010-12-23,2010-12-23,2014-03-25,2014-03-25,https://patents.google.com/patent/US8682812B1/en,https://patentimages.storage.googleapis.com/cd/41/03/e6bf69a5840cca/US08682812-20140325-D00000.png
CN-101782976-A,Automatic selection method for machine learning in cloud computing environment ,南京邮电大学,"付雄, 任勋益, 孔强, 易侃, 杨明慧, 王汝传, 蒋凌云, 邓勇, 邓松",2010-01-15,2010-01-15,2010-07-21,,https://patents.google.com/patent/CN101782976A/en,
"""

TODAY = date.today()


# ------------------------------------------------------------------------------ helpers


async def _add(platform, *rows: Any) -> None:
    async with platform.db.system_session("test: seed risk_assets") as s:
        for row in rows:
            s.add(row)
            await s.flush()


async def _run(platform, tenant_id: str, fn) -> list:
    """Run one check function for a tenant as the review engine would."""
    view = await tenant_view(platform, tenant_id)

    def open_session(ids):
        return platform.db.session(TenantScope.tenants(ids, "test: lineage"))

    async with platform.db.tenant_session(tenant_id) as session:
        ctx = CheckContext(session=session, tenant=view, now=utcnow(), run_id="test",
                           lineage=view.lineage, open_session=open_session)
        return await fn(ctx)


async def _count(platform, tenant_id: str, model) -> int:
    async with platform.db.tenant_session(tenant_id) as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


def _asset(tid: str, number: str, **kw: Any) -> IpAsset:
    fields = {"kind": "patent", "title": f"Patent {number}", "jurisdiction": "CN",
              "publication_number": number, "status": "granted", "owner": "IP", "value_tier": "A"}
    fields.update(kw)
    return IpAsset(tenant_id=tid, **fields)


APPETITE_Q = """query($t: ID!) { ipRiskAppetite(tenantId: $t) { statement governedBy mayOnlyTighten
  maySet tolerances { category threshold sourceTenantId ownThreshold } } }"""
SET_TOL = """mutation($t: ID!, $c: String!, $v: Int!) { setIpRiskTolerance(tenantId: $t,
  category: $c, threshold: $v) { appetite { tolerances { category threshold sourceTenantId } }
  errors { code field message } } }"""
SET_STMT = """mutation($t: ID!, $s: String!) { setIpRiskAppetite(tenantId: $t, statement: $s) {
  appetite { statement } errors { code field } } }"""


def _tol(body: dict, category: str, root: str = "ipRiskAppetite") -> dict:
    data = body["data"][root]
    tolerances = data["tolerances"] if "tolerances" in data else data["appetite"]["tolerances"]
    return next(t for t in tolerances if t["category"] == category)


# ------------------------------------------------------------------------------ appetite


def test_inheritance_rule_through_a_centralized_sub_holding():
    chain = [ChainLink("europe", "centralized"), ChainLink("industrial", "hybrid"),
             ChainLink("group", None)]
    result = effective(chain, {"group": "G", "europe": "E"},
                       {"group": {"trade_secret": 6, "validity": 12},
                        "industrial": {"trade_secret": 4, "validity": 20},
                        "europe": {"trade_secret": 25}})
    assert result.threshold("trade_secret") == 4  # industrial tightened; europe's own ignored
    assert result.threshold("validity") == 12  # industrial's loosening never applies
    assert result.statement == "G" and result.statement_source == "group"
    assert result.threshold("licensing") == 12  # platform default


def test_decentralized_owns_its_statement_and_thresholds():
    chain = [ChainLink("cloud", "decentralized"), ChainLink("group", None)]
    result = effective(chain, {"group": "G"}, {"group": {"infringement": 10},
                                               "cloud": {"infringement": 20}})
    assert result.statement is None
    assert result.threshold("infringement") == 20


async def test_hybrid_subsidiary_may_only_tighten(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    admin, a_admin = g.token("admin"), g.token("a-admin")
    ok = await gql(SET_TOL, {"t": g.ids["acme"], "c": "infringement", "v": 10}, admin)
    assert ok["data"]["setIpRiskTolerance"]["errors"] == []
    tight = await gql(SET_TOL, {"t": g.ids["acme-a"], "c": "infringement", "v": 8}, a_admin)
    assert tight["data"]["setIpRiskTolerance"]["errors"] == []
    loose = await gql(SET_TOL, {"t": g.ids["acme-a"], "c": "infringement", "v": 10}, a_admin)
    [err] = loose["data"]["setIpRiskTolerance"]["errors"]
    assert (err["code"], err["field"]) == ("TOLERANCE_LOOSER_THAN_GROUP", "threshold")
    a = await gql(APPETITE_Q, {"t": g.ids["acme-a"]}, a_admin)
    assert _tol(a, "infringement") == {"category": "infringement", "threshold": 8,
                                       "sourceTenantId": g.ids["acme-a"], "ownThreshold": 8}
    assert a["data"]["ipRiskAppetite"]["mayOnlyTighten"] is True
    b = await gql(APPETITE_Q, {"t": g.ids["acme-b"]}, g.token("b-admin"))
    assert _tol(b, "infringement")["threshold"] == 10
    assert _tol(b, "infringement")["sourceTenantId"] == g.ids["acme"]
    await gql(SET_STMT, {"t": g.ids["acme"], "s": "Moderate appetite"}, admin)
    b = await gql(APPETITE_Q, {"t": g.ids["acme-b"]}, g.token("b-admin"))
    assert b["data"]["ipRiskAppetite"]["statement"] == "Moderate appetite"


async def test_centralized_subsidiary_cannot_set(platform, gql):
    g = await make_group(platform, "globex", "centralized")
    await gql(SET_TOL, {"t": g.ids["globex"], "c": "validity", "v": 9}, g.token("admin"))
    for query, variables in ((SET_TOL, {"c": "validity", "v": 5}), (SET_STMT, {"s": "Ours"})):
        body = await gql(query, {"t": g.ids["globex-a"], **variables}, g.token("a-admin"))
        [err] = next(iter(body["data"].values()))["errors"]
        assert err["code"] == "GOVERNANCE_MODE_FORBIDS"
    a = await gql(APPETITE_Q, {"t": g.ids["globex-a"]}, g.token("a-admin"))
    assert _tol(a, "validity")["threshold"] == 9
    assert a["data"]["ipRiskAppetite"]["maySet"] is False
    assert await _count(platform, g.ids["globex-a"], RiskTolerance) == 0


async def test_decentralized_subsidiary_sets_its_own(platform, gql):
    g = await make_group(platform, "deco", "decentralized")
    await gql(SET_TOL, {"t": g.ids["deco"], "c": "licensing", "v": 6}, g.token("admin"))
    body = await gql(SET_TOL, {"t": g.ids["deco-a"], "c": "licensing", "v": 15},
                     g.token("a-admin"))
    assert body["data"]["setIpRiskTolerance"]["errors"] == []
    assert _tol(body, "licensing", "setIpRiskTolerance")["threshold"] == 15


async def test_tolerance_validation_and_permission(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    for c, v, field in (("weather", 5, "category"), ("validity", 26, "threshold")):
        body = await gql(SET_TOL, {"t": g.ids["acme"], "c": c, "v": v}, g.token("admin"))
        assert body["data"]["setIpRiskTolerance"]["errors"][0]["field"] == field
    assert await _count(platform, g.ids["acme"], RiskTolerance) == 0
    body = await gql(SET_TOL, {"t": g.ids["acme-c"], "c": "validity", "v": 5},
                     g.token("c-contrib"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# ------------------------------------------------------------------------------ checks


async def test_risk_above_tolerance_without_treatment(platform):
    g = await make_group(platform, "acme", "hybrid")
    tid = g.ids["acme-a"]
    await _add(platform, RiskTolerance(tenant_id=g.ids["acme"], category="infringement",
                                       threshold=10),
               RiskTolerance(tenant_id=tid, category="infringement", threshold=6))
    high = IpRisk(tenant_id=tid, title="NPE", category="infringement", likelihood=3, impact=3,
                  score=9)
    treated = IpRisk(tenant_id=tid, title="Treated", category="infringement", likelihood=5,
                     impact=5, score=25, treatment="mitigate", treatment_plan="design around")
    await _add(platform, high, treated)
    found = await _run(platform, tid, ra_checks.risk_above_tolerance_untreated)
    assert [f.key for f in found] == [high.id]  # 9 > 6 (own, tighter than the group's 10)
    assert found[0].evidence["threshold"] == 6
    # in -b the group's 10 applies: a 9 is within tolerance
    await _add(platform, IpRisk(tenant_id=g.ids["acme-b"], title="NPE", category="infringement",
                                likelihood=3, impact=3, score=9))
    assert await _run(platform, g.ids["acme-b"], ra_checks.risk_above_tolerance_untreated) == []


async def test_accepted_risk_expired(platform):
    g = await make_group(platform, "acme")
    tid = g.ids["acme-a"]
    old = IpRisk(tenant_id=tid, title="Old", category="validity", likelihood=2, impact=2,
                 score=4, treatment="accept", status="accepted",
                 acceptance_expires_on=TODAY - timedelta(days=1))
    current = IpRisk(tenant_id=tid, title="Current", category="validity", likelihood=2,
                     impact=2, score=4, treatment="accept", status="accepted",
                     acceptance_expires_on=TODAY + timedelta(days=30))
    await _add(platform, old, current)
    assert [f.key for f in await _run(platform, tid, ra_checks.accepted_risk_expired)] == [old.id]


async def test_deadline_reminders_and_overdue(platform):
    g = await make_group(platform, "acme")
    tid = g.ids["acme-a"]
    asset = _asset(tid, "1001")
    await _add(platform, asset)
    soon, later, far, late, done = (
        IpAssetDeadline(tenant_id=tid, asset_id=asset.id, kind="annuity",
                        due_on=TODAY + timedelta(days=d), status=s)
        for d, s in ((10, "open"), (60, "open"), (200, "open"), (-2, "open"), (-9, "done")))
    await _add(platform, soon, later, far, late, done)
    due = {f.key: f.severity for f in await _run(platform, tid, ra_checks.deadline_due_soon)}
    assert due == {soon.id: "high", later.id: "medium"}
    overdue = await _run(platform, tid, ra_checks.deadline_overdue)
    assert [f.key for f in overdue] == [late.id]


async def test_granted_patent_without_owner_or_tier(platform):
    g = await make_group(platform, "acme")
    tid = g.ids["acme-a"]
    complete, no_tier, no_owner, pending = (
        _asset(tid, "1"), _asset(tid, "2", value_tier=None), _asset(tid, "3", owner=""),
        _asset(tid, "4", owner="", status="pending"))
    await _add(platform, complete, no_tier, no_owner, pending)
    found = {f.key: f.evidence["missing"]
             for f in await _run(platform, tid, ra_checks.granted_patent_unowned)}
    assert found == {no_tier.id: ["value tier"], no_owner.id: ["owner"]}


async def test_licence_out_without_royalty(platform):
    g = await make_group(platform, "acme")
    tid = g.ids["acme-a"]

    def lic(**kw):
        base = {"id": new_id(), "direction": "out", "counterparty": "X",
                "starts_on": TODAY - timedelta(days=800)}
        return IpLicence(tenant_id=tid, **{**base, **kw})

    unpaid, paid, young, free, inbound = (lic(), lic(), lic(starts_on=TODAY),
                                          lic(royalty_bearing=False), lic(direction="in"))
    await _add(platform, unpaid, paid, young, free, inbound,
               IpRoyaltyPayment(tenant_id=tid, licence_id=paid.id, paid_on=TODAY,
                                amount=Decimal("10.00"), currency="USD"),
               IpRoyaltyPayment(tenant_id=tid, licence_id=unpaid.id,
                                paid_on=TODAY - timedelta(days=400), amount=Decimal("10.00"),
                                currency="USD"))
    found = await _run(platform, tid, ra_checks.licence_out_without_royalty)
    assert [f.key for f in found] == [unpaid.id]


async def test_incidents_response_and_recovery(platform):
    g = await make_group(platform, "acme")
    tid = g.ids["acme-a"]
    asset = _asset(tid, "77")
    await _add(platform, asset)

    def incident(status: str, assets: list[str]) -> IpIncident:
        return IpIncident(tenant_id=tid, kind="leakage", title=status, detected_on=TODAY,
                          status=status, asset_ids=assets)

    silent, answered = incident("open", []), incident("responding", [])
    closed_bare, closed_planned, closed_no_assets = (incident("closed", [asset.id]),
                                                     incident("closed", [asset.id]),
                                                     incident("closed", []))
    await _add(platform, silent, answered, closed_bare, closed_planned, closed_no_assets)
    await _add(platform, IpIncidentResponse(tenant_id=tid, incident_id=answered.id,
                                            action="monitor", taken_on=TODAY),
               IpRecoveryPlan(tenant_id=tid, incident_id=closed_planned.id, summary="s"))
    unanswered = await _run(platform, tid, ra_checks.incident_without_response)
    assert [f.key for f in unanswered] == [silent.id]
    unrecovered = await _run(platform, tid, ra_checks.incident_closed_without_recovery)
    assert [f.key for f in unrecovered] == [closed_bare.id]


async def test_risk_appetite_statement_presence(platform):
    g = await make_group(platform, "acme", "hybrid")
    assert [f.key for f in await _run(platform, g.ids["acme"], ra_checks.no_risk_appetite)] == [
        g.ids["acme"]]
    assert len(await _run(platform, g.ids["acme-a"], ra_checks.no_risk_appetite)) == 1
    await _add(platform, RiskAppetite(tenant_id=g.ids["acme"], statement="Low appetite"))
    assert await _run(platform, g.ids["acme"], ra_checks.no_risk_appetite) == []
    assert await _run(platform, g.ids["acme-a"], ra_checks.no_risk_appetite) == []  # inherits
    d = await make_group(platform, "deco", "decentralized")
    await _add(platform, RiskAppetite(tenant_id=d.ids["deco"], statement="Ours"))
    assert len(await _run(platform, d.ids["deco-a"], ra_checks.no_risk_appetite)) == 1


def test_every_check_cites_an_outcome_and_a_clause_and_has_a_chinese_title():
    for check in ra_checks.CHECKS:
        assert check.id.startswith("ip_governance.risk_assets.")
        assert check.title_zh and check.recommendation
        assert check.references[0].startswith("IP-CSF ")
        assert any(r.startswith("GB/T 29490-2023 ") for r in check.references)


# ------------------------------------------------------------------------------ import


IMPORT = """mutation($t: ID!, $csv: String!, $atomic: Boolean) {
  importIpAssets(tenantId: $t, csv: $csv, atomic: $atomic) {
    created updated rowErrors { row column code message } errors { code field } } }"""
ASSETS_Q = """query($t: ID!, $first: Int, $after: String) { ipAssets(tenantId: $t, first: $first,
  after: $after) { edges { node { id jurisdiction publicationNumber registrationNumber status
  assignee inventors grantDate title } } pageInfo { hasNextPage endCursor } } }"""


async def test_import_google_patents_export_and_reimport(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    first = (await gql(IMPORT, {"t": t, "csv": GOOGLE_EXCERPT}, token))["data"]["importIpAssets"]
    assert (first["created"], first["updated"], first["rowErrors"]) == (5, 0, [])
    again = (await gql(IMPORT, {"t": t, "csv": GOOGLE_EXCERPT}, token))["data"]["importIpAssets"]
    assert (again["created"], again["updated"]) == (0, 5)
    assert await _count(platform, t, IpAsset) == 5
    page = (await gql(ASSETS_Q, {"t": t, "first": 100}, token))["data"]["ipAssets"]
    by_number = {n["node"]["publicationNumber"]: n["node"] for n in page["edges"]}
    assert by_number["8682812"]["jurisdiction"] == "US"
    assert by_number["8682812"]["status"] == "granted"
    assert by_number["8682812"]["grantDate"] == "2014-03-25"
    assert by_number["5828812"]["inventors"] == ["Emdadur Rahman Khan", "William Shields Neely"]
    assert by_number["101782976"]["status"] == "published"
    assert by_number["101782976"]["assignee"] == "南京邮电大学"


async def test_import_reports_bad_rows_and_keeps_good_ones(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    csv = ("kind,title,jurisdiction,publication_number,status,filing_date,value_tier\n"
           "patent,Good one,CN,112233445,pending,2021-05-04,A\n"
           "patent,Bad date,CN,112233446,pending,2021-13-40,A\n"
           "rocket,Bad kind,CN,112233447,pending,,\n"
           "trademark,HANWEI,CN,556677,registered,,Z\n")
    body = (await gql(IMPORT, {"t": t, "csv": csv}, token))["data"]["importIpAssets"]
    assert body["created"] == 1
    assert [(e["row"], e["column"]) for e in body["rowErrors"]] == [
        (3, "filing_date"), (4, "kind"), (5, "valueTier")]
    assert await _count(platform, t, IpAsset) == 1


async def test_atomic_import_stores_nothing_on_a_bad_row(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    bad = GOOGLE_EXCERPT + "XX,No number,,,,,,,,\n"
    body = (await gql(IMPORT, {"t": t, "csv": bad, "atomic": True}, token))["data"]
    result = body["importIpAssets"]
    assert (result["created"], result["updated"]) == (0, 0)
    assert [(e["row"], e["column"]) for e in result["rowErrors"]] == [(8, "id")]
    assert await _count(platform, t, IpAsset) == 0


@pytest.mark.parametrize("csv", ["", "foo,bar\n1,2\n"])
async def test_import_without_a_usable_header(platform, gql, csv):
    g = await make_group(platform, "acme")
    body = await gql(IMPORT, {"t": g.ids["acme-a"], "csv": csv}, g.token("a-admin"))
    [err] = body["data"]["importIpAssets"]["errors"]
    assert err["field"] == "csv"


# ------------------------------------------------------------------------------ GraphQL


CREATE_ASSET = """mutation($t: ID!, $in: IpAssetInput!) { createIpAsset(tenantId: $t,
  input: $in) { asset { id kind status cpcCodes } errors { code field message } } }"""
CREATE_RISK = """mutation($t: ID!, $in: IpRiskInput!) { createIpRisk(tenantId: $t, input: $in)
  { risk { id score status treatment } errors { code field } } }"""


async def test_asset_validation_stores_nothing(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    for bad, field in (({"kind": "rocket", "title": "x"}, "kind"),
                       ({"kind": "patent", "title": "x"}, "applicationNumber"),
                       ({"kind": "patent", "title": "x", "applicationNumber": "1",
                         "cpcCodes": ["nonsense"]}, "cpcCodes"),
                       ({"kind": "patent", "title": "x", "applicationNumber": "1",
                         "valueTier": "D"}, "valueTier")):
        body = await gql(CREATE_ASSET, {"t": t, "in": bad}, token)
        assert body["data"]["createIpAsset"]["errors"][0]["field"] == field, bad
    assert await _count(platform, t, IpAsset) == 0
    body = await gql(CREATE_RISK, {"t": t, "in": {"title": "r", "category": "validity",
                                                  "likelihood": 6, "impact": 1}}, token)
    assert body["data"]["createIpRisk"]["errors"][0]["field"] == "likelihood"
    assert await _count(platform, t, IpRisk) == 0


async def test_registers_happy_path(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    asset = (await gql(CREATE_ASSET, {"t": t, "in": {
        "kind": "patent", "title": "Wafer bonding", "jurisdiction": "cn",
        "applicationNumber": "202310001.1", "cpcCodes": ["H01L 21/67"]}}, token)
    )["data"]["createIpAsset"]["asset"]
    assert asset["cpcCodes"] == ["H01L 21/67"]
    dup = await gql(CREATE_ASSET, {"t": t, "in": {"kind": "patent", "title": "again",
                                                  "jurisdiction": "CN",
                                                  "applicationNumber": "202310001-1"}}, token)
    assert dup["data"]["createIpAsset"]["errors"][0]["code"] == "DUPLICATE_ASSET"
    due = (TODAY + timedelta(days=5)).isoformat()
    deadline = await gql("""mutation($t: ID!, $a: ID!, $d: Date) { addIpAssetDeadline(
        tenantId: $t, assetId: $a, kind: "office_action", dueOn: $d) { deadline { id dueOn }
        errors { code } } }""", {"t": t, "a": asset["id"], "d": due}, token)
    assert deadline["data"]["addIpAssetDeadline"]["deadline"]["dueOn"] == due
    listed = await gql("""query($t: ID!) { ipAssetDeadlines(tenantId: $t, first: 1) {
        nodes { kind } pageInfo { hasNextPage } } }""", {"t": t}, token)
    assert listed["data"]["ipAssetDeadlines"]["nodes"] == [{"kind": "office_action"}]
    risk = (await gql(CREATE_RISK, {"t": t, "in": {"title": "FTO", "category":
                                                   "freedom_to_operate", "likelihood": 4,
                                                   "impact": 3, "assetId": asset["id"]}}, token)
            )["data"]["createIpRisk"]["risk"]
    assert risk["score"] == 12
    accepted = await gql("""mutation($t: ID!, $id: ID!, $e: Date) { acceptIpRisk(tenantId: $t,
        id: $id, approver: "GM", expiresOn: $e) { risk { status treatment } errors { field } }
        }""", {"t": t, "id": risk["id"], "e": (TODAY + timedelta(days=90)).isoformat()}, token)
    assert accepted["data"]["acceptIpRisk"]["risk"] == {"status": "accepted",
                                                        "treatment": "accept"}
    lic = (await gql("""mutation($t: ID!, $in: IpLicenceInput!) { createIpLicence(tenantId: $t,
        input: $in) { licence { id } errors { field } } }""", {"t": t, "in": {
        "direction": "out", "counterparty": "Foundry", "startsOn": "2023-01-01",
        "assetIds": [asset["id"]], "royaltyTerms": "2%"}}, token))["data"]["createIpLicence"]
    paid = await gql("""mutation($t: ID!, $l: ID!) { recordIpRoyaltyPayment(tenantId: $t,
        licenceId: $l, paidOn: "2024-03-31", amount: "1250.50", currency: "USD") {
        payment { amount currency } errors { field } } }""", {"t": t, "l": lic["licence"]["id"]},
                     token)
    assert paid["data"]["recordIpRoyaltyPayment"]["payment"]["currency"] == "USD"
    incident = (await gql("""mutation($t: ID!, $in: IpIncidentInput!) { reportIpIncident(
        tenantId: $t, input: $in) { incident { id status } errors { field } } }""", {"t": t,
        "in": {"kind": "leakage", "title": "Leak", "detectedOn": "2024-05-01",
               "assetIds": [asset["id"]]}}, token))["data"]["reportIpIncident"]["incident"]
    iid = incident["id"]
    await gql("""mutation($t: ID!, $i: ID!) { recordIpIncidentResponse(tenantId: $t,
        incidentId: $i, action: "takedown") { errors { field } } }""", {"t": t, "i": iid}, token)
    await gql("""mutation($t: ID!, $i: ID!) { setIpRecoveryPlan(tenantId: $t, incidentId: $i,
        summary: "Re-secure", steps: [{title: "Rotate keys", dueOn: "2024-06-01"}],
        status: "in_progress") { errors { field } } }""", {"t": t, "i": iid}, token)
    await gql("""mutation($t: ID!, $i: ID!) { closeIpIncident(tenantId: $t, id: $i) {
        errors { code } } }""", {"t": t, "i": iid}, token)
    body = await gql("""query($t: ID!) { ipIncidents(tenantId: $t) { nodes { status
        responses { action } recoveryPlan { status steps { title dueOn } } } } }""", {"t": t},
                     token)
    assert body["data"]["ipIncidents"]["nodes"] == [{
        "status": "closed", "responses": [{"action": "takedown"}],
        "recoveryPlan": {"status": "in_progress",
                         "steps": [{"title": "Rotate keys", "dueOn": "2024-06-01"}]}}]


async def test_pagination_of_assets(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    await gql(IMPORT, {"t": t, "csv": GOOGLE_EXCERPT}, token)
    seen, after = [], None
    while True:
        page = (await gql(ASSETS_Q, {"t": t, "first": 2, "after": after}, token)
                )["data"]["ipAssets"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 5


async def test_missing_required_date_is_a_field_error(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    body = await gql("""mutation($t: ID!, $in: IpIncidentInput!) { reportIpIncident(tenantId: $t,
        input: $in) { errors { code field } } }""", {"t": t, "in": {"kind": "leakage",
                                                               "title": "x"}}, token)
    assert body["data"]["reportIpIncident"]["errors"] == [{"code": "REQUIRED",
                                                           "field": "detectedOn"}]


# ------------------------------------------------------------------------------ boundary


async def test_tenant_boundary(platform, gql):
    g = await make_group(platform, "acme")
    foreign = _asset(g.ids["acme-b"], "B-1", title="B's secret patent")
    await _add(platform, foreign)
    a_admin = g.token("a-admin")
    read_b = await gql("""query($t: ID!, $id: ID!) { ipAsset(tenantId: $t, id: $id) { title }
        }""", {"t": g.ids["acme-b"], "id": foreign.id}, a_admin)
    assert read_b["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    by_id = await gql("""query($t: ID!, $id: ID!) { ipAsset(tenantId: $t, id: $id) { title }
        }""", {"t": g.ids["acme-a"], "id": foreign.id}, a_admin)
    assert by_id["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    write = await gql("""mutation($t: ID!, $id: ID!) { updateIpAsset(tenantId: $t, id: $id,
        input: {title: "stolen"}) { errors { code } } }""", {"t": g.ids["acme-a"],
                                                             "id": foreign.id}, a_admin)
    assert write["data"]["updateIpAsset"]["errors"][0]["code"] == "NOT_FOUND"
    deadline = await gql("""mutation($t: ID!, $a: ID!) { addIpAssetDeadline(tenantId: $t,
        assetId: $a, kind: "renewal", dueOn: "2030-01-01") { errors { code } } }""",
                         {"t": g.ids["acme-a"], "a": foreign.id}, a_admin)
    assert deadline["data"]["addIpAssetDeadline"]["errors"][0]["code"] == "NOT_FOUND"
    async with platform.db.tenant_session(g.ids["acme-b"]) as s:
        assert (await s.get(IpAsset, foreign.id)).title == "B's secret patent"
    listed = await gql("""query($t: ID!) { ipAssets(tenantId: $t) { nodes { id } } }""",
                       {"t": g.ids["acme-a"]}, a_admin)
    assert listed["data"]["ipAssets"]["nodes"] == []


# ------------------------------------------------------------------------------ demo


async def test_demo_fires_every_check_somewhere_and_passes_somewhere(platform):
    from ip_governance.risk_assets.demo import demo
    from ipgov.api import DemoContext
    from ipgov.cli.demo import DEMO_GROUP_SLUG, SUBSIDIARIES
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.models import Finding
    from ipgov.tenancy import services

    async with platform.db.system_session("test: demo tenants") as s:
        group = await services.create_group(platform, s, slug=DEMO_GROUP_SLUG, name="Hanwei",
                                            governance_mode="hybrid", actor="test")
        ids = {DEMO_GROUP_SLUG: group.id}
        for slug, parent, name, mode in SUBSIDIARIES:
            child = await services.onboard_subsidiary(platform, s, parent_id=ids[parent],
                                                      slug=slug, name=name,
                                                      governance_mode=mode, actor="test")
            ids[slug] = child.id
        await demo(DemoContext(session=s, tenants=ids, users={}))
    await platform.authz.refresh()
    await run_inline(platform, group.id, group=True, actor="test")
    async with platform.db.system_session("test: findings") as s:
        rows = (await s.execute(select(Finding.check_id, Finding.tenant_id).where(
            Finding.check_id.like("ip_governance.risk_assets.%")))).all()
    fired: dict[str, set[str]] = {}
    for check_id, tenant_id in rows:
        fired.setdefault(check_id, set()).add(tenant_id)
    for check in ra_checks.CHECKS:
        assert fired.get(check.id), f"{check.id} never fires in the demo"
        assert fired[check.id] != set(ids.values()), f"{check.id} fires everywhere"
    slug_of = {v: k for k, v in ids.items()}
    assert {slug_of[t] for t in fired["ip_governance.risk_assets.risk_above_tolerance"]} == {
        "hanwei-semiconductor", "hanwei-europe"}
    assert {slug_of[t] for t in fired["ip_governance.risk_assets.risk_appetite_statement"]} == {
        "hanwei-cloud"}
