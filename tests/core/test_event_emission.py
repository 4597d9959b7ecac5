"""Every core emission site writes its event, with a payload that validates, in the
transaction of the change (issue 17): tenancy, invitations, escalations, reviews and
directives, and the scheduler's time-driven directive events, once across passes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ipgov.db.base import utcnow
from ipgov.events.models import Event
from ipgov.identity.invitations import create_invitation
from ipgov.reviews.directives import change_directive
from ipgov.reviews.inline import run_inline
from ipgov.reviews.models import Directive
from ipgov.reviews.reminders import remind_directives
from ipgov.reviews.scheduler import scheduler_pass
from ipgov.tenancy import mergers, services
from ipgov.tenancy.decisions import decide_escalation, escalate_if_reserved
from tests.conftest import make_group
from tests.events_support import assert_emitted


async def test_tenancy_events(platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    a = acme.ids["acme-a"]
    await assert_emitted(platform, a, "tenant.onboarded", slug="acme-a",
                         parent_id=acme.ids["acme"], governance_mode="hybrid")
    async with platform.db.system_session("test: mode") as s:
        await services.change_governance_mode(platform, s, tenant_id=acme.ids["acme"],
                                              mode="centralized", actor="test")
    await assert_emitted(platform, acme.ids["acme"], "tenant.governance_mode_changed",
                         previous="hybrid", mode="centralized")
    async with platform.db.system_session("test: merge") as s:
        await mergers.absorb(platform, s, absorbing_id=a, absorbed_id=acme.ids["acme-b"],
                             actor="test")
        await mergers.join_parallel_reporting(platform, s, parent_id=acme.ids["acme"],
                                              acquired_id=globex.ids["globex"], actor="test")
    await assert_emitted(platform, a, "tenant.merged", kind="absorption",
                         other_tenant_id=acme.ids["acme-b"], other_slug="acme-b")
    await assert_emitted(platform, acme.ids["acme"], "tenant.merged",
                         kind="parallel_reporting", other_slug="globex")


async def test_invitation_and_escalation_events(platform):
    acme = await make_group(platform, "acme")
    a, group = acme.ids["acme-a"], acme.ids["acme"]
    async with platform.db.tenant_session(a) as s:
        invited = await create_invitation(platform, s, tenant_id=a, email="new@acme.example",
                                          role="viewer", display_name=None, actor="test")
    [event] = await assert_emitted(platform, a, "member.invited", role="viewer",
                                   invitation_id=invited.invitation.id)
    assert "new@acme.example" not in str(event.payload)  # no address in the contract
    async with platform.db.system_session("test: escalate") as s:
        escalation = await escalate_if_reserved(
            platform, s, tenant_id=a, decision_type="risk_appetite", subject="appetite",
            actor="test")
        assert escalation is not None
        await decide_escalation(platform, s, tenant_id=group, escalation_id=escalation.id,
                                approve=False, actor="test")
    await assert_emitted(platform, group, "escalation.decided", status="rejected",
                         decision_type="risk_appetite", from_tenant_id=a)


async def _directives(platform, tenant_id):
    async with platform.db.tenant_session(tenant_id) as s:
        return list((await s.execute(select(Directive))).scalars())


async def test_review_and_directive_events(platform):
    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    run = await run_inline(platform, a, actor="test")
    [finished] = await assert_emitted(platform, a, "review.finished", review_id=run.id)
    counts = finished.payload["counts"]
    assert sum(counts.values()) == finished.payload["findings"] > 0
    above = await assert_emitted(platform, a, "review.finding_above_tolerance",
                                 review_id=run.id, tolerance="high")
    assert {e.payload["severity"] for e in above} <= {"high", "critical"}
    assert len(above) == counts["high"] + counts["critical"]
    await assert_emitted(platform, a, "directive.escalated", to="group",
                         reason="risk_above_tolerance")

    directive = (await _directives(platform, a))[0]
    async with platform.db.tenant_session(a) as s:
        await change_directive(platform, s, tenant_id=a, directive_id=directive.id,
                               subject=acme.users["admin"], actor="test",
                               owner_user_id=acme.users["a-admin"])
    await assert_emitted(platform, a, "directive.assigned", directive_id=directive.id,
                         owner_user_id=acme.users["a-admin"])
    async with platform.db.tenant_session(a) as s:
        await change_directive(platform, s, tenant_id=a, directive_id=directive.id,
                               subject=acme.users["admin"], actor="test", status="done")
    await assert_emitted(platform, a, "directive.closed", directive_id=directive.id,
                         status="done")


async def test_a_review_that_no_longer_finds_a_condition_closes_its_directive(platform):
    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    await run_inline(platform, a, actor="test")
    async with platform.db.tenant_session(a) as s:  # a condition the next review won't find
        d = (await s.execute(select(Directive))).scalars().first()
        d.finding_key = "gone"
    await run_inline(platform, a, actor="test")
    await assert_emitted(platform, a, "directive.closed", directive_id=d.id, status="closed")


async def test_the_scheduler_records_due_soon_and_overdue_once(platform):
    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    await run_inline(platform, a, actor="test")
    soon, late, *_ = await _directives(platform, a)
    async with platform.db.tenant_session(a) as s:
        await s.execute(update(Directive).where(Directive.id == soon.id)
                        .values(due_at=utcnow() + timedelta(days=3, hours=1)))
        await s.execute(update(Directive).where(Directive.id == late.id)
                        .values(due_at=utcnow() - timedelta(days=1)))
    assert await remind_directives(platform) == 2
    assert await remind_directives(platform) == 0  # a second run records nothing new
    await scheduler_pass(platform)  # nor do two scheduler passes
    await scheduler_pass(platform)
    await assert_emitted(platform, a, "directive.due_soon", directive_id=soon.id, days=4)
    await assert_emitted(platform, a, "directive.overdue", directive_id=late.id)
    async with platform.db.tenant_session(a) as s:
        kinds = [t for (t,) in await s.execute(select(Event.type).where(
            Event.type.in_(["directive.due_soon", "directive.overdue"])))]
    assert sorted(kinds) == ["directive.due_soon", "directive.overdue"]
