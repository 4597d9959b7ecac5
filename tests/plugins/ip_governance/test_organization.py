"""The organization area: governing bodies and decisions, strategy, IP organization and
management systems; every check fires when its condition holds and stays quiet otherwise;
strategy approval per governance mode; validation errors store nothing; tenant boundary."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from ip_governance.organization import services as svc
from ip_governance.organization.checks import CHECKS
from ip_governance.organization.models import (
    GoverningBody,
    IpStrategy,
    ManagementSystem,
    OrgMember,
    RaciAssignment,
    StrategyObjective,
    TrainingSession,
)
from ipgov.db.base import utcnow
from ipgov.reviews.checks import CheckContext, NotAssessed, TenantView
from tests.conftest import make_group

P = "ip_governance.organization"


# ------------------------------------------------------------------------------ helpers


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme", "hybrid")


async def keys(platform, tenant_id: str, name: str, now=None) -> list[str]:
    """Run one check of this area against a tenant; the finding keys."""
    check = next(c for c in CHECKS if c.id == f"{P}.{name}")
    async with platform.db.tenant_session(tenant_id) as s:
        view = TenantView(id=tenant_id, slug="t", name="t", parent_id=None, root_id=tenant_id,
                          governance_mode="hybrid", parent_mode=None,
                          enabled_plugins=frozenset({"ip_governance"}))
        ctx = CheckContext(session=s, tenant=view, now=now or utcnow(), run_id="test")
        result = await check.run(ctx)
        return [] if isinstance(result, NotAssessed) else sorted(f.key for f in result)


async def within(platform, tenant_id: str, fn, *args, **kwargs) -> Any:
    """Call a service in a session of the tenant."""
    async with platform.db.tenant_session(tenant_id) as s:
        return await fn(s, tenant_id, *args, **kwargs)


async def count(platform, model, tenant_id: str) -> int:
    async with platform.db.system_session("test: count") as s:
        return (await s.execute(select(func.count(model.id)).where(
            model.tenant_id == tenant_id))).scalar_one()


async def strategy_with_objective(platform, tid: str, **objective) -> tuple[str, str]:
    strategy = await within(platform, tid, svc.create_strategy, title="IP strategy")
    fields = dict(title="Protect the roadmap", business_goal="Freedom to operate",
                  kpi="Filings", target_value=40.0, owner="IP manager",
                  starts_at=utcnow() - timedelta(days=10), ends_at=utcnow() + timedelta(days=700))
    fields.update(objective)
    o = await within(platform, tid, svc.add_objective, strategy_id=strategy.id, **fields)
    return strategy.id, o.id


# ------------------------------------------------------------------------ provisioning


async def test_provision_seeds_the_nine_management_systems(platform, acme):
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        kinds = sorted((await s.execute(select(ManagementSystem.kind))).scalars())
    assert kinds == sorted(svc.SYSTEM_KINDS)
    again = await within(platform, acme.ids["acme-a"], svc.ensure_management_systems)
    assert len(again) == 9 and await count(platform, ManagementSystem, acme.ids["acme-a"]) == 9


# ---------------------------------------------------------------------------- checks


async def test_governing_body_missing(platform, acme):
    tid = acme.ids["acme-a"]
    assert await keys(platform, tid, "governing_body_missing") == ["top_decision_maker"]
    await within(platform, tid, svc.create_body, name="Audit", kind="internal_supervision")
    assert await keys(platform, tid, "governing_body_missing") == ["top_decision_maker"]
    await within(platform, tid, svc.create_body, name="Board", kind="board")
    assert await keys(platform, tid, "governing_body_missing") == []


async def test_objective_incomplete(platform, acme):
    tid = acme.ids["acme-a"]
    _, complete = await strategy_with_objective(platform, tid)
    assert await keys(platform, tid, "objective_incomplete") == []
    strategy = await within(platform, tid, svc.create_strategy, title="Second")
    weak = await within(platform, tid, svc.add_objective, strategy_id=strategy.id,
                        title="Monetise", innovation_goal="Licensing")
    assert await keys(platform, tid, "objective_incomplete") == [weak.id]
    assert complete != weak.id


async def test_strategy_reassessment(platform, acme):
    tid = acme.ids["acme-a"]
    assert await keys(platform, tid, "strategy_reassessment") == ["missing"]
    strategy = await within(platform, tid, svc.create_strategy, title="S",
                            reassessment_cadence_days=180)
    assert await keys(platform, tid, "strategy_reassessment") == []
    later = utcnow() + timedelta(days=181)
    assert await keys(platform, tid, "strategy_reassessment", now=later) == [strategy.id]
    async with platform.db.tenant_session(tid) as s:  # drafted 200 days ago
        await s.execute(update(IpStrategy).values(created_at=utcnow() - timedelta(days=200)))
    assert await keys(platform, tid, "strategy_reassessment") == [strategy.id]
    await within(platform, tid, svc.update_strategy, strategy.id, reassessed_at=utcnow())
    assert await keys(platform, tid, "strategy_reassessment") == []


async def test_swot_missing(platform, acme):
    tid = acme.ids["acme-a"]
    strategy = await within(platform, tid, svc.create_strategy, title="S")
    assert await keys(platform, tid, "swot_missing") == [strategy.id]
    await within(platform, tid, svc.add_swot, strategy_id=strategy.id, category="threat",
                 text="Blocking patents")
    assert await keys(platform, tid, "swot_missing") == []


async def test_kpi_below_target_reads_the_latest_measurement(platform, acme):
    tid = acme.ids["acme-a"]
    _, up = await strategy_with_objective(platform, tid)
    _, down = await strategy_with_objective(platform, tid, kpi="Days to respond",
                                            target_value=10.0, higher_is_better=False)
    now = utcnow()
    await within(platform, tid, svc.record_measurement, objective_id=up,
                 value=50, measured_at=now - timedelta(days=30))
    await within(platform, tid, svc.record_measurement, objective_id=down, value=7,
                 measured_at=now - timedelta(days=30))
    assert await keys(platform, tid, "kpi_below_target") == []
    await within(platform, tid, svc.record_measurement, objective_id=up, value=31,
                 measured_at=now - timedelta(days=1))
    await within(platform, tid, svc.record_measurement, objective_id=down, value=12,
                 measured_at=now - timedelta(days=1))
    assert await keys(platform, tid, "kpi_below_target") == sorted([up, down])


async def test_organization_composition_one_finding_per_missing_type(platform, acme):
    tid = acme.ids["acme-a"]
    assert await keys(platform, tid, "organization_composition") == sorted(
        svc.REQUIRED_DEPARTMENTS)
    await within(platform, tid, svc.add_member, name="Auditor",
                 department_type="internal_supervision")
    ip = await within(platform, tid, svc.add_member, name="IP", department_type="ip_department")
    await within(platform, tid, svc.add_member, name="BU",
                 department_type="key_business_department")
    assert await keys(platform, tid, "organization_composition") == []
    await within(platform, tid, svc.set_member_active, ip.id, False)
    assert await keys(platform, tid, "organization_composition") == ["ip_department"]


async def test_training_stale(platform, acme):
    tid = acme.ids["acme-a"]
    assert await keys(platform, tid, "training_stale") == ["training"]
    await within(platform, tid, svc.record_training, topic="Trade secrets",
                 held_at=utcnow() - timedelta(days=400), attendees_count=20)
    assert await keys(platform, tid, "training_stale") == ["training"]
    await within(platform, tid, svc.record_training, topic="Patents",
                 held_at=utcnow() - timedelta(days=30))
    assert await keys(platform, tid, "training_stale") == []


async def test_monitoring_stale(platform, acme):
    tid = acme.ids["acme-a"]
    assert await keys(platform, tid, "monitoring_stale") == ["monitoring"]
    body = await within(platform, tid, svc.create_body, name="Internal audit",
                        kind="internal_supervision")
    await within(platform, tid, svc.record_monitoring, body_id=body.id, subject="Launches",
                 recorded_at=utcnow() - timedelta(days=200))
    assert await keys(platform, tid, "monitoring_stale") == ["monitoring"]
    await within(platform, tid, svc.record_monitoring, body_id=body.id, subject="Launches",
                 recorded_at=utcnow() - timedelta(days=10))
    assert await keys(platform, tid, "monitoring_stale") == []


async def test_absorption_moves_pdca_evidence_to_the_absorbing_system(platform, acme):
    from ip_governance.organization.models import ManagementSystem, PdcaCycle
    from ipgov.tenancy import mergers

    a, b = acme.ids["acme-a"], acme.ids["acme-b"]
    async with platform.db.tenant_session(b) as s:
        system = (await s.execute(select(ManagementSystem).where(
            ManagementSystem.kind == "quality"))).scalar_one()
    await within(platform, b, svc.start_cycle, system_id=system.id, title="2026 cycle")
    async with platform.db.system_session("test: absorb") as s:
        await mergers.absorb(platform, s, absorbing_id=a, absorbed_id=b, actor="test")
    async with platform.db.tenant_session(a) as s:
        ours = (await s.execute(select(ManagementSystem).where(
            ManagementSystem.kind == "quality"))).scalar_one()
        cycles = (await s.execute(select(PdcaCycle))).scalars().all()
    assert [c.system_id for c in cycles] == [ours.id]


async def test_raci_needs_exactly_one_accountable(platform, acme):
    tid = acme.ids["acme-a"]
    m1 = await within(platform, tid, svc.add_member, name="A", department_type="ip_department")
    m2 = await within(platform, tid, svc.add_member, name="B", department_type="legal")
    await within(platform, tid, svc.assign_raci, process="Filing", member_id=m1.id, role="R")
    assert await keys(platform, tid, "raci_accountable") == ["Filing"]
    await within(platform, tid, svc.assign_raci, process="Filing", member_id=m2.id, role="a")
    assert await keys(platform, tid, "raci_accountable") == []
    # the service refuses a second A; data imported around it is still caught
    async with platform.db.tenant_session(tid) as s:
        s.add(RaciAssignment(tenant_id=tid, process="Filing", member_id=m1.id, role="A"))
    assert await keys(platform, tid, "raci_accountable") == ["Filing"]


async def test_pdca_stale_needs_a_complete_cycle_within_cadence(platform, acme):
    tid = acme.ids["acme-a"]
    systems = {s.kind: s for s in await within(platform, tid, svc.ensure_management_systems)}
    assert len(await keys(platform, tid, "pdca_stale")) == 9
    now = utcnow()
    quality = await within(platform, tid, svc.start_cycle, system_id=systems["quality"].id,
                           title="Q", started_at=now - timedelta(days=100))
    risk = await within(platform, tid, svc.start_cycle, system_id=systems["risk"].id,
                        title="R", started_at=now - timedelta(days=100))
    for i, phase in enumerate(svc.PDCA_PHASES):
        await within(platform, tid, svc.record_phase, cycle_id=quality.id, phase=phase,
                     completed_at=now - timedelta(days=90 - 20 * i), evidence="minutes")
    await within(platform, tid, svc.record_phase, cycle_id=risk.id, phase="plan",
                 completed_at=now - timedelta(days=90))
    found = await keys(platform, tid, "pdca_stale")
    assert "quality" not in found and "risk" in found and len(found) == 8
    await within(platform, tid, svc.update_system, systems["quality"].id, cadence_days=30)
    assert "quality" in await keys(platform, tid, "pdca_stale")


async def test_judgement_low(platform, acme):
    tid = acme.ids["acme-a"]
    systems = {s.kind: s for s in await within(platform, tid, svc.ensure_management_systems)}
    good = {c: (4, "") for c in svc.CRITERIA}
    await within(platform, tid, svc.judge_system, system_id=systems["supplier"].id,
                 criteria={**good, "compliance": (2, "no supplier IP clauses")},
                 judged_at=utcnow() - timedelta(days=10))
    await within(platform, tid, svc.judge_system, system_id=systems["quality"].id,
                 criteria={**good, "consistency": (1, "")},
                 judged_at=utcnow() - timedelta(days=10))
    assert await keys(platform, tid, "judgement_low") == ["quality", "supplier"]
    await within(platform, tid, svc.judge_system, system_id=systems["quality"].id,
                 criteria=good)  # the latest judgement counts
    assert await keys(platform, tid, "judgement_low") == ["supplier"]


async def test_a_review_stores_this_areas_findings(platform, acme):
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.models import Finding

    tid = acme.ids["acme-b"]
    run = await run_inline(platform, tid, actor="test")
    async with platform.db.tenant_session(tid) as s:
        rows = list((await s.execute(select(Finding).where(Finding.run_id == run.id))).scalars())
    mine = {(f.check_id, f.key) for f in rows if f.check_id.startswith(P)}
    assert (f"{P}.governing_body_missing", "top_decision_maker") in mine
    assert (f"{P}.organization_composition", "ip_department") in mine
    assert (f"{P}.pdca_stale", "ip_asset") in mine
    cited = {f.seed_ref for f in rows if f.check_id.startswith(P)}  # the first reference
    assert {"IP-CSF GV.RR-01", "IP-CSF GV.RR-02", "IP-CSF MO.PF-02", "IP-CSF GV.ST-03",
            "IP-CSF PR.AT-01"} <= cited


def test_every_check_cites_a_framework_outcome_and_a_clause_and_has_a_chinese_title():
    assert len(CHECKS) == 11
    for check in CHECKS:
        assert check.id.startswith(f"{P}.") and check.title_zh and check.recommendation
        assert check.references[0].startswith("IP-CSF ")
        assert any(r.startswith("GB/T 29490-2023 ") for r in check.references)


# ------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("call", "field"), [
    (lambda s, t: svc.create_body(s, t, name="", kind="board"), "name"),
    (lambda s, t: svc.create_body(s, t, name="X", kind="council"), "kind"),
    (lambda s, t: svc.create_strategy(s, t, title="S", reassessment_cadence_days=0),
     "reassessmentCadenceDays"),
    (lambda s, t: svc.add_member(s, t, name="X", department_type="marketing"), "departmentType"),
    (lambda s, t: svc.record_training(s, t, topic="T", held_at=utcnow() + timedelta(days=9)),
     "heldAt"),
    (lambda s, t: svc.assign_raci(s, t, process="P", member_id="nope", role="A"), "memberId"),
    (lambda s, t: svc.assign_raci(s, t, process="P", member_id="nope", role="X"), "role"),
])
async def test_bad_input_names_the_field_and_stores_nothing(platform, acme, call, field):
    from ipgov.errors import DomainError

    tid = acme.ids["acme-a"]
    before = [await count(platform, m, tid) for m in (GoverningBody, IpStrategy, OrgMember,
                                                       TrainingSession, RaciAssignment)]
    with pytest.raises(DomainError) as err:
        async with platform.db.tenant_session(tid) as s:
            await call(s, tid)
    assert err.value.field == field
    after = [await count(platform, m, tid) for m in (GoverningBody, IpStrategy, OrgMember,
                                                      TrainingSession, RaciAssignment)]
    assert after == before


async def test_objective_and_pdca_rules(platform, acme):
    from ipgov.errors import DomainError

    tid = acme.ids["acme-a"]
    strategy = await within(platform, tid, svc.create_strategy, title="S")
    now = utcnow()
    cases = [
        (dict(title="O"), "businessGoal"),
        (dict(title="O", business_goal="B", target_value=5.0), "kpi"),
        (dict(title="O", business_goal="B", starts_at=now, ends_at=now - timedelta(days=1)),
         "endsAt"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as err:
            await within(platform, tid, svc.add_objective, strategy_id=strategy.id, **kwargs)
        assert err.value.field == field
    assert await count(platform, StrategyObjective, tid) == 0
    system = (await within(platform, tid, svc.ensure_management_systems))[0]
    cycle = await within(platform, tid, svc.start_cycle, system_id=system.id, title="C")
    with pytest.raises(DomainError) as err:
        await within(platform, tid, svc.record_phase, cycle_id=cycle.id, phase="check")
    assert err.value.field == "phase"
    with pytest.raises(DomainError) as err:
        await within(platform, tid, svc.judge_system, system_id=system.id,
                     criteria={"completeness": (4, "")})
    assert err.value.field == "criteria"


# -------------------------------------------------------------------------- GraphQL


BODY = """mutation($t: ID!, $i: GoverningBodyInput!) { createGoverningBody(tenantId: $t,
  input: $i) { body { id kind } errors { code field message } } }"""


async def test_graphql_governance_edm_happy_path_and_pagination(gql, acme):
    tid, token = acme.ids["acme-a"], acme.token("a-admin")
    body = (await gql(BODY, {"t": tid, "i": {"name": "Board", "kind": "board"}}, token))
    body_id = body["data"]["createGoverningBody"]["body"]["id"]
    ops = [
        ("recordGovernanceEvaluation", "GovernanceEvaluationInput", "evaluation",
         {"bodyId": body_id, "subject": "IP plan", "rating": 4}),
        ("issueGovernanceDirective", "GovernanceDirectiveInput", "directive",
         {"bodyId": body_id, "title": "Build a patent database", "owner": "IP"}),
        ("recordMonitoring", "MonitoringRecordInput", "record",
         {"bodyId": body_id, "subject": "Launch FTO", "status": "attention"}),
    ]
    for name, input_type, field, value in ops:
        q = (f"mutation($t: ID!, $i: {input_type}!) {{ {name}(tenantId: $t, input: $i) "
             f"{{ {field} {{ id }} errors {{ code field }} }} }}")
        out = await gql(q, {"t": tid, "i": value}, token)
        assert out["data"][name]["errors"] == [] and out["data"][name][field]["id"], out
    bad = await gql(BODY, {"t": tid, "i": {"name": "X", "kind": "senate"}}, token)
    assert bad["data"]["createGoverningBody"] == {
        "body": None, "errors": [{"code": "NOT_ALLOWED", "field": "kind",
                                  "message": bad["data"]["createGoverningBody"]["errors"][0][
                                      "message"]}]}
    for i in range(2):
        await gql(BODY, {"t": tid, "i": {"name": f"Committee {i}", "kind": "ip_committee"}},
                  token)
    page = """query($t: ID!, $a: String) { governingBodies(tenantId: $t, first: 2, after: $a) {
      edges { node { id name } } pageInfo { hasNextPage endCursor } } }"""
    first = (await gql(page, {"t": tid}, token))["data"]["governingBodies"]
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    rest = (await gql(page, {"t": tid, "a": first["pageInfo"]["endCursor"]}, token))
    assert len(rest["data"]["governingBodies"]["edges"]) == 1
    too_big = await gql("query($t: ID!) { governingBodies(tenantId: $t, first: 100000) "
                        "{ edges { cursor } } }", {"t": tid}, token)
    assert too_big["errors"][0]["extensions"]["code"] == "PAGE_SIZE"


async def test_graphql_strategy_organization_and_systems(gql, acme):
    tid, token = acme.ids["acme-a"], acme.token("a-admin")
    s = await gql("""mutation($t: ID!) { createIpStrategy(tenantId: $t, input: {title: "S",
      reassessmentCadenceDays: 180}) { strategy { id status reassessmentCadenceDays } } }""",
                  {"t": tid}, token)
    sid = s["data"]["createIpStrategy"]["strategy"]["id"]
    o = await gql("""mutation($t: ID!, $s: ID!) { addStrategyObjective(tenantId: $t, input: {
      strategyId: $s, title: "O", businessGoal: "B", kpi: "Filings", targetValue: 40,
      owner: "IP"}) { objective { id kpi targetValue } errors { field } } }""",
                  {"t": tid, "s": sid}, token)
    oid = o["data"]["addStrategyObjective"]["objective"]["id"]
    m = await gql("""mutation($t: ID!, $o: ID!) { recordKpiMeasurement(tenantId: $t, input: {
      objectiveId: $o, value: 12.5}) { measurement { value } } }""", {"t": tid, "o": oid}, token)
    assert m["data"]["recordKpiMeasurement"]["measurement"]["value"] == 12.5
    w = await gql("""mutation($t: ID!, $s: ID!) { addSwotEntry(tenantId: $t, input: {
      strategyId: $s, category: "luck", text: "x"}) { entry { id } errors { field } } }""",
                  {"t": tid, "s": sid}, token)
    assert w["data"]["addSwotEntry"] == {"entry": None, "errors": [{"field": "category"}]}
    mem = await gql("""mutation($t: ID!) { addIpOrgMember(tenantId: $t, input: {name: "Li",
      departmentType: "ip_department"}) { member { id } } }""", {"t": tid}, token)
    mid = mem["data"]["addIpOrgMember"]["member"]["id"]
    raci = """mutation($t: ID!, $m: ID!) { assignRaci(tenantId: $t, input: {process: "Filing",
      memberId: $m, role: "A"}) { assignment { id role } errors { code field } } }"""
    assert (await gql(raci, {"t": tid, "m": mid}, token))["data"]["assignRaci"]["errors"] == []
    twice = await gql(raci, {"t": tid, "m": mid}, token)
    assert twice["data"]["assignRaci"]["errors"][0]["field"] == "role"
    t = await gql("""mutation($t: ID!, $m: ID!) { recordTraining(tenantId: $t, input: {
      topic: "Patents", attendeesCount: 5, attendeeMemberIds: [$m]}) { training {
      attendeesCount attendeeMemberIds } } }""", {"t": tid, "m": mid}, token)
    assert t["data"]["recordTraining"]["training"] == {"attendeesCount": 5,
                                                       "attendeeMemberIds": [mid]}
    systems = await gql("""query($t: ID!) { managementSystems(tenantId: $t) { edges { node {
      id kind cadenceDays lastCompletedCycleAt } } } }""", {"t": tid}, token)
    nodes = [e["node"] for e in systems["data"]["managementSystems"]["edges"]]
    assert len(nodes) == 9 and all(n["lastCompletedCycleAt"] is None for n in nodes)
    quality = next(n["id"] for n in nodes if n["kind"] == "quality")
    c = await gql("""mutation($t: ID!, $s: ID!) { startPdcaCycle(tenantId: $t, input: {
      systemId: $s, title: "2025"}) { cycle { id } } }""", {"t": tid, "s": quality}, token)
    cid = c["data"]["startPdcaCycle"]["cycle"]["id"]
    phase = """mutation($t: ID!, $c: ID!, $p: String!) { recordPdcaPhase(tenantId: $t, input: {
      cycleId: $c, phase: $p, evidence: "minutes", links: ["https://x.example/a"]}) {
      cycle { complete phases { phase links } } errors { field } } }"""
    for p in svc.PDCA_PHASES:
        out = await gql(phase, {"t": tid, "c": cid, "p": p}, token)
    assert out["data"]["recordPdcaPhase"]["cycle"]["complete"] is True
    judged = await gql("""mutation($t: ID!, $s: ID!) { judgeManagementSystem(tenantId: $t,
      input: {systemId: $s, criteria: [{criterion: "completeness", score: 9}]}) {
      judgement { id } errors { field } } }""", {"t": tid, "s": quality}, token)
    assert judged["data"]["judgeManagementSystem"]["errors"][0]["field"] in {
        "criteria", "criteria.completeness"}
    cad = await gql("""mutation($t: ID!, $s: ID!) { updateManagementSystem(tenantId: $t,
      id: $s, input: {cadenceDays: 90}) { system { cadenceDays lastCompletedCycleAt } } }""",
                    {"t": tid, "s": quality}, token)
    system = cad["data"]["updateManagementSystem"]["system"]
    assert system["cadenceDays"] == 90 and system["lastCompletedCycleAt"]


# ----------------------------------------------------- strategy approval per mode


SUBMIT = """mutation($t: ID!, $id: ID!) { submitIpStrategyForApproval(tenantId: $t, id: $id) {
  strategy { status } decision { id decidingTenantId escalationId status }
  errors { code field } } }"""
DECIDE = """mutation($t: ID!, $f: ID!, $d: ID!, $b: ID!, $ok: Boolean!) {
  recordGovernanceDecision(tenantId: $t, fromTenantId: $f, decisionId: $d, bodyId: $b,
  approve: $ok, note: "fits the group strategy") { decision { status bodyId decidedBy }
  errors { code field } } }"""


async def _submit(platform, gql, group, sub: str, token: str) -> dict:
    tid = group.ids[sub]
    sid, _ = await strategy_with_objective(platform, tid)
    out = await gql(SUBMIT, {"t": tid, "id": sid}, token)
    assert out["data"]["submitIpStrategyForApproval"]["errors"] == [], out
    return {"sid": sid, **out["data"]["submitIpStrategyForApproval"]["decision"]}


@pytest.mark.parametrize("mode", ["hybrid", "centralized"])
async def test_strategy_approval_escalates_to_the_group(platform, gql, mode):
    from ipgov.tenancy.models import Escalation

    group = await make_group(platform, "acme", mode)
    sub, root = group.ids["acme-a"], group.ids["acme"]
    decision = await _submit(platform, gql, group, "acme-a", group.token("a-admin"))
    assert decision["decidingTenantId"] == root and decision["escalationId"]
    audit = await within(platform, root, svc.create_body, name="Audit",
                         kind="internal_supervision")
    board = await within(platform, root, svc.create_body, name="Board", kind="board")
    awaiting = await gql("""query($t: ID!) { governanceDecisionsAwaiting(tenantId: $t) {
      edges { node { id tenantId } } } }""", {"t": root}, group.token("admin"))
    assert [e["node"]["id"] for e in awaiting["data"]["governanceDecisionsAwaiting"][
        "edges"]] == [decision["id"]]
    # the subsidiary may not decide its own reserved decision
    own = await gql(DECIDE, {"t": sub, "f": sub, "d": decision["id"], "b": board.id,
                             "ok": True}, group.token("a-admin"))
    assert own["data"]["recordGovernanceDecision"]["errors"][0]["field"] == "decisionId"
    wrong_body = await gql(DECIDE, {"t": root, "f": sub, "d": decision["id"], "b": audit.id,
                                    "ok": True}, group.token("admin"))
    assert wrong_body["data"]["recordGovernanceDecision"]["errors"][0]["field"] == "bodyId"
    done = await gql(DECIDE, {"t": root, "f": sub, "d": decision["id"], "b": board.id,
                              "ok": True}, group.token("admin"))
    assert done["data"]["recordGovernanceDecision"]["decision"]["status"] == "approved"
    async with platform.db.system_session("test: read") as s:
        esc = await s.get(Escalation, decision["escalationId"])
        strategy = await s.get(IpStrategy, decision["sid"])
    assert esc.status == "approved" and esc.tenant_id == root
    assert strategy.status == "approved" and strategy.last_reassessed_at is not None
    again = await gql(DECIDE, {"t": root, "f": sub, "d": decision["id"], "b": board.id,
                               "ok": False}, group.token("admin"))
    assert again["data"]["recordGovernanceDecision"]["errors"][0]["code"] == "ALREADY_DECIDED"


async def test_strategy_approval_stays_local_when_decentralized(platform, gql):
    group = await make_group(platform, "acme", "decentralized")
    sub = group.ids["acme-a"]
    decision = await _submit(platform, gql, group, "acme-a", group.token("a-admin"))
    assert decision["decidingTenantId"] == sub and decision["escalationId"] is None
    board = await within(platform, sub, svc.create_body, name="Board", kind="board")
    done = await gql(DECIDE, {"t": sub, "f": sub, "d": decision["id"], "b": board.id,
                              "ok": False}, group.token("a-admin"))
    assert done["data"]["recordGovernanceDecision"]["decision"]["status"] == "rejected"
    async with platform.db.tenant_session(sub) as s:
        assert (await s.get(IpStrategy, decision["sid"])).status == "rejected"


async def test_a_group_decides_its_own_strategy(platform, gql, acme):
    decision = await _submit(platform, gql, acme, "acme", acme.token("admin"))
    assert decision["decidingTenantId"] == acme.ids["acme"]
    assert decision["escalationId"] is None


async def test_submitting_needs_an_objective_and_not_twice(platform, gql, acme):
    tid, token = acme.ids["acme-a"], acme.token("a-admin")
    empty = await within(platform, tid, svc.create_strategy, title="Empty")
    out = await gql(SUBMIT, {"t": tid, "id": empty.id}, token)
    assert out["data"]["submitIpStrategyForApproval"]["errors"][0]["field"] == "id"
    decision = await _submit(platform, gql, acme, "acme-a", token)
    twice = await gql(SUBMIT, {"t": tid, "id": decision["sid"]}, token)
    assert twice["data"]["submitIpStrategyForApproval"]["errors"][0]["code"] == \
        "ALREADY_PENDING"


# -------------------------------------------------------------------- tenant boundary


async def test_a_tenant_cannot_reach_another_tenants_objects(platform, gql, acme):
    a, b = acme.ids["acme-a"], acme.ids["acme-b"]
    b_body = await within(platform, b, svc.create_body, name="B board", kind="board")
    b_directive = await within(platform, b, svc.issue_directive, body_id=b_body.id, title="T")
    token = acme.token("a-admin")
    read = await gql("""query($t: ID!) { governingBodies(tenantId: $t) { edges { node { id } }
      } }""", {"t": b}, token)
    assert read["errors"][0]["extensions"]["code"] == "FORBIDDEN" and read["data"] is None
    write = await gql(BODY, {"t": b, "i": {"name": "X", "kind": "board"}}, token)
    assert write["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # B's ids used through A's own tenant find nothing and change nothing
    steal = await gql("""mutation($t: ID!, $id: ID!) { setGovernanceDirectiveStatus(tenantId: $t,
      id: $id, status: "done") { directive { id } errors { code field } } }""",
                      {"t": a, "id": b_directive.id}, token)
    assert steal["data"]["setGovernanceDirectiveStatus"]["errors"][0]["code"] == "NOT_FOUND"
    evaluation = await gql("""mutation($t: ID!, $b: ID!) { recordGovernanceEvaluation(
      tenantId: $t, input: {bodyId: $b, subject: "x"}) { evaluation { id } errors { field } }
      }""", {"t": a, "b": b_body.id}, token)
    assert evaluation["data"]["recordGovernanceEvaluation"]["errors"] == [{"field": "bodyId"}]
    async with platform.db.tenant_session(b) as s:
        from ip_governance.organization.models import GovernanceDirective

        assert (await s.get(GovernanceDirective, b_directive.id)).status == "open"
    # a viewer reads but does not write
    viewer = acme.token("a-viewer")
    assert "errors" not in await gql("""query($t: ID!) { ipStrategies(tenantId: $t) {
      edges { node { id } } } }""", {"t": a}, viewer)
    denied = await gql(BODY, {"t": a, "i": {"name": "X", "kind": "board"}}, viewer)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_subsidiary_cannot_decide_for_a_sibling(platform, gql, acme):
    decision = await _submit(platform, gql, acme, "acme-b", acme.token("b-admin"))
    a = acme.ids["acme-a"]
    board = await within(platform, a, svc.create_body, name="Board", kind="board")
    out = await gql(DECIDE, {"t": a, "f": acme.ids["acme-b"], "d": decision["id"],
                             "b": board.id, "ok": True}, acme.token("a-admin"))
    assert out["data"]["recordGovernanceDecision"]["errors"][0]["code"] == "NOT_FOUND"
    awaiting = await gql("""query($t: ID!) { governanceDecisionsAwaiting(tenantId: $t) {
      edges { node { id } } } }""", {"t": a}, acme.token("a-admin"))
    assert awaiting["data"]["governanceDecisionsAwaiting"]["edges"] == []


async def test_decisions_awaiting_a_tenant_show_nothing_of_another_group(platform, gql,
                                                                         monkeypatch):
    from ip_governance.organization.models import GovernanceDecision

    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex")
    root = acme.ids["acme"]
    mine = await _submit(platform, gql, acme, "acme-a", acme.token("a-admin"))
    async with platform.db.tenant_session(globex.ids["globex-a"]) as s:  # a row of another
        s.add(GovernanceDecision(decision_type="strategy_approval", subject="x",  # group that
                                 deciding_tenant_id=root, requested_by="test"))  # names acme

    def refused(reason: str) -> Any:
        raise AssertionError(f"an unfiltered system session was opened: {reason}")

    monkeypatch.setattr(platform.db, "system_session", refused)
    awaiting = await gql("""query($t: ID!) { governanceDecisionsAwaiting(tenantId: $t) {
      edges { node { id tenantId } } } }""", {"t": root}, acme.token("admin"))
    nodes = [e["node"] for e in awaiting["data"]["governanceDecisionsAwaiting"]["edges"]]
    assert [n["id"] for n in nodes] == [mine["id"]]
    assert {n["tenantId"] for n in nodes} <= set(acme.ids.values())
    other = await gql("""query($t: ID!) { governanceDecisionsAwaiting(tenantId: $t) {
      edges { node { id } } } }""", {"t": globex.ids["globex"]}, globex.token("admin"))
    assert other["data"]["governanceDecisionsAwaiting"]["edges"] == []


# ------------------------------------------------------------------------------ demo


async def test_demo_makes_every_check_fire_somewhere_and_pass_somewhere(platform):
    from ip_governance.organization.demo import SCENARIOS, demo
    from ipgov.api import DemoContext
    from ipgov.tenancy import services as tenancy

    ids: dict[str, str] = {}
    async with platform.db.system_session("test: demo tenants") as s:
        root = await tenancy.create_group(platform, s, slug="hanwei-group", name="Hanwei",
                                          actor="test")
        ids["hanwei-group"] = root.id
        parents = {"hanwei-cloud": "hanwei-software", "hanwei-europe": "hanwei-industrial"}
        for slug in SCENARIOS:
            if slug != "hanwei-group":
                t = await tenancy.onboard_subsidiary(
                    platform, s, parent_id=ids[parents.get(slug, "hanwei-group")], slug=slug,
                    name=slug, actor="test")
                ids[slug] = t.id
    await platform.authz.refresh()
    async with platform.db.system_session("test: demo data") as s:
        await demo(DemoContext(session=s, tenants=ids, users={}))
    fired: dict[str, set[str]] = {c.id: set() for c in CHECKS}
    for slug, tid in ids.items():
        for check in CHECKS:
            if await keys(platform, tid, check.id.rsplit(".", 1)[1]):
                fired[check.id].add(slug)
    for check_id, slugs in fired.items():
        assert slugs, f"{check_id} fires nowhere"
        assert slugs != set(ids), f"{check_id} fires everywhere"
        assert "hanwei-group" not in slugs, check_id
    async with platform.db.system_session("test: demo rows") as s:
        stamped = (await s.execute(select(func.count(GoverningBody.id)).where(
            GoverningBody.tenant_id.in_(list(ids.values()))))).scalar_one()
    assert stamped >= 2 * len(ids)
