"""The supervision view: entitlement (a group and all its subsidiaries, the whole platform for
platform auditors), tenant boundaries, read-only, audited reads, overview values, a fixed number
of SQL statements per page, CSV export and printable report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from sqlalchemy import event, func, select, update

from ipgov.audit.models import AuditEvent
from ipgov.db import TenantScope
from ipgov.db.base import utcnow
from ipgov.graphql.schema import build_schema
from ipgov.reviews.checks import Function
from ipgov.reviews.inline import run_inline
from ipgov.reviews.models import Directive, Finding
from ipgov.supervision import queries
from ipgov.tenancy.models import PLATFORM_TENANT_ID, Escalation
from tests.conftest import Group, make_group

TENANTS = """query($root: ID, $first: Int! = 100) {
  supervisionTenants(rootId: $root, first: $first) {
    edges { node { id slug parentId depth governanceMode status } }
    pageInfo { hasNextPage endCursor } } }"""
OVERVIEW = """query($root: ID, $ids: [ID!], $sev: [String!], $fn: [String!], $since: DateTime,
                 $until: DateTime) {
  supervisionOverview(rootId: $root, tenantIds: $ids, severities: $sev, functions: $fn,
                      since: $since, until: $until) {
    edges { node { tenant { id slug } latestRunId scores
      trend { runId finishedAt overall functions }
      openFindings { severity count } overdueDirectives risksAboveTolerance
      escalationsAwaiting auditTrail { ok events firstBadSeq problem } } }
    pageInfo { hasNextPage } } }"""
DETAIL = """query($id: ID!) { supervisionTenantDetail(tenantId: $id, findingsFirst: 5) {
  tenant { slug } latestRun { id } findings { edges { node { id severity } }
  pageInfo { hasNextPage } } openDirectives { id } reviewHistory { id }
  escalationsAwaiting { id } } }"""
TRAIL = """query($id: ID!) { supervisionAuditTrail(tenantId: $id, first: 5) {
  tenantId events { edges { node { seq action } } } verification { ok events } } }"""


def _codes(body: dict[str, Any]) -> set[str]:
    return {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}


async def _groups(platform) -> tuple[Group, Group]:
    """``acme`` is decentralized (its auditor's role does not cascade), ``globex`` centralized."""
    return (await make_group(platform, "acme", "decentralized"),
            await make_group(platform, "globex", "centralized"))


async def _platform_auditor(platform) -> str:
    from ipgov.identity.service import add_membership, create_user

    async with platform.db.system_session("test: platform auditor") as s:
        u = await create_user(s, email="pa@platform.example", display_name="pa")
        await add_membership(platform, s, tenant_id=PLATFORM_TENANT_ID, user_id=u.id,
                             role="platform_auditor", actor="t")
    await platform.authz.refresh()
    return platform.tokens.issuer.issue(u.id).token


async def _reads(platform, tenant_id: str) -> int:
    async with platform.db.system_session("test: count reads") as s:
        return (await s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.tenant_id == tenant_id, AuditEvent.action == "supervision.read"))
        ).scalar_one()


async def test_group_auditor_sees_its_group_and_never_another(platform, gql):
    acme, globex = await _groups(platform)
    token = acme.token("auditor")
    # the auditor role does not cascade in a decentralized group ...
    assert platform.authz.tenants_where(acme.users["auditor"], "ipgov:supervision",
                                        "read") == {acme.ids["acme"]}
    # ... yet supervision covers the group and every subsidiary
    body = await gql(TENANTS, token=token)
    nodes = [e["node"] for e in body["data"]["supervisionTenants"]["edges"]]
    assert [n["slug"] for n in nodes] == ["acme", "acme-a", "acme-b", "acme-c"]
    assert {n["parentId"] for n in nodes[1:]} == {acme.ids["acme"]}
    body = await gql(TENANTS, {"root": acme.ids["acme-b"]}, token=token)
    assert [e["node"]["slug"] for e in body["data"]["supervisionTenants"]["edges"]] == ["acme-b"]
    body = await gql(OVERVIEW, token=token)
    assert {e["node"]["tenant"]["slug"] for e in body["data"]["supervisionOverview"]["edges"]} \
        == {"acme", "acme-a", "acme-b", "acme-c"}
    # every way of naming globex is refused, and says nothing of it
    attempts = [(TENANTS, {"root": globex.ids["globex"]}),
                (OVERVIEW, {"root": globex.ids["globex"]}),
                (OVERVIEW, {"ids": [globex.ids["globex-a"]]}),
                (OVERVIEW, {"ids": [acme.ids["acme-a"], globex.ids["globex-b"]]}),
                (DETAIL, {"id": globex.ids["globex-a"]}),
                (DETAIL, {"id": globex.ids["globex"]}),
                (TRAIL, {"id": globex.ids["globex"]}),
                (DETAIL, {"id": "00000000-0000-0000-0000-00000000dead"})]
    for query, variables in attempts:
        response = await gql.post(query, variables, token=token)
        body = response.json()
        assert _codes(body) == {"FORBIDDEN"}, (variables, body)
        assert body.get("data") is None, body
        assert "globex" not in response.text.lower()
    # a detail of one's own subsidiary works
    body = await gql(DETAIL, {"id": acme.ids["acme-c"]}, token=token)
    assert body["data"]["supervisionTenantDetail"]["tenant"]["slug"] == "acme-c"
    # no supervision entitlement, no credentials
    assert _codes(await gql(TENANTS, token=acme.token("a-viewer"))) == {"FORBIDDEN"}
    assert _codes(await gql(TENANTS)) == {"UNAUTHENTICATED"}
    # globex's auditor sees only globex
    body = await gql(TENANTS, token=globex.token("auditor"))
    assert [e["node"]["slug"] for e in body["data"]["supervisionTenants"]["edges"]] == [
        "globex", "globex-a", "globex-b", "globex-c"]


async def test_platform_auditor_sees_every_group(platform, gql):
    acme, globex = await _groups(platform)
    token = await _platform_auditor(platform)
    body = await gql(TENANTS, token=token)
    slugs = [e["node"]["slug"] for e in body["data"]["supervisionTenants"]["edges"]]
    assert slugs == ["acme", "acme-a", "acme-b", "acme-c",
                     "globex", "globex-a", "globex-b", "globex-c"]  # not the platform tenant
    body = await gql(OVERVIEW, {"root": globex.ids["globex"]}, token=token)
    assert len(body["data"]["supervisionOverview"]["edges"]) == 4
    body = await gql(DETAIL, {"id": acme.ids["acme-a"]}, token=token)
    assert body["data"]["supervisionTenantDetail"]["tenant"]["slug"] == "acme-a"
    body = await gql(TENANTS, {"first": 3}, token=token)
    assert body["data"]["supervisionTenants"]["pageInfo"]["hasNextPage"] is True


def _sample(t: Any, tenant: str) -> Any:
    inner = t.of_type if isinstance(t, GraphQLNonNull) else t
    if isinstance(inner, GraphQLList):
        return [_sample(inner.of_type, tenant)]
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLInputObjectType):
        return {n: _sample(f.type, tenant) for n, f in inner.fields.items()
                if isinstance(f.type, GraphQLNonNull)}
    if isinstance(inner, GraphQLScalarType):
        return {"ID": tenant, "String": "x", "Int": 1, "Float": 1.0, "Boolean": False,
                "Date": "2030-01-01", "DateTime": "2030-01-01T00:00:00+00:00",
                "Decimal": "1", "JSON": {}}.get(inner.name, "x")
    raise AssertionError(f"no sample for {inner}")


def _payload_selection(t: Any) -> str:
    named = get_named_type(t)
    if not isinstance(named, GraphQLObjectType):
        return ""
    errors = " errors { code }" if "errors" in named.fields else ""
    return "{ __typename" + errors + " }"


# a user's own settings and inbox: everyone signed in has them, supervisors included
PERSONAL_MUTATIONS = {"setMyLocale", "changePassword", "setMyNotificationPreference",
                      "markMyNotificationsRead", "createMyCalendarFeed", "revokeMyCalendarFeed",
                      "endMySession", "beginTotpEnrolment", "beginPasskeyRegistration",
                      "removeMySecondFactor", "regenerateRecoveryCodes"}
# public: they fail on the bogus credential, not on the role
CREDENTIAL_MUTATIONS = {"login", "refreshSession", "requestPasswordReset", "resetPassword",
                        "acceptInvitation", "completeSignIn", "confirmTotpEnrolment",
                        "finishPasskeyRegistration", "verifySecondFactor",
                        "beginPasskeySignIn", "finishPasskeySignIn", "confirmIdentity"}


async def test_supervisors_cannot_call_any_mutation(platform, gql):
    acme, _globex = await _groups(platform)
    mutation = build_schema(platform.settings, platform.registry)._schema.mutation_type
    callers = [(acme.token("auditor"), acme.ids["acme"]),
               (await _platform_auditor(platform), acme.ids["acme-a"])]
    before = await gql("{ tenants(first: 100) { edges { node { id status governanceMode } } } }",
                       token=acme.token("admin"))
    for token, tenant in callers:
        for name, field in mutation.fields.items():
            if name == "signOut":  # the caller's own session: it would end the token here
                continue
            args = {n: a for n, a in field.args.items() if isinstance(a.type, GraphQLNonNull)}
            decl = ", ".join(f"${n}: {a.type}" for n, a in args.items())
            call = ", ".join(f"{n}: ${n}" for n in args)
            query = (f"mutation M{'(' + decl + ')' if decl else ''} "
                     f"{{ {name}{'(' + call + ')' if call else ''} "
                     f"{_payload_selection(field.type)} }}")
            variables = {n: _sample(a.type, tenant) for n, a in args.items()}
            body = await gql(query, variables, token=token)
            codes = _codes(body)
            payload = (body.get("data") or {}).get(name)
            if name in CREDENTIAL_MUTATIONS:
                assert payload["errors"], body
                continue
            if name in PERSONAL_MUTATIONS:  # the caller's own settings, no tenant data
                continue
            assert codes & {"FORBIDDEN", "PLUGIN_DISABLED"}, (name, body)
            assert "UNAUTHENTICATED" not in codes and payload is None, (name, body)
    after = await gql("{ tenants(first: 100) { edges { node { id status governanceMode } } } }",
                      token=acme.token("admin"))
    assert before == after


async def test_every_supervision_read_is_audited(platform, gql):
    acme, globex = await _groups(platform)
    token = acme.token("auditor")
    root = acme.ids["acme"]
    count = await _reads(platform, root)
    for query, variables in [(TENANTS, {}), (OVERVIEW, {"sev": ["high"]}),
                             (DETAIL, {"id": acme.ids["acme-a"]}),
                             (TRAIL, {"id": acme.ids["acme-b"]})]:
        body = await gql(query, variables, token=token)
        assert "errors" not in body, body
        assert await _reads(platform, root) == count + 1
        count += 1
    for path in ("/supervision/export.csv", "/supervision/report"):
        response = await gql.client.get(path, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert await _reads(platform, root) == count + 1
        count += 1
    async with platform.db.system_session("test") as s:
        last = (await s.execute(select(AuditEvent).where(AuditEvent.tenant_id == root)
                                .order_by(AuditEvent.seq.desc()).limit(5))).scalars().all()
    overview = next(e for e in last if e.object_id == "supervisionOverview")
    assert overview.object_type == "ipgov:supervision"
    assert overview.details["scope_size"] == 4
    assert overview.details["filters"]["severities"] == ["high"]
    assert overview.actor == acme.users["auditor"]
    # nothing in the subsidiaries' or globex's chains; the audit trail still verifies
    assert await _reads(platform, acme.ids["acme-a"]) == 0
    assert await _reads(platform, globex.ids["globex"]) == 0
    body = await gql(TRAIL, {"id": root}, token=token)
    assert body["data"]["supervisionAuditTrail"]["verification"]["ok"] is True
    # platform auditors' reads land in the platform tenant's chain
    pa = await _platform_auditor(platform)
    before = await _reads(platform, PLATFORM_TENANT_ID)
    await gql(TENANTS, token=pa)
    assert await _reads(platform, PLATFORM_TENANT_ID) == before + 1
    assert await _reads(platform, root) == count + 1  # the trail read above


async def test_overview_matches_what_was_seeded(platform, gql, insider):
    acme, _globex = await _groups(platform)
    a, b, c = acme.ids["acme-a"], acme.ids["acme-b"], acme.ids["acme-c"]
    first = await run_inline(platform, a)
    second = await run_inline(platform, a)
    only = await run_inline(platform, b)
    past = utcnow() - timedelta(days=3)
    async with platform.db.system_session("test: seed") as s:
        s.add_all([
            Directive(tenant_id=c, check_id="t.overdue", finding_key="k1", action="do it",
                      owner_role="tenant_admin", severity="high", function="govern",
                      domain="resources", due_at=past, opened_run_id="r", last_seen_run_id="r"),
            Directive(tenant_id=c, check_id="t.escalated", finding_key="k2", action="do it",
                      owner_role="tenant_admin", severity="critical", function="protect",
                      domain="resources", due_at=utcnow() + timedelta(days=9),
                      opened_run_id="r", last_seen_run_id="r", escalated_at=utcnow(),
                      escalation="supervision"),
            Directive(tenant_id=c, check_id="t.done", finding_key="k3", action="done",
                      owner_role="tenant_admin", severity="high", function="govern",
                      domain="resources", due_at=past, opened_run_id="r",
                      last_seen_run_id="r", status="done"),
            Escalation(tenant_id=acme.ids["acme"], from_tenant_id=a,
                       decision_type="risk_appetite", subject="s", requested_by="t"),
        ])
        # make one of acme-a's own directives (if the review opened any) overdue
        await s.execute(update(Directive).where(Directive.tenant_id == a)
                        .values(due_at=past))
    async with platform.db.system_session("test: expected") as s:
        by_sev: dict[str, dict[str, int]] = {}
        for tenant, run in ((a, second), (b, only)):
            rows = (await s.execute(select(Finding.severity, func.count()).where(
                Finding.run_id == run.id).group_by(Finding.severity))).all()
            by_sev[tenant] = dict(rows)
        overdue_a = (await s.execute(select(func.count()).select_from(Directive).where(
            Directive.tenant_id == a, Directive.status == "open"))).scalar_one()
    body = await gql(OVERVIEW, {"root": acme.ids["acme"]}, token=acme.token("auditor"))
    assert "errors" not in body, body
    rows = {e["node"]["tenant"]["id"]: e["node"] for e in body["data"]["supervisionOverview"]
            ["edges"]}
    assert rows[a]["latestRunId"] == second.id
    assert rows[a]["scores"] == second.scores
    assert [p["runId"] for p in rows[a]["trend"]] == [first.id, second.id]  # oldest first
    assert rows[a]["trend"][-1]["overall"] == second.scores["overall"]
    assert {f["severity"]: f["count"] for f in rows[a]["openFindings"]} == by_sev[a]
    assert {f["severity"]: f["count"] for f in rows[b]["openFindings"]} == by_sev[b]
    assert rows[a]["overdueDirectives"] == overdue_a
    assert rows[b]["latestRunId"] == only.id and len(rows[b]["trend"]) == 1
    assert rows[c]["latestRunId"] is None and rows[c]["trend"] == []
    assert rows[c]["overdueDirectives"] == 1
    assert rows[c]["risksAboveTolerance"] == 1
    assert rows[acme.ids["acme"]]["escalationsAwaiting"] == 1
    assert all(r["auditTrail"]["ok"] for r in rows.values())
    assert rows[a]["auditTrail"]["events"] > 0
    # filters: severity and function narrow the counts and the scores
    body = await gql(OVERVIEW, {"ids": [c], "sev": ["critical"]}, token=acme.token("auditor"))
    (row,) = [e["node"] for e in body["data"]["supervisionOverview"]["edges"]]
    assert row["overdueDirectives"] == 0 and row["risksAboveTolerance"] == 1
    body = await gql(OVERVIEW, {"ids": [a], "fn": ["govern"]}, token=acme.token("auditor"))
    (row,) = [e["node"] for e in body["data"]["supervisionOverview"]["edges"]]
    assert set(row["scores"]["functions"]) <= {"govern"}
    # the period: nothing finished after tomorrow; everything finished before it
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()
    body = await gql(OVERVIEW, {"ids": [a], "since": tomorrow}, token=acme.token("auditor"))
    (row,) = [e["node"] for e in body["data"]["supervisionOverview"]["edges"]]
    assert row["latestRunId"] is None and row["trend"] == [] and row["openFindings"] == []
    body = await gql(OVERVIEW, {"ids": [a], "until": tomorrow}, token=acme.token("auditor"))
    (row,) = [e["node"] for e in body["data"]["supervisionOverview"]["edges"]]
    assert row["latestRunId"] == second.id
    # the detail shows the latest run, its findings and the history
    body = await gql(DETAIL, {"id": a}, token=acme.token("auditor"))
    detail = body["data"]["supervisionTenantDetail"]
    assert detail["latestRun"]["id"] == second.id
    assert [r["id"] for r in detail["reviewHistory"]] == [second.id, first.id]
    assert len(detail["findings"]["edges"]) == min(5, sum(by_sev[a].values()))
    # a tampered chain shows up in the overview
    async with insider.system_session("test: tamper") as s:
        await s.execute(update(AuditEvent).where(AuditEvent.tenant_id == b, AuditEvent.seq == 1)
                        .values(actor="mallory"))
    body = await gql(OVERVIEW, {"ids": [b]}, token=acme.token("auditor"))
    (row,) = [e["node"] for e in body["data"]["supervisionOverview"]["edges"]]
    assert row["auditTrail"]["ok"] is False and row["auditTrail"]["firstBadSeq"] == 1


async def _statements(platform, ids: set[str]) -> int:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        statements.append(sql)

    scope = TenantScope.tenants(frozenset(ids), "test: count")
    async with platform.db.session(scope, readonly=True) as session:
        await session.connection()  # sessions begin lazily: the BEGIN is not the overview's
        event.listen(platform.db.engine.sync_engine, "before_cursor_execute", count)
        try:
            rows, _more = await queries.overview(session, platform.audit_key, ids, first=100)
        finally:
            event.remove(platform.db.engine.sync_engine, "before_cursor_execute", count)
    assert len(rows) == len(ids)
    return len(statements)


async def test_overview_uses_a_fixed_number_of_statements(platform):
    from ipgov.tenancy import services

    acme = await make_group(platform, "acme")
    async with platform.db.system_session("test: more subsidiaries") as s:
        for i in range(8):
            t = await services.onboard_subsidiary(platform, s, parent_id=acme.ids["acme"],
                                                  slug=f"acme-x{i}", name=f"x{i}", actor="t")
            acme.ids[t.slug] = t.id
    await platform.authz.refresh()
    for slug in ("acme-a", "acme-x3", "acme-x7"):
        await run_inline(platform, acme.ids[slug])
    ids = list(acme.ids.values())
    assert len(ids) == 12
    small = await _statements(platform, {acme.ids["acme"], acme.ids["acme-a"],
                                         acme.ids["acme-b"]})
    large = await _statements(platform, set(ids))
    # verification included: the chains are fetched in one statement, not per tenant
    assert small == large == 7


async def test_csv_export_and_printable_report(platform, gql):
    acme, globex = await _groups(platform)
    await run_inline(platform, acme.ids["acme-a"])
    auth = {"authorization": f"Bearer {acme.token('auditor')}"}
    response = await gql.client.get("/supervision/export.csv", headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    functions = [f.value for f in Function]
    assert len(rows) == 4 * len(functions)
    assert {(r["slug"], r["function"]) for r in rows} == {
        (s, f) for s in ("acme", "acme-a", "acme-b", "acme-c") for f in functions}
    run = next(r for r in rows if r["slug"] == "acme-a")
    assert run["latest_run_id"] and run["audit_ok"] == "true"
    assert "globex" not in response.text
    response = await gql.client.get("/supervision/export.csv",
                                    params={"rootId": acme.ids["acme-b"]}, headers=auth)
    assert {r["slug"] for r in csv.DictReader(io.StringIO(response.text))} == {"acme-b"}

    response = await gql.client.get("/supervision/report", params={"lang": "en"}, headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Generated (UTC)" in page and utcnow().strftime("%Y-%m-%d") in page
    assert "verified" in page and "acme-c" in page and "globex" not in page
    page = (await gql.client.get("/supervision/report", params={"lang": "zh-CN"},
                                 headers=auth)).text
    assert "监督报告" in page and "已验证" in page

    for path in ("/supervision/export.csv", "/supervision/report"):
        assert (await gql.client.get(path)).status_code == 401
        viewer = {"authorization": f"Bearer {acme.token('a-viewer')}"}
        assert (await gql.client.get(path, headers=viewer)).status_code == 403
        response = await gql.client.get(path, params={"rootId": globex.ids["globex"]},
                                        headers=auth)
        assert response.status_code == 403 and "globex" not in response.text


@pytest.mark.parametrize("root_kind", ["group", "subsidiary"])
async def test_root_id_narrows_to_a_subtree(platform, gql, root_kind):
    acme, _globex = await _groups(platform)
    root = acme.ids["acme"] if root_kind == "group" else acme.ids["acme-a"]
    body = await gql(OVERVIEW, {"root": root}, token=acme.token("admin"))
    expected = 4 if root_kind == "group" else 1
    assert len(body["data"]["supervisionOverview"]["edges"]) == expected
