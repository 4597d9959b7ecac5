"""Hostile inputs get a 4xx or a typed error, never a 500 or INTERNAL (issue 22 item 16).

Each case comes from the independent attack: JSON bodies that are ``null``, a number, a
string, invalid UTF-8, nested 10,000 deep or an integer of 5,000 digits; batches with
non-object entries; NUL bytes and lone surrogates in any string argument (variables and
literals, String, ID and JSON alike, on SQLite and PostgreSQL); ``first: null``; forged
cursors (huge integers, nested arrays, another list's, a tampered byte); ``importIpAssets``
with bare carriage returns. Malformed bodies are refused before anything runs (no SQL).
"""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from ip_governance.risk_assets.models import IpAsset
from ipgov.tenancy.models import Tenant
from tests.conftest import make_group
from tests.security.conftest import codes

DEEP = 10_000
BODIES = {
    "null": b"null",
    "number": b"42",
    "string": b'"{ me { id } }"',
    "invalid utf-8": b'{"query": "{ me { id } }", "variables": {"s": "\xff\xfe"}}',
    "nested arrays": b"[" * DEEP + b"]" * DEEP,
    "nested variables": (b'{"query": "{ me { id } }", "variables": ' + b'{"a":' * DEEP + b"1"
                         + b"}" * DEEP + b"}"),
    "5,000-digit integer": (b'{"query": "query($f: Int) { tenants(first: $f) { edges '
                            b'{ cursor } } }", "variables": {"f": ' + b"9" * 5000 + b"}}"),
    "batch of non-objects": b'[1, "x", null]',
    "batch with one non-object": b'[{"query": "{ me { id } }"}, 7]',
    "empty batch": b"[]",
    "query not a string": b'{"query": 42}',
    "variables a list": b'{"query": "{ me { id } }", "variables": [1]}',
    "not json": b"{ me { id } }",
    "lone surrogate": b'{"query": "{ me { id } }", "variables": {"s": "a\\ud800b"}}',
    "NaN": b'{"query": "{ me { id } }", "variables": {"n": NaN}}',
}


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme")


@pytest.mark.parametrize("name", sorted(BODIES))
async def test_malformed_bodies_are_400_before_anything_runs(app_client, acme, sql, name):
    sql.reset()
    response = await app_client.client.post(
        "/graphql", content=BODIES[name], headers={
            "content-type": "application/json",
            "authorization": f"Bearer {acme.token('admin')}"})
    assert response.status_code == 400, (name, response.text[:300])
    body = response.json()
    assert codes(body) in (["INVALID_JSON"], ["BAD_REQUEST_BODY"]), body
    assert body["errors"][0]["message"]
    assert sql.count == 0, sql.statements  # refused before authentication or any resolver


async def test_a_malformed_body_is_refused_in_the_readers_language(app_client):
    response = await app_client.client.post("/graphql", content=b"null", headers={
        "content-type": "application/json", "accept-language": "zh-CN"})
    error = response.json()["errors"][0]
    assert response.status_code == 400 and "请求体" in error["message"]
    assert "JSON object" in error["extensions"]["messageEn"]


ONBOARD = """mutation($i: OnboardSubsidiaryInput!) {
  onboardSubsidiary(input: $i) { tenant { id } errors { code field } } }"""


async def _tenants(platform) -> int:
    async with platform.db.system_session("test: count") as s:
        return (await s.execute(select(func.count(Tenant.id)))).scalar_one()


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800", "ok\udfffok"])
async def test_nul_and_lone_surrogates_in_any_string_are_refused(platform, app_client, acme,
                                                                  bad):
    """Variables (String, ID, JSON, nested input fields, keys) and literals, both backends:
    BAD_TEXT naming where, nothing stored."""
    token = acme.token("admin")
    before = await _tenants(platform)
    parent = acme.ids["acme"]
    escaped = json.dumps(bad)  # a JSON/GraphQL string literal with \\u escapes
    cases = [
        (ONBOARD, {"i": {"parentId": parent, "slug": "acme-new", "name": bad}}),
        (ONBOARD, {"i": {"parentId": parent + bad, "slug": "acme-new", "name": "N"}}),
        ('mutation($p: [String!]) { onboardSubsidiary(input: {parentId: "PARENT", slug: '
         '"acme-new", name: "N", plugins: $p}) { errors { code } } }', {"p": ["ip_governance",
                                                                            bad]}),
        ('mutation($t: ID!, $s: JSON!) { publishMetadataSpec(tenantId: $t, kindKey: "k", '
         'jsonSchema: $s) { errors { code } } }', {"t": parent, "s": {"nested": [{"k": bad}]}}),
        ('mutation { onboardSubsidiary(input: {parentId: "PARENT", slug: "acme-new", '
         'name: LITERAL}) { errors { code } } }', {}),
    ]
    for query, variables in cases:
        query = query.replace("PARENT", parent).replace("LITERAL", escaped)
        raw = json.dumps({"query": query, "variables": variables}).encode()
        response = await app_client.client.post("/graphql", content=raw, headers={
            "content-type": "application/json", "authorization": f"Bearer {token}"})
        assert response.status_code in (200, 400), response.text[:300]
        found = codes(response.json())
        assert found and set(found) <= {"BAD_TEXT", "INVALID_JSON", "GRAPHQL_VALIDATION"}, (
            query, variables, response.text[:300])
    assert await _tenants(platform) == before


async def test_first_null_is_a_typed_error(app_client, acme):
    token = acme.token("admin")
    for query, variables in [
        ("{ tenants(first: null) { edges { cursor } } }", {}),
        ("query($f: Int) { tenants(first: $f) { edges { cursor } } }", {"f": None}),
        ('query($f: Int) { auditEvents(tenantId: "TENANT", first: $f) { edges { cursor } } }',
         {"f": None}),
    ]:
        query = query.replace("TENANT", acme.ids["acme"])
        body = await app_client(query, variables, token=token)
        assert body["data"] is None
        assert codes(body) in (["GRAPHQL_VALIDATION"], ["BAD_USER_INPUT"]), body
        error = body["errors"][0]
        assert "first" in error["message"] or error["locations"], error  # names or points


def _unsigned(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


async def test_cursors_are_signed_and_forgeries_are_bad_cursor(app_client, acme):
    token = acme.token("admin")
    tenant = acme.ids["acme"]
    events = ('query($a: String) { auditEvents(tenantId: "TENANT", first: 1, after: $a) '
              "{ edges { cursor node { seq } } } }").replace("TENANT", tenant)
    tenants = "query($a: String) { tenants(first: 1, after: $a) { edges { cursor } } }"
    page = (await app_client(events, {"a": None}, token=token))["data"]["auditEvents"]
    real = page["edges"][0]["cursor"]
    following = await app_client(events, {"a": real}, token=token)
    assert following["data"]["auditEvents"]["edges"][0]["node"]["seq"] == 2
    other_list = (await app_client(tenants, {"a": None}, token=token)
                  )["data"]["tenants"]["edges"][0]["cursor"]
    forged = [_unsigned([10 ** 30]), _unsigned([[[1]]]), _unsigned([1]), real[:-2] + "xx",
              other_list, "a" * 5000, f"{_unsigned(['Tenant.slug', ['acme']])}.AAAA"]
    for cursor in forged:
        body = await app_client(events, {"a": cursor}, token=token)
        assert codes(body) == ["BAD_CURSOR"], (cursor[:60], body)
        assert body["errors"][0]["extensions"]["field"] == "after"


DEADLINES = """query($t: ID!, $a: String) { ipAssetDeadlines(tenantId: $t, first: 1, after: $a,
  status: null) { edges { cursor node { dueOn } } pageInfo { hasNextPage } } }"""


async def test_a_cursor_over_a_date_column_walks_on_both_backends(platform, app_client, acme):
    """Keys of every column type travel in the signed cursor and come back typed (a date
    sent as text to PostgreSQL was a driver error)."""
    from datetime import date

    from ip_governance.risk_assets.models import IpAssetDeadline

    tenant = acme.ids["acme-a"]
    async with platform.db.tenant_session(tenant) as s:
        asset = IpAsset(kind="trade_secret", title="Recipe", jurisdiction="", status="active")
        s.add(asset)
        await s.flush()
        for day in (1, 2, 3):
            s.add(IpAssetDeadline(asset_id=asset.id, kind="renewal", status="open",
                                  due_on=date(2030, 1, day), description=""))
    token = acme.token("admin")
    seen, after = [], None
    for _ in range(3):
        page = (await app_client(DEADLINES, {"t": tenant, "a": after}, token=token)
                )["data"]["ipAssetDeadlines"]
        seen += [e["node"]["dueOn"] for e in page["edges"]]
        after = page["edges"][-1]["cursor"]
    assert seen == ["2030-01-01", "2030-01-02", "2030-01-03"]


IMPORT = """mutation($t: ID!, $csv: String!) { importIpAssets(tenantId: $t, csv: $csv) {
  created errors { code field } rowErrors { row column code } } }"""


async def test_import_with_bare_carriage_returns_is_read_not_internal(platform, app_client,
                                                                       acme):
    token = acme.token("admin")
    tenant = acme.ids["acme-a"]
    csv = ("kind,title,jurisdiction,application_number\r"
           "patent,\"Two\rline title\",CN,CN2024100001\r\r"
           "patent,Plain,US,US18000001\r")
    body = await app_client(IMPORT, {"t": tenant, "csv": csv}, token=token)
    payload = body["data"]["importIpAssets"]
    assert payload["created"] == 2 and payload["rowErrors"] == [], body
    broken = await app_client(IMPORT, {"t": tenant, "csv": "title\n\"a\"b\"\x85\n"},
                              token=token)
    assert codes(broken) == [], broken
    async with platform.db.tenant_session(tenant) as s:
        titles = sorted((await s.execute(select(IpAsset.title))).scalars())
    assert "Two\nline title" in titles or "Two\rline title" in titles
