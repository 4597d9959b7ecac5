"""Every field error of an input at once, with its reason, in the reader's language; unknown
enum-like filter values are errors, not empty answers (issue 15 item 15)."""

from __future__ import annotations

import re

import pytest

from ipgov.errors import InvalidInput
from ipgov.validation import FieldErrors, clean_text, filter_value, one_of
from tests.conftest import make_group

ONBOARD = """mutation($i: OnboardSubsidiaryInput!) {
  onboardSubsidiary(input: $i) { tenant { id } errors { code field message messageEn } } }"""
ASSET = """mutation($t: ID!, $i: IpAssetInput!) {
  createIpAsset(tenantId: $t, input: $i) { asset { id } errors { code field message } } }"""
BODY = """mutation($t: ID!, $i: GoverningBodyInput!) {
  createGoverningBody(tenantId: $t, input: $i) { body { id } errors { code field } } }"""


def _codes(body: dict) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme")


async def _post(gql, query, variables, token, lang=None):
    headers = {"accept-language": lang} if lang else {}
    response = await gql.client.post("/graphql", json={"query": query, "variables": variables},
                                     headers={"authorization": f"Bearer {token}", **headers})
    return response.json()


async def test_onboarding_reports_the_slug_and_the_name_at_once(gql, acme):
    token = acme.token("admin")
    variables = {"i": {"parentId": acme.ids["acme"], "slug": "Bad Slug!", "name": "  "}}
    payload = (await _post(gql, ONBOARD, variables, token))["data"]["onboardSubsidiary"]
    assert payload["tenant"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_INPUT", "slug"), ("REQUIRED", "name")]
    chinese = (await _post(gql, ONBOARD, variables, token, "zh-CN")
               )["data"]["onboardSubsidiary"]["errors"]
    assert [e["code"] for e in chinese] == ["INVALID_INPUT", "REQUIRED"]
    for error in chinese:  # the reason, in Chinese, per field; English kept beside it
        assert re.search(r"[\u4e00-\u9fff]", error["message"]), error
        assert error["message"] != "输入无效。"
    assert "slug" in chinese[0]["message"] and "name" in chinese[1]["message"]
    assert "lowercase" in chinese[0]["messageEn"]


async def test_create_ip_asset_reports_kind_title_and_jurisdiction_together(gql, acme):
    body = await _post(gql, ASSET, {"t": acme.ids["acme-a"], "i": {
        "kind": "bogus", "title": "", "jurisdiction": "12X", "cpcCodes": ["nope"]}},
        acme.token("admin"))
    errors = body["data"]["createIpAsset"]["errors"]
    assert {(e["code"], e["field"]) for e in errors} >= {
        ("NOT_ALLOWED", "kind"), ("REQUIRED", "title"), ("INVALID_INPUT", "jurisdiction"),
        ("INVALID_INPUT", "cpcCodes")}
    assert body["data"]["createIpAsset"]["asset"] is None


async def test_a_plugin_mutation_of_the_organization_area_reports_every_field(gql, acme):
    body = await _post(gql, BODY, {"t": acme.ids["acme-a"], "i": {
        "name": "", "kind": "senate", "chair": "x" * 201}}, acme.token("admin"))
    errors = body["data"]["createGoverningBody"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("REQUIRED", "name"), ("NOT_ALLOWED", "kind"), ("TOO_LONG", "chair")]


async def test_an_impossible_date_says_what_is_wrong_with_it(gql, acme):
    variables = {"t": acme.ids["acme-a"], "i": {"kind": "patent", "title": "T",
                                                 "applicationNumber": "CN1",
                                                 "filingDate": "2023-02-30"}}
    body = await _post(gql, ASSET, variables, acme.token("admin"))
    assert _codes(body) == ["BAD_USER_INPUT"]
    message = body["errors"][0]["message"]
    assert "filingDate" in message and "day is out of range for month" in message, message
    assert "2023-02-30" not in message  # variables are never echoed (they may be secrets)
    literal = ASSET.replace("$i: IpAssetInput!", "").replace(
        "input: $i", 'input: {kind: "patent", title: "T", filingDate: "2023-13-01"}')
    body = await _post(gql, literal, {"t": acme.ids["acme-a"]}, acme.token("admin"))
    assert "month must be in 1..12" in body["errors"][0]["message"], body


@pytest.mark.parametrize(("query", "field"), [
    ('{ directives(tenantId: "$T", status: "bogus") { edges { cursor } } }', "status"),
    ('{ can(tenantId: "$T", object: "ip_governance:assett", action: "create") }', "object"),
    ('{ can(tenantId: "$T", object: "ip_governance:asset", action: "creat") }', "action"),
    ('{ findings(tenantId: "$T", severity: "urgent") { edges { cursor } } }', "severity"),
    ('{ findings(tenantId: "$T", function: "defend") { edges { cursor } } }', "function"),
    ('{ escalations(tenantId: "$T", status: "open") { edges { cursor } } }', "status"),
    ('{ jobs(tenantId: "$T", status: "done") { edges { cursor } } }', "status"),
    ('{ jobs(tenantId: "$T", kind: "no_such_job") { edges { cursor } } }', "kind"),
    ('{ ipAssets(tenantId: "$T", kind: "patnet") { edges { cursor } } }', "kind"),
    ('{ ipRisks(tenantId: "$T", status: "closed!") { edges { cursor } } }', "status"),
    ('{ ipAssetDeadlines(tenantId: "$T", status: "late") { edges { cursor } } }', "status"),
    ('{ ipLicences(tenantId: "$T", direction: "sideways") { edges { cursor } } }',
     "direction"),
    ('{ ipIncidents(tenantId: "$T", status: "gone") { edges { cursor } } }', "status"),
    ('{ governanceDirectives(tenantId: "$T", status: "late") { edges { cursor } } }',
     "status"),
    ('{ supervisionOverview(severities: ["urgent"]) { edges { cursor } } }', "severities"),
])
async def test_unknown_filter_values_are_errors_naming_the_allowed_ones(gql, acme, query,
                                                                         field):
    body = await _post(gql, query.replace("$T", acme.ids["acme"]), {}, acme.token("admin"))
    assert body["data"] is None, body
    assert _codes(body) == ["UNKNOWN_FILTER_VALUE"], body
    error = body["errors"][0]
    assert error["extensions"]["field"] == field
    assert "use one of" in error["message"]


async def test_known_filter_values_still_filter(gql, acme):
    query = ('{ directives(tenantId: "$T", status: "done") { edges { cursor } } '
             'can(tenantId: "$T", object: "ip_governance:asset", action: "create") }')
    body = await _post(gql, query.replace("$T", acme.ids["acme"]), {}, acme.token("admin"))
    assert body["data"]["directives"]["edges"] == [] and body["data"]["can"] is True


def test_field_errors_collects_then_raises_them_together():
    errors = FieldErrors()
    assert errors.check(clean_text, "ok", "title", max_len=5) == "ok"
    assert errors.check(clean_text, "", "title", max_len=5, required=True) is None
    assert errors.check(one_of, "x", ("a", "b"), "kind") is None
    with errors.field():
        filter_value("z", ("a",), "status")
    with pytest.raises(InvalidInput) as caught:
        errors.raise_if_any()
    assert [(e.code, e.field) for e in caught.value.field_errors] == [
        ("REQUIRED", "title"), ("NOT_ALLOWED", "kind"), ("UNKNOWN_FILTER_VALUE", "status")]
    assert caught.value.code == "INVALID_INPUT" and "3 fields" in caught.value.message
    single = FieldErrors()
    single.check(one_of, None, ("a",), "kind")
    with pytest.raises(InvalidInput) as one:
        single.raise_if_any()
    assert one.value.field_errors == [one.value] and one.value.code == "REQUIRED"
    FieldErrors().raise_if_any()  # nothing recorded: nothing raised
