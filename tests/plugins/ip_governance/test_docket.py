"""The computed docket in the register (issue 18): deadlines follow an asset's dates, status
and jurisdiction; overrides reach a group's subsidiaries by governance mode and never another
group; the forecast rolls fees up the tree within the caller's rights; refusals are codes."""

from __future__ import annotations

from datetime import date, timedelta

from ip_governance.docketing.compute import AssetFacts, compute_docket
from ip_governance.docketing.rules import shipped_rules
from ip_governance.docketing.services import HORIZON_DAYS
from ipgov.db.base import utcnow
from tests.conftest import make_group

CREATE = """mutation($t: ID!, $in: IpAssetInput!) { createIpAsset(tenantId: $t, input: $in) {
  asset { id } errors { code field } } }"""
UPDATE = """mutation($t: ID!, $id: ID!, $in: IpAssetInput!) { updateIpAsset(tenantId: $t,
  id: $id, input: $in) { asset { id } errors { code field } } }"""
DEADLINES = """query($t: ID!) { ipAssetDeadlines(tenantId: $t, first: 100) { nodes {
  kind dueOn origin ruleId graceUntil feeAmount feeCurrency explanationEn explanationZh } } }"""
OVERRIDE = """mutation($t: ID!, $y: String!) { setDocketRuleOverride(tenantId: $t, yaml: $y) {
  rule { id origin } recomputed errors { code field message } } }"""
RULES = """query($t: ID!) { docketRules(tenantId: $t, jurisdiction: "CN", first: 50) {
  total items { id origin } } }"""
FORECAST = """query($t: ID!, $y: Int!, $c: String!) { docketForecast(tenantId: $t, years: $y,
  reportingCurrency: $c) { rows { key name year currency amount reportingAmount uncheckedAmount }
  missingRates tenantIds csv } }"""
RATE = """mutation($t: ID!) { setExchangeRate(tenantId: $t, currency: "CNY",
  reportingCurrency: "EUR", rate: "0.13", asOf: "2026-12-01") { rate { rate } errors { code } } }"""
CN_PATENT = {"kind": "patent", "title": "Wafer bonding", "jurisdiction": "CN",
             "applicationNumber": "202110001234.5", "status": "granted",
             "filingDate": "2021-03-14", "grantDate": "2023-05-01"}
CHEAPER = """id: cn.invention.annuity
jurisdiction: CN
kinds: [patent]
event: annuity
due: filing_anniversary
first: grant_year
roll_forward: true
grace: {months: 6, surcharge: {steps: [0, 5, 10, 15, 20, 25]}}
source: cn-patent-rules
cite: "group practice: budget at the reduced (85%) rate"
fees:
  - {effective_from: 2018-08-01, currency: CNY, years: {"1-20": 100}}
"""


def expected(**asset: object) -> list[tuple[str, str]]:
    today = utcnow().date()
    facts = AssetFacts("x", "patent", "CN", str(asset.get("status", "granted")),
                       date(2021, 3, 14), grant_date=date(2023, 5, 1))
    return [(e.due_on.isoformat(), e.rule_id) for e in compute_docket(
        facts, shipped_rules(), start=today, end=today + timedelta(days=HORIZON_DAYS))]


async def _computed(gql, t: str, token: str) -> list[dict]:
    body = await gql(DEADLINES, {"t": t}, token)
    return [n for n in body["data"]["ipAssetDeadlines"]["nodes"] if n["origin"] == "computed"]


async def test_the_docket_follows_the_asset_and_keeps_manual_deadlines(platform, gql):
    g = await make_group(platform, "dock")
    t, token = g.ids["dock-a"], g.token("a-admin")
    asset = (await gql(CREATE, {"t": t, "in": CN_PATENT}, token))["data"]["createIpAsset"]
    asset_id = asset["asset"]["id"]
    computed = await _computed(gql, t, token)
    assert [(n["dueOn"], n["ruleId"]) for n in computed] == expected()
    assert computed and computed[0]["feeCurrency"] == "CNY"
    assert computed[0]["explanationEn"].startswith("CN invention, year ")
    assert "年年费" in computed[0]["explanationZh"]
    manual = await gql("""mutation($t: ID!, $a: ID!) { addIpAssetDeadline(tenantId: $t,
        assetId: $a, kind: "office_action", dueOn: "2027-01-15") { errors { code } } }""",
                       {"t": t, "a": asset_id}, token)
    assert manual["data"]["addIpAssetDeadline"]["errors"] == []
    # a later grant moves the first annuity the docket owns; lapsing removes them all
    moved = await gql(UPDATE, {"t": t, "id": asset_id, "in": {**CN_PATENT, "status": "lapsed"}},
                      token)
    assert moved["data"]["updateIpAsset"]["errors"] == []
    assert await _computed(gql, t, token) == []
    kept = (await gql(DEADLINES, {"t": t}, token))["data"]["ipAssetDeadlines"]["nodes"]
    assert [n["kind"] for n in kept] == ["office_action"]
    # another tenant of the group sees none of it
    other = await gql(DEADLINES, {"t": g.ids["dock-b"]}, g.token("b-admin"))
    assert other["data"]["ipAssetDeadlines"]["nodes"] == []


async def test_overrides_reach_subsidiaries_by_mode_and_never_another_group(platform, gql):
    g = await make_group(platform, "ovr", "hybrid")
    other = await make_group(platform, "oth", "hybrid")
    await gql(CREATE, {"t": g.ids["ovr-a"], "in": CN_PATENT}, g.token("a-admin"))
    await gql(CREATE, {"t": other.ids["oth-a"], "in": CN_PATENT}, other.token("a-admin"))
    body = await gql(OVERRIDE, {"t": g.ids["ovr"], "y": CHEAPER}, g.token("admin"))
    payload = body["data"]["setDocketRuleOverride"]
    assert payload["errors"] == [] and payload["recomputed"] >= 1
    fees = {n["feeAmount"] for n in await _computed(gql, g.ids["ovr-a"], g.token("a-admin"))}
    assert fees == {"100.00"}
    rules = (await gql(RULES, {"t": g.ids["ovr-b"]}, g.token("b-admin")))["data"]["docketRules"]
    assert {"id": "cn.invention.annuity", "origin": g.ids["ovr"]} in rules["items"]
    untouched = await _computed(gql, other.ids["oth-a"], other.token("a-admin"))
    assert "100.00" not in {n["feeAmount"] for n in untouched} and untouched
    # crossing the boundary: one group's admin cannot override another group's rules
    crossed = await gql(OVERRIDE, {"t": other.ids["oth"], "y": CHEAPER}, g.token("admin"))
    assert crossed["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "FORBIDDEN")


async def test_centralized_subsidiary_override_does_not_apply(platform, gql):
    g = await make_group(platform, "cen", "centralized")
    await gql(CREATE, {"t": g.ids["cen-a"], "in": CN_PATENT}, g.token("a-admin"))
    await gql(OVERRIDE, {"t": g.ids["cen-a"], "y": CHEAPER}, g.token("a-admin"))
    fees = {n["feeAmount"] for n in await _computed(gql, g.ids["cen-a"], g.token("a-admin"))}
    assert "100.00" not in fees


async def test_refusals_are_codes(platform, gql):
    g = await make_group(platform, "ref")
    bad = await gql(OVERRIDE, {"t": g.ids["ref"], "y": "id: cn.invention.annuity\ncolour: red"},
                    g.token("admin"))
    [err, *_] = bad["data"]["setDocketRuleOverride"]["errors"]
    assert (err["code"], err["field"]) == ("INVALID_DOCKET_RULES", "yaml")
    assert "rule cn.invention.annuity: colour: unknown field" in err["message"]
    viewer = await gql(OVERRIDE, {"t": g.ids["ref-a"], "y": CHEAPER}, g.token("a-viewer"))
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    far = await gql(FORECAST, {"t": g.ids["ref"], "y": 11, "c": "eur"}, g.token("admin"))
    assert far["errors"][0]["extensions"]["code"] in ("OUT_OF_RANGE", "INVALID_INPUT")


async def test_forecast_rolls_up_the_tree_with_rates(platform, gql):
    g = await make_group(platform, "fc")
    for sub in ("fc-a", "fc-b"):
        number = {"fc-a": "202110001234.5", "fc-b": "202110009999.1"}[sub]
        await gql(CREATE, {"t": g.ids[sub], "in": {**CN_PATENT, "applicationNumber": number}},
                  g.token(f"{sub[-1]}-admin"))
    first = (await gql(FORECAST, {"t": g.ids["fc"], "y": 5, "c": "EUR"}, g.token("admin"))
             )["data"]["docketForecast"]
    assert first["missingRates"] == ["CNY"]
    assert all(r["reportingAmount"] is None for r in first["rows"])
    assert (await gql(RATE, {"t": g.ids["fc"]}, g.token("admin")))["data"][
        "setExchangeRate"]["errors"] == []
    body = (await gql(FORECAST, {"t": g.ids["fc"], "y": 5, "c": "EUR"}, g.token("admin"))
            )["data"]["docketForecast"]
    keys = {r["key"] for r in body["rows"]}
    assert keys == {g.ids["fc-a"], g.ids["fc-b"]}
    row = body["rows"][0]
    assert float(row["reportingAmount"]) == round(float(row["amount"]) * 0.13, 2)
    assert body["csv"].splitlines()[0] == ("entity,year,currency,amount,amount_EUR,"
                                           "amount_not_checked_with_office")
    assert all(float(r["uncheckedAmount"]) == float(r["amount"]) for r in body["rows"])
    # a subsidiary admin sees its own tenant only
    own = (await gql(FORECAST, {"t": g.ids["fc-a"], "y": 5, "c": "CNY"}, g.token("a-admin"))
           )["data"]["docketForecast"]
    assert own["tenantIds"] == [g.ids["fc-a"]]


async def test_a_fee_reduction_on_the_asset_lowers_its_computed_fees(platform, gql):
    g = await make_group(platform, "red")
    t, token = g.ids["red-a"], g.token("a-admin")
    body = await gql(CREATE, {"t": t, "in": {**CN_PATENT, "feeReduction": "cn_reduction_85"}},
                     token)
    assert body["data"]["createIpAsset"]["errors"] == []
    fees = [n["feeAmount"] for n in await _computed(gql, t, token)]
    full = [f"{e.fee:.2f}" for e in compute_docket(
        AssetFacts("x", "patent", "CN", "granted", date(2021, 3, 14),
                   grant_date=date(2023, 5, 1)), shipped_rules(), start=utcnow().date(),
        end=utcnow().date() + timedelta(days=HORIZON_DAYS))]
    assert fees and all(float(f) == round(float(x) * 0.15, 2) for f, x in zip(fees, full,
                                                                                strict=True))
    bad = await gql(CREATE, {"t": t, "in": {**CN_PATENT, "applicationNumber": "202110007777.1",
                                            "feeReduction": "half"}}, token)
    [err] = bad["data"]["createIpAsset"]["errors"]
    assert (err["code"], err["field"]) == ("INVALID_CHOICE", "feeReduction")


async def test_an_office_action_gets_its_response_period_from_the_rules(platform, gql):
    g = await make_group(platform, "oa")
    t, token = g.ids["oa-a"], g.token("a-admin")
    pending = {**CN_PATENT, "status": "pending", "grantDate": None}
    asset_id = (await gql(CREATE, {"t": t, "in": pending}, token))["data"]["createIpAsset"][
        "asset"]["id"]
    add = """mutation($t: ID!, $a: ID!, $r: Date) { addIpAssetDeadline(tenantId: $t, assetId: $a,
      kind: "office_action", receivedOn: $r) { deadline { dueOn ruleId explanationEn }
      errors { code field } } }"""
    body = (await gql(add, {"t": t, "a": asset_id, "r": "2026-06-03"}, token))["data"][
        "addIpAssetDeadline"]
    # four months from 2026-06-03 is 2026-10-03, a Saturday inside National Day: Monday 5th
    assert body["deadline"]["dueOn"] == "2026-10-05"
    assert body["deadline"]["ruleId"] == "cn.patent.office_action"
    assert "response to the office action of 2026-06-03" in body["deadline"]["explanationEn"]
    missing = (await gql(add, {"t": t, "a": asset_id, "r": None}, token))["data"][
        "addIpAssetDeadline"]
    assert missing["errors"] == [{"code": "REQUIRED", "field": "dueOn"}]


async def test_recompute_takes_up_inherited_overrides(platform, gql):
    g = await make_group(platform, "inh", "hybrid")
    await gql(OVERRIDE, {"t": g.ids["inh"], "y": CHEAPER}, g.token("admin"))
    async with platform.db.system_session("test: forget the inherited rows") as s:
        from sqlalchemy import delete

        from ip_governance.docketing.models import DocketRuleOverride
        await s.execute(delete(DocketRuleOverride).where(
            DocketRuleOverride.tenant_id == g.ids["inh-a"]))
    await gql(CREATE, {"t": g.ids["inh-a"], "in": CN_PATENT}, g.token("a-admin"))
    assert "100.00" not in {n["feeAmount"] for n in await _computed(
        gql, g.ids["inh-a"], g.token("a-admin"))}
    body = await gql("""mutation($t: ID!) { recomputeDocket(tenantId: $t) { updated
        errors { code } } }""", {"t": g.ids["inh-a"]}, g.token("a-admin"))
    assert body["data"]["recomputeDocket"]["errors"] == []
    fees = {n["feeAmount"] for n in await _computed(gql, g.ids["inh-a"], g.token("a-admin"))}
    assert fees == {"100.00"}
