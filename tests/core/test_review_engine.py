"""The review engine: findings and scores, failures, at-least-once execution, directives,
escalation per governance mode, group reviews, events, schedules, recovery, tenant boundary."""

from __future__ import annotations

import asyncio
import types
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from ipgov.api import Check, PluginInfo, hookimpl
from ipgov.db.base import utcnow
from ipgov.reviews import runner
from ipgov.reviews.checks import Function, GovernanceDomain, Severity
from ipgov.reviews.directives import DEFAULT_DUE_DAYS, aware
from ipgov.reviews.models import CheckResult, Directive, Finding, ReviewRun, ReviewSchedule
from ipgov.reviews.scoring import WEIGHT
from ipgov.runtime import platform_var
from ipgov.work import Claim, claim
from tests.conftest import make_group

P = "probe"  # the fake plugin's name; its checks are "probe.<x>"


# ------------------------------------------------------------------------------ helpers


def _plugin(name: str, **hooks: Any) -> types.ModuleType:
    module = types.ModuleType(f"{name}_hooks")
    module.PLUGIN_INFO = PluginInfo(name=name, version="1", api_version=1)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(fn))
    return module


def install_checks(platform, checks: list[Check], name: str = P) -> None:
    def register_checks():
        return checks

    platform.registry.register(_plugin(name, register_checks=register_checks))


async def enable(platform, tenant_id: str, *names: str) -> None:
    from ipgov.authz import store
    from ipgov.tenancy.models import Tenant

    async with platform.db.system_session("test: enable plugins") as s:
        tenant = await s.get(Tenant, tenant_id)
        tenant.enabled_plugins = sorted(names)  # exactly these: deterministic catalogs
        await store.record_tree_change(s, tenant_id)
    await platform.authz.refresh()


class Probe:
    """A controllable check: reports one finding per key in ``keys``; counts its calls."""

    def __init__(self, cid: str, *, function=Function.PROTECT,
                 domain=GovernanceDomain.MANAGEMENT_SYSTEMS, severity=Severity.MEDIUM,
                 keys: list[str] | None = None, seed_ref: str = "6.1 a") -> None:
        self.keys: list[str | tuple[str, Severity]] = list(keys or [])
        self.calls: list[str] = []
        self.fail: str | None = None
        self.check = Check(id=f"{P}.{cid}", title=f"Probe {cid}", domain=domain,
                           function=function, severity=severity, run=self.run,
                           seed_ref=seed_ref, recommendation=f"Fix {cid}")

    async def run(self, ctx):
        self.calls.append(ctx.run_id)
        if self.fail:
            raise ValueError(self.fail)
        out = []
        for k in self.keys:
            key, sev = (k, None) if isinstance(k, str) else k
            out.append(ctx.finding(key, f"found {key}", severity=sev,
                                   evidence={"tenant": ctx.tenant_id}))
        return out


async def request(platform, tenant_id: str) -> str:
    """A queued run (no queue attached: the row is the record)."""
    from ipgov.reviews.service import request_review

    run = await request_review(platform, tenant_id=tenant_id, actor="test")
    return run.id


async def review(platform, tenant_id: str) -> ReviewRun:
    from ipgov.reviews.inline import run_inline

    return await run_inline(platform, tenant_id, actor="test")


async def rows(platform, model, *where) -> list:
    async with platform.db.system_session("test: read") as s:
        return list((await s.execute(select(model).where(*where))).scalars())


async def get_run(platform, run_id: str) -> ReviewRun:
    return (await rows(platform, ReviewRun, ReviewRun.id == run_id))[0]


async def audit_actions(platform, tenant_id: str, action: str, object_id: str) -> int:
    from ipgov.audit.models import AuditEvent

    async with platform.db.system_session("test: audit") as s:
        return (await s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.tenant_id == tenant_id, AuditEvent.action == action,
            AuditEvent.object_id == object_id))).scalar()


def near(moment, expected, slack=timedelta(minutes=2)) -> bool:
    return abs(aware(moment) - expected) < slack


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme", "hybrid")


# ------------------------------------------------------------------ findings and scores


async def test_findings_are_classified_and_scored_per_function_and_domain(platform, acme):
    tid = acme.ids["acme-a"]
    protect = Probe("protect", keys=["k1", ("k2", Severity.LOW)])
    respond = Probe("respond", function=Function.RESPOND, domain=GovernanceDomain.RESOURCES,
                    severity=Severity.HIGH, keys=["k3"], seed_ref="8.2")
    install_checks(platform, [protect.check, respond.check])
    await enable(platform, tid, P)

    run = await review(platform, tid)

    assert run.status == "succeeded" and run.checks_total == run.checks_done == 4
    found = {(f.check_id, f.key): f for f in await rows(platform, Finding,
                                                           Finding.run_id == run.id)}
    assert set(found) == {("probe.protect", "k1"), ("probe.protect", "k2"),
                          ("probe.respond", "k3")}
    k1, k2, k3 = found["probe.protect", "k1"], found["probe.protect", "k2"], \
        found["probe.respond", "k3"]
    assert (k1.domain, k1.function, k1.severity, k1.seed_ref) == (
        "management_systems", "protect", "medium", "6.1 a")
    assert k2.severity == "low"  # a finding may override the check's default severity
    assert (k3.domain, k3.function, k3.severity, k3.seed_ref) == (
        "resources", "respond", "high", "8.2")
    assert k1.tenant_id == tid and k1.recommendation == "Fix protect"
    assert k1.evidence == {"tenant": tid}
    # a dimension scores the severity-weighted share of its assessed checks that hold: both
    # core checks (govern) hold, each probe found something
    assert run.scores["functions"] == {"govern": 100.0, "protect": 0.0, "respond": 0.0}
    # core.audit_trail_intact (resources, critical) held, probe.respond (resources, high) not
    resources = round(100 * WEIGHT["critical"] / (WEIGHT["critical"] + WEIGHT["high"]), 1)
    assert run.scores["domains"] == {"top_level_design": 100.0, "management_systems": 0.0,
                                     "resources": resources}
    assert run.scores["overall"] == round(100 / 3, 1)
    assert run.scores["coverage"]["functions"]["govern"] == {
        "assessed": 2, "applicable": 2, "passed": 2, "not_assessed": 0, "errors": 0}
    assert run.scores["coverage"]["overall"]["assessed"] == 4
    results = {r.check_id: r for r in await rows(platform, CheckResult,
                                                 CheckResult.run_id == run.id)}
    protect_result, core_result = results["probe.protect"], results["core.audit_trail_intact"]
    assert protect_result.status == "findings" and protect_result.findings == 2
    assert core_result.status == "passed"
    assert protect_result.plugin == P and core_result.plugin == "core"


async def test_plugin_checks_run_only_where_the_plugin_is_enabled(platform, acme):
    probe = Probe("protect", keys=["k1"])
    install_checks(platform, [probe.check])
    await enable(platform, acme.ids["acme-a"], P)
    await enable(platform, acme.ids["acme-b"])  # no plugin at all

    other = await review(platform, acme.ids["acme-b"])

    assert probe.calls == []
    results = await rows(platform, CheckResult, CheckResult.run_id == other.id)
    assert sorted(r.check_id for r in results) == ["core.administrator_appointed",
                                                   "core.audit_trail_intact"]
    assert other.checks_total == 2 and "protect" not in other.scores["functions"]


async def test_a_failing_check_is_recorded_and_the_others_still_run(platform, acme):
    tid = acme.ids["acme-a"]
    broken = Probe("broken", function=Function.RESPOND, keys=["never"])
    broken.fail = "boom"
    fine = Probe("fine", keys=["k1"])
    install_checks(platform, [broken.check, fine.check])
    await enable(platform, tid, P)

    run = await review(platform, tid)

    assert run.status == "partial"
    assert "probe.broken" in run.error
    results = {r.check_id: r for r in await rows(platform, CheckResult,
                                                 CheckResult.run_id == run.id)}
    assert set(results) == {"core.administrator_appointed", "core.audit_trail_intact",
                            "probe.broken", "probe.fine"}
    assert results["probe.broken"].status == "error"
    assert results["probe.broken"].error == "ValueError: boom"
    assert results["probe.fine"].status == "findings" and fine.calls == [run.id]
    findings = await rows(platform, Finding, Finding.run_id == run.id)
    assert [(f.check_id, f.key) for f in findings] == [("probe.fine", "k1")]
    assert "respond" not in run.scores["functions"]  # a failed check assesses nothing


# --------------------------------------------------------------- at-least-once delivery


async def _counts(platform, run_id: str) -> tuple[int, int, list[str]]:
    findings = await rows(platform, Finding, Finding.run_id == run_id)
    results = await rows(platform, CheckResult, CheckResult.run_id == run_id)
    return len(findings), len(results), sorted(r.check_id for r in results)


async def test_executing_the_same_message_twice_does_the_work_once(platform, acme):
    tid = acme.ids["acme-a"]
    probe = Probe("protect", keys=["k1", "k2"])
    install_checks(platform, [probe.check])
    await enable(platform, tid, P)
    run_id = await request(platform, tid)

    assert await runner.execute_run(platform, run_id, tid) == "succeeded"
    first = await _counts(platform, run_id)
    assert await runner.execute_run(platform, run_id, tid) == "not-claimed"

    assert await _counts(platform, run_id) == first == (2, 3, sorted(
        ["core.administrator_appointed", "core.audit_trail_intact", "probe.protect"]))
    assert probe.calls == [run_id]
    run = await get_run(platform, run_id)
    assert run.status == "succeeded" and run.attempts == 1
    assert await audit_actions(platform, tid, "review.succeeded", run_id) == 1


async def test_a_crashed_worker_is_resumed_without_duplicates(platform, acme):
    from ipgov.reviews.catalog import checks_for

    tid = acme.ids["acme-a"]
    probes = [Probe(f"p{i}", keys=[f"k{i}"]) for i in range(4)]
    install_checks(platform, [p.check for p in probes])
    await enable(platform, tid, P)
    run_id = await request(platform, tid)

    held = await claim(platform, "review", run_id, tid)
    assert held is not None
    assert await claim(platform, "review", run_id, tid) is None  # leased: nobody else takes it
    view = await runner.tenant_view(platform, tid)
    checks = checks_for(platform, view.enabled_plugins)
    assert len(checks) == 6
    token = platform_var.set(platform)  # as execute_run does
    try:
        for plugin, check in checks[:3]:  # the worker dies after three checks
            await runner._run_check(platform, held, view, plugin, check)
    finally:
        platform_var.reset(token)
    async def expire() -> None:
        async with platform.db.system_session("test: lease expires") as s:
            await s.execute(update(ReviewRun).where(ReviewRun.id == run_id)
                            .values(lease_until=utcnow() - timedelta(seconds=1)))

    from ipgov.reviews.finalize import finalize

    await expire()
    other = await claim(platform, "review", run_id, tid)  # another worker takes over ...
    assert other is not None and other.token != held.token
    assert await finalize(platform, held) == "lost-claim"  # ... so the stale one cannot close
    stale = await get_run(platform, run_id)
    assert stale.status == "running" and stale.finished_at is None
    assert stale.claim_token == other.token
    await expire()  # ... and that worker dies too

    assert await runner.execute_run(platform, run_id, tid) == "succeeded"
    assert await runner.execute_run(platform, run_id, tid) == "not-claimed"

    findings, results, ids = await _counts(platform, run_id)
    assert (findings, results) == (4, 6) and ids == sorted(c.id for _p, c in checks)
    assert all(len(p.calls) == 1 for p in probes), [p.calls for p in probes]
    run = await get_run(platform, run_id)
    assert run.status == "succeeded" and run.attempts == 3
    assert run.checks_done == run.checks_total == 6
    assert await audit_actions(platform, tid, "review.succeeded", run_id) == 1
    assert len(await rows(platform, Directive, Directive.tenant_id == tid)) == 4
    # neither stale claim can finalise again
    assert await finalize(platform, held) == "lost-claim"
    assert await finalize(platform, other) == "lost-claim"
    assert (await get_run(platform, run_id)).finished_at == run.finished_at


async def test_two_concurrent_executions_produce_one_set_of_findings(platform, acme):
    tid = acme.ids["acme-a"]
    probe = Probe("protect", keys=["k1", "k2", "k3"])
    install_checks(platform, [probe.check])
    await enable(platform, tid, P)
    run_id = await request(platform, tid)

    outcomes = await asyncio.gather(runner.execute_run(platform, run_id, tid),
                                    runner.execute_run(platform, run_id, tid))

    assert sorted(outcomes) == ["not-claimed", "succeeded"]
    assert await _counts(platform, run_id) == (3, 3, sorted(
        ["core.administrator_appointed", "core.audit_trail_intact", "probe.protect"]))
    assert len(probe.calls) == 1
    assert await audit_actions(platform, tid, "review.succeeded", run_id) == 1


async def test_a_worker_whose_claim_was_taken_over_cannot_finalise(platform, acme):
    tid = acme.ids["acme-a"]
    taken: list[Claim] = []

    async def takeover(ctx):
        # while the first worker runs this check its lease expires and another worker claims
        if not taken:
            async with platform.db.system_session("test: lease expires") as s:
                await s.execute(update(ReviewRun).where(ReviewRun.id == ctx.run_id)
                                .values(lease_until=utcnow() - timedelta(seconds=1)))
            taken.append(await claim(platform, "review", ctx.run_id, tid))
        return [ctx.finding("k1", "found k1")]

    check = Check(id=f"{P}.slow", title="slow", domain=GovernanceDomain.RESOURCES,
                  function=Function.OPERATE, severity=Severity.LOW, run=takeover)
    install_checks(platform, [check])
    await enable(platform, tid, P)
    run_id = await request(platform, tid)

    assert await runner.execute_run(platform, run_id, tid) == "lost-claim"

    assert taken and taken[0] is not None
    run = await get_run(platform, run_id)
    assert run.status == "running" and run.claim_token == taken[0].token
    assert run.finished_at is None
    stale = await rows(platform, CheckResult, CheckResult.run_id == run_id,
                       CheckResult.check_id == check.id)
    assert stale == []  # the stale worker's findings were not recorded
    assert await rows(platform, Finding, Finding.run_id == run_id) == []
    # the worker that took over completes the run once
    async with platform.db.system_session("test: lease expires") as s:
        await s.execute(update(ReviewRun).where(ReviewRun.id == run_id)
                        .values(lease_until=utcnow() - timedelta(seconds=1)))
    assert await runner.execute_run(platform, run_id, tid) == "succeeded"
    assert len(await rows(platform, Finding, Finding.run_id == run_id)) == 1
    from ipgov.reviews.finalize import finalize

    assert await finalize(platform, taken[0]) == "lost-claim"


# ----------------------------------------------------------------------------- directives


async def _directive(platform, tid: str, key: str) -> Directive:
    found = await rows(platform, Directive, Directive.tenant_id == tid,
                       Directive.finding_key == key)
    assert len(found) == 1, found
    return found[0]


async def test_directives_open_close_and_reopen_with_the_condition(platform, acme, gql):
    tid = acme.ids["acme-a"]
    probe = Probe("protect", keys=["k1", ("k2", Severity.LOW)])
    install_checks(platform, [probe.check])
    await enable(platform, tid, P)

    first = await review(platform, tid)
    d1, d2 = await _directive(platform, tid, "k1"), await _directive(platform, tid, "k2")
    assert d1.status == "open" and d1.opened_run_id == first.id
    assert near(d1.due_at, utcnow() + timedelta(days=DEFAULT_DUE_DAYS["medium"]))
    assert near(d2.due_at, utcnow() + timedelta(days=DEFAULT_DUE_DAYS["low"]))
    assert (d1.function, d1.domain, d1.severity, d1.action) == (
        "protect", "management_systems", "medium", "Fix protect")

    second = await review(platform, tid)  # still there: same directive, no duplicate
    d1 = await _directive(platform, tid, "k1")
    assert d1.status == "open" and d1.last_seen_run_id == second.id
    assert d1.opened_run_id == first.id

    probe.fail = "down"  # a check that failed says nothing: its directives stay open
    await review(platform, tid)
    assert (await _directive(platform, tid, "k1")).status == "open"
    probe.fail = None

    probe.keys = [("k2", Severity.LOW)]  # k1's condition is gone
    gone = await review(platform, tid)
    d1 = await _directive(platform, tid, "k1")
    assert d1.status == "closed" and d1.closed_run_id == gone.id
    assert (await _directive(platform, tid, "k2")).status == "open"

    probe.keys = ["k1", ("k2", Severity.LOW)]  # recurrence
    back = await review(platform, tid)
    d1 = await _directive(platform, tid, "k1")
    assert d1.status == "open" and d1.closed_run_id is None and d1.last_seen_run_id == back.id

    update_directive = """mutation($t: ID!, $id: ID!) {
      updateDirective(tenantId: $t, id: $id, status: "done") {
        directive { id status } errors { code }
      }
    }"""
    body = await gql(update_directive, {"t": tid, "id": d1.id}, token=acme.token("a-admin"))
    assert body["data"]["updateDirective"]["directive"] == {"id": d1.id, "status": "done"}
    assert (await _directive(platform, tid, "k1")).status == "done"
    probe.keys = []
    await review(platform, tid)  # done and gone: closed
    assert (await _directive(platform, tid, "k1")).status == "closed"
    body = await gql(update_directive, {"t": tid, "id": d1.id}, token=acme.token("a-admin"))
    assert (await _directive(platform, tid, "k1")).status == "done"
    probe.keys = ["k1"]
    again = await review(platform, tid)  # marked done, but the condition recurs
    d1 = await _directive(platform, tid, "k1")
    assert d1.status == "open" and d1.last_seen_run_id == again.id
    assert len(await rows(platform, Directive, Directive.tenant_id == tid)) == 2


# ----------------------------------------------------------------------------- escalation


async def _escalations(platform, root: str) -> list:
    from ipgov.tenancy.models import Escalation

    return await rows(platform, Escalation, Escalation.tenant_id == root)


@pytest.mark.parametrize("mode", ["centralized", "hybrid"])
async def test_risk_above_tolerance_escalates_to_the_group_once(platform, mode):
    group = await make_group(platform, "globex", mode)
    tid, root = group.ids["globex-a"], group.ids["globex"]
    probe = Probe("protect", severity=Severity.HIGH, keys=["k1"])
    install_checks(platform, [probe.check])
    await enable(platform, tid, P)

    for _ in range(3):
        await review(platform, tid)

    d = await _directive(platform, tid, "k1")
    assert d.escalation == "group" and d.escalated_at is not None
    escalations = await _escalations(platform, root)
    assert len(escalations) == 1
    e = escalations[0]
    assert (e.from_tenant_id, e.decision_type, e.status) == (tid, "risk_above_tolerance",
                                                             "pending")
    assert e.payload["directive_id"] == d.id and e.payload["check_id"] == "probe.protect"


async def test_an_overdue_directive_escalates_once(platform):
    group = await make_group(platform, "globex", "centralized")
    tid, root = group.ids["globex-a"], group.ids["globex"]
    probe = Probe("protect", severity=Severity.MEDIUM, keys=["k1"])  # below tolerance
    install_checks(platform, [probe.check])
    await enable(platform, tid, P)

    await review(platform, tid)
    assert await _escalations(platform, root) == []
    assert (await _directive(platform, tid, "k1")).escalation is None

    async with platform.db.system_session("test: overdue") as s:
        await s.execute(update(Directive).where(Directive.tenant_id == tid)
                        .values(due_at=utcnow() - timedelta(days=1)))
    await review(platform, tid)
    await review(platform, tid)

    escalations = await _escalations(platform, root)
    assert [e.decision_type for e in escalations] == ["overdue_directive"]
    assert escalations[0].from_tenant_id == tid
    assert (await _directive(platform, tid, "k1")).escalation == "group"


async def test_under_a_decentralized_parent_escalation_is_only_flagged(platform):
    from ipgov.tenancy.models import Escalation

    group = await make_group(platform, "initech", "decentralized")
    tid = group.ids["initech-a"]
    probe = Probe("protect", severity=Severity.CRITICAL, keys=["k1"])
    install_checks(platform, [probe.check])
    await enable(platform, tid, P)

    await review(platform, tid)
    await review(platform, tid)

    d = await _directive(platform, tid, "k1")
    assert d.escalation == "supervision" and d.escalated_at is not None
    assert await rows(platform, Escalation) == []


# ---------------------------------------------------------------------------------- groups


async def test_a_group_review_fans_out_and_aggregates(platform, acme):
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.scoring import aggregate_scores

    probe = Probe("protect", severity=Severity.HIGH, keys=["k1"])
    install_checks(platform, [probe.check])
    for slug in ("acme", "acme-b", "acme-c"):  # the core checks only: known scores
        await enable(platform, acme.ids[slug])
    await enable(platform, acme.ids["acme-a"], P)

    parent = await run_inline(platform, acme.ids["acme"], group=True, actor="test")

    children = await rows(platform, ReviewRun, ReviewRun.parent_run_id == parent.id)
    tenants = {acme.ids[s] for s in ("acme", "acme-a", "acme-b", "acme-c")}
    assert sorted(c.tenant_id for c in children) == sorted(tenants)
    assert all(c.status == "succeeded" and c.kind == "tenant" for c in children)
    assert parent.kind == "group" and parent.status == "succeeded"
    assert parent.children_total == parent.children_done == 4
    assert parent.finished_at is not None
    by_tenant = {c.tenant_id: c for c in children}
    assert by_tenant[acme.ids["acme-a"]].scores["functions"]["protect"] == 0.0
    expected = aggregate_scores(c.scores for c in children)
    assert parent.scores["functions"] == expected["functions"]
    assert parent.scores["functions"]["protect"] == 0.0  # one child assessed it
    assert parent.scores["overall"] == expected["overall"] == round((3 * 100 + 50) / 4, 1)
    coverage = parent.scores["coverage"]["functions"]
    assert coverage["protect"]["applicable"] == 1 and coverage["govern"]["assessed"] == 8
    assert parent.scores["tenants"] == {c.tenant_id: c.scores["overall"] for c in children}
    assert probe.calls == [by_tenant[acme.ids["acme-a"]].id]


async def test_a_group_review_skips_inactive_tenants(platform, acme):
    from ipgov.reviews.inline import run_inline
    from ipgov.tenancy.models import Tenant

    async with platform.db.system_session("test: suspend") as s:
        await s.execute(update(Tenant).where(Tenant.id == acme.ids["acme-c"])
                        .values(status="suspended"))
    parent = await run_inline(platform, acme.ids["acme"], group=True, actor="test")
    children = await rows(platform, ReviewRun, ReviewRun.parent_run_id == parent.id)
    assert acme.ids["acme-c"] not in {c.tenant_id for c in children}
    assert parent.children_total == parent.children_done == 3 == len(children)
    assert parent.status == "succeeded"


# ---------------------------------------------------------------------------------- events


async def test_events_request_one_review_per_event_id(platform, acme):
    from ipgov.reviews.events import PlatformEvent, emit_event

    answer = {"value": True}
    seen: list[str] = []

    def should_review_on(event):
        seen.append(event.event_id)
        return answer["value"]

    platform.registry.register(_plugin("watcher", should_review_on=should_review_on))
    tid = acme.ids["acme-a"]
    await enable(platform, tid, "watcher")

    async def event_runs(tenant_id):
        return await rows(platform, ReviewRun, ReviewRun.tenant_id == tenant_id,
                          ReviewRun.trigger == "event")

    first = await emit_event(platform, PlatformEvent(tid, "watcher.match", "ev-1"))
    again = await emit_event(platform, PlatformEvent(tid, "watcher.match", "ev-1"))
    assert first is not None and again is not None and again.id == first.id
    assert [r.id for r in await event_runs(tid)] == [first.id]
    assert first.idempotency_key == "event:ev-1"

    other = await emit_event(platform, PlatformEvent(tid, "watcher.match", "ev-2"))
    assert other is not None and other.id != first.id
    assert len(await event_runs(tid)) == 2

    answer["value"] = False
    assert await emit_event(platform, PlatformEvent(tid, "watcher.match", "ev-3")) is None
    assert len(await event_runs(tid)) == 2

    answer["value"] = True  # not enabled for acme-b: not even asked
    seen.clear()
    assert await emit_event(platform, PlatformEvent(acme.ids["acme-b"], "watcher.match",
                                                    "ev-4")) is None
    assert seen == [] and await event_runs(acme.ids["acme-b"]) == []


# ------------------------------------------------------------------------------- scheduler


async def test_schedules_create_one_run_per_period(platform, acme):
    from ipgov.reviews.scheduler import period_of, run_due_schedules

    a, b = acme.ids["acme-a"], acme.ids["acme-b"]
    async with platform.db.system_session("test: schedules") as s:
        # every tenant gets a 90-day schedule; switch those off to control the periods
        await s.execute(update(ReviewSchedule).values(enabled=False))
        s.add(ReviewSchedule(tenant_id=a, name="weekly", cadence_days=7))
        s.add(ReviewSchedule(tenant_id=b, name="weekly", cadence_days=7))
    now = utcnow()

    assert await run_due_schedules(platform, now=now) == 2
    assert await run_due_schedules(platform, now=now) == 0
    # a second scheduler that had not seen last_period still creates nothing
    async with platform.db.system_session("test: forget period") as s:
        await s.execute(update(ReviewSchedule).values(last_period=None))
    assert await run_due_schedules(platform, now=now + timedelta(seconds=1)) == 0

    scheduled = await rows(platform, ReviewRun, ReviewRun.trigger == "schedule")
    assert sorted(r.tenant_id for r in scheduled) == sorted([a, b])
    schedules = await rows(platform, ReviewSchedule, ReviewSchedule.enabled.is_(True))
    assert all(s.last_period == period_of(now, 7) for s in schedules)

    later = now + timedelta(days=7)
    assert await run_due_schedules(platform, now=later) == 2
    assert await run_due_schedules(platform, now=later) == 0
    scheduled = await rows(platform, ReviewRun, ReviewRun.trigger == "schedule")
    assert len(scheduled) == 4
    assert sum(1 for r in scheduled if r.tenant_id == a) == 2
    assert {r.idempotency_key for r in scheduled} == {
        f"schedule:{s.id}:{p}" for s in schedules
        for p in (period_of(now, 7), period_of(later, 7))}


# -------------------------------------------------------------------------------- recovery


async def test_recovery_resends_runs_whose_send_failed(platform, acme):
    from ipgov.work.queue import InlineQueue
    from ipgov.work.recovery import recover

    tid = acme.ids["acme-a"]
    assert platform.work.queue is None
    lost = await request(platform, tid)  # no queue: the send fails, the row stays queued
    assert (await get_run(platform, lost)).enqueued_at is None

    queue = InlineQueue()
    platform.work.attach(queue)
    fresh = await request(platform, tid)  # sent just now: not resent
    assert queue.pending == [("review", fresh, tid)]
    queue.pending.clear()

    assert await recover(platform) == 0  # requested just now: give the first send a chance
    old = utcnow() - timedelta(seconds=platform.settings.review_requeue_seconds + 60)
    async with platform.db.system_session("test: old") as s:
        await s.execute(update(ReviewRun).where(ReviewRun.id == lost)
                        .values(requested_at=old))
    assert await recover(platform) == 1
    assert queue.pending == [("review", lost, tid)]
    assert await recover(platform) == 0  # just resent: not again before the requeue delay

    async with platform.db.system_session("test: old") as s:
        await s.execute(update(ReviewRun).where(ReviewRun.id == fresh)
                        .values(enqueued_at=old))
    assert await recover(platform) == 0  # sent, maybe waiting behind a backlog: not yet
    very_old = utcnow() - timedelta(seconds=platform.settings.review_resend_seconds + 60)
    async with platform.db.system_session("test: very old") as s:
        await s.execute(update(ReviewRun).where(ReviewRun.id == fresh)
                        .values(enqueued_at=very_old))
    assert await recover(platform) == 1
    assert queue.pending[-1] == ("review", fresh, tid)

    for _kind, run_id, tenant_id in list(queue.pending):
        await runner.execute_run(platform, run_id, tenant_id)
    assert (await get_run(platform, lost)).status == "succeeded"
    async with platform.db.system_session("test: old") as s:
        await s.execute(update(ReviewRun).values(enqueued_at=old))
    queue.pending.clear()
    assert await recover(platform) == 0 and queue.pending == []  # finished runs stay put


async def test_recovery_resends_runs_whose_worker_died(platform, acme):
    from ipgov.work.queue import InlineQueue
    from ipgov.work.recovery import recover

    tid = acme.ids["acme-a"]
    queue = InlineQueue()
    platform.work.attach(queue)
    run_id = await request(platform, tid)
    assert await claim(platform, "review", run_id, tid) is not None
    queue.pending.clear()
    assert await recover(platform) == 0  # running under a live lease
    old = utcnow() - timedelta(seconds=platform.settings.review_requeue_seconds + 60)
    async with platform.db.system_session("test: worker died") as s:
        await s.execute(update(ReviewRun).where(ReviewRun.id == run_id)
                        .values(enqueued_at=old, lease_until=utcnow() - timedelta(seconds=1)))
    assert await recover(platform) == 1 and queue.pending == [("review", run_id, tid)]
    assert await runner.execute_run(platform, run_id, tid) == "succeeded"


# ------------------------------------------------------------------------ tenant boundary


async def test_a_review_never_reads_another_tenants_data(platform, two_groups):
    from ipgov.identity.models import Membership

    acme, globex = two_groups
    seen: dict[str, Any] = {}

    async def count_members(ctx):
        members = list((await ctx.session.execute(select(Membership))).scalars())
        seen[ctx.tenant_id] = sorted({m.tenant_id for m in members})
        return [ctx.finding("members", "members counted",
                            evidence={"count": len(members)})]

    check = Check(id=f"{P}.members", title="members", domain=GovernanceDomain.RESOURCES,
                  function=Function.IDENTIFY, severity=Severity.INFO, run=count_members)
    install_checks(platform, [check])
    tid = acme.ids["acme-a"]
    await enable(platform, tid, P)

    run = await review(platform, tid)

    assert seen == {tid: [tid]}
    finding = (await rows(platform, Finding, Finding.run_id == run.id,
                          Finding.check_id == check.id))[0]
    assert finding.evidence == {"count": 2}  # a-admin and a-viewer only
    async with platform.db.system_session("test: all members") as s:
        assert (await s.execute(select(func.count()).select_from(Membership))).scalar() > 2


async def test_graphql_refuses_another_tenants_reviews(platform, two_groups, gql):
    acme, globex = two_groups
    probe = Probe("protect", keys=["k1"])
    install_checks(platform, [probe.check])
    b = globex.ids["globex-a"]
    await enable(platform, b, P)
    run = await review(platform, b)
    directive = await _directive(platform, b, "k1")
    token = acme.token("a-admin")

    def codes(body):
        return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]

    queries = {
        "reviewRun": ("query($t: ID!, $id: ID!) { reviewRun(tenantId: $t, id: $id) "
                      "{ id scores } }", {"t": b, "id": run.id}),
        "reviewRuns": ("query($t: ID!) { reviewRuns(tenantId: $t) { edges { node { id } } } }",
                       {"t": b}),
        "findings": ("query($t: ID!, $r: ID) { findings(tenantId: $t, runId: $r) "
                     "{ edges { node { id key } } } }", {"t": b, "r": run.id}),
        "directives": ("query($t: ID!) { directives(tenantId: $t) "
                       "{ edges { node { id } } } }", {"t": b}),
        "updateDirective": ('mutation($t: ID!, $id: ID!) { updateDirective(tenantId: $t, '
                            'id: $id, status: "done") { directive { id } } }',
                            {"t": b, "id": directive.id}),
        "requestReview": ("mutation($t: ID!) { requestReview(tenantId: $t) { run { id } } }",
                          {"t": b}),
    }
    for name, (query, variables) in queries.items():
        body = await gql(query, variables, token=token)
        assert codes(body) == ["FORBIDDEN"], (name, body)
        assert body.get("data") is None, (name, body)
        assert run.id not in str(body) and directive.id not in str(body), (name, body)

    # B's ids under A's own tenant id: nothing of B's is visible
    a = acme.ids["acme-a"]
    body = await gql(queries["reviewRun"][0], {"t": a, "id": run.id}, token=token)
    assert codes(body) == ["REVIEW_NOT_FOUND"]
    body = await gql(queries["findings"][0], {"t": a, "r": run.id}, token=token)
    assert body["data"]["findings"]["edges"] == []
    body = await gql(queries["updateDirective"][0], {"t": a, "id": directive.id}, token=token)
    assert body["data"]["updateDirective"]["directive"] is None
    assert (await _directive(platform, b, "k1")).status == "open"
    assert len(await rows(platform, ReviewRun, ReviewRun.tenant_id == b)) == 1

    # and the owner does see them (the queries themselves work)
    own = globex.token("a-admin")
    body = await gql(queries["reviewRun"][0], {"t": b, "id": run.id}, token=own)
    assert body["data"]["reviewRun"]["id"] == run.id
    body = await gql(queries["findings"][0], {"t": b, "r": run.id}, token=own)
    assert [e["node"]["key"] for e in body["data"]["findings"]["edges"]] == ["k1"]
    body = await gql(queries["directives"][0], {"t": b}, token=own)
    assert [e["node"]["id"] for e in body["data"]["directives"]["edges"]] == [directive.id]
