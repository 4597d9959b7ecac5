"""The checks of a review share read-only sessions, its lease renews on a timer, and the
audit-trail check walks from a verified checkpoint (issue 28 item 2).

The sharing must not change what a check may rely on: a check whose SQL fails leaves the next
check a working session (PostgreSQL refuses every statement of an aborted transaction), a
check that opens its own session still works, and what a check leaves pending is not kept.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from sqlalchemy import func, select, text, update

from ipgov.api import Check
from ipgov.audit.models import AuditEvent
from ipgov.db.scope import TenantScope
from ipgov.identity.models import Membership
from ipgov.reviews.checks import Function, GovernanceDomain, Severity
from ipgov.reviews.models import CheckResult, Finding
from ipgov.runtime import current_platform
from ipgov.work import claim
from tests.conftest import make_group
from tests.core.test_review_engine import (
    P,
    enable,
    get_run,
    install_checks,
    request,
    review,
    rows,
)


def _check(cid: str, run) -> Check:  # type: ignore[no-untyped-def]
    return Check(id=f"{P}.{cid}", title=cid, domain=GovernanceDomain.RESOURCES,
                 function=Function.PROTECT, severity=Severity.MEDIUM, run=run)


async def test_checks_share_sessions_and_one_check_cannot_break_another(platform):
    acme = await make_group(platform, "acme", "hybrid")
    tid = acme.ids["acme-a"]
    seen: dict[str, object] = {}

    async def a_bad_sql(ctx):  # type: ignore[no-untyped-def]
        seen["a"] = ctx.session
        await ctx.session.execute(text("SELECT no_such_column FROM no_such_table"))
        return []

    async def b_reads_after_it(ctx):  # type: ignore[no-untyped-def]
        seen["b"] = ctx.session
        async with ctx.lineage_session() as first, ctx.lineage_session() as second:
            seen["lineage"] = (first, second)
        members = (await ctx.session.execute(select(func.count()).select_from(Membership)))
        return [ctx.finding("members", f"{members.scalar()} members")]

    async def c_leaves_a_pending_row(ctx):  # type: ignore[no-untyped-def]
        ctx.session.add(Membership(tenant_id=ctx.tenant_id, user_id="nobody", role="viewer"))
        return []

    async def d_own_session(ctx):  # type: ignore[no-untyped-def]
        async with current_platform().db.session(TenantScope.tenant(ctx.tenant_id),
                                                 readonly=True) as own:
            count = (await own.execute(select(func.count()).select_from(Membership))).scalar()
        seen["d"] = ctx.session
        return [ctx.finding("own", f"{count} members")]

    install_checks(platform, [_check("a_bad", a_bad_sql), _check("b_reads", b_reads_after_it),
                              _check("c_pending", c_leaves_a_pending_row),
                              _check("d_own", d_own_session)])
    await enable(platform, tid, P)

    run = await review(platform, tid)

    results = {r.check_id: r for r in await rows(platform, CheckResult,
                                                 CheckResult.run_id == run.id)}
    assert results["probe.a_bad"].status == "error"
    assert results["probe.b_reads"].status == "findings", results["probe.b_reads"].error
    assert results["probe.c_pending"].status == "passed"
    assert results["probe.d_own"].status == "findings", results["probe.d_own"].error
    assert run.status == "partial" and "probe.a_bad" in run.error
    assert seen["a"] is seen["b"] is seen["d"]  # one session for every check
    first, second = seen["lineage"]  # type: ignore[misc]
    assert first is second and first is not seen["b"]  # one per other scope
    assert not await rows(platform, Membership, Membership.user_id == "nobody")
    findings = {f.key for f in await rows(platform, Finding, Finding.run_id == run.id)}
    assert {"members", "own"} <= findings


async def test_a_review_longer_than_its_lease_keeps_its_claim(platform):
    """The lease renews on a timer: a check that outlasts the lease does not let another
    worker take the run, and the run completes once."""
    acme = await make_group(platform, "acme", "hybrid")
    tid = acme.ids["acme-a"]
    platform.settings = dataclasses.replace(platform.settings, review_lease_seconds=1)
    taken: list[object] = []

    async def slow(ctx):  # type: ignore[no-untyped-def]
        for _ in range(5):  # 2.5 s: two and a half leases
            await asyncio.sleep(0.5)
            taken.append(await claim(current_platform(), "review", ctx.run_id, ctx.tenant_id))
        return []

    install_checks(platform, [_check("slow", slow)])
    await enable(platform, tid, P)
    run_id = await request(platform, tid)
    from ipgov.reviews.runner import execute_run

    assert await execute_run(platform, run_id, tid) == "succeeded"
    assert taken == [None] * 5  # nobody else could claim it meanwhile
    run = await get_run(platform, run_id)
    assert run.attempts == 1 and run.status == "succeeded"


async def _audit_result(platform, run_id: str) -> CheckResult:  # type: ignore[no-untyped-def]
    (result,) = await rows(platform, CheckResult, CheckResult.run_id == run_id,
                           CheckResult.check_id == "core.audit_trail_intact")
    return result


async def _tamper(insider, tenant_id: str, seq: int) -> None:  # type: ignore[no-untyped-def]
    async with insider.system_session("test: tamper") as s:
        await s.execute(update(AuditEvent).where(AuditEvent.tenant_id == tenant_id,
                                                 AuditEvent.seq == seq)
                        .values(actor="mallory"))


async def test_the_audit_check_walks_from_the_verified_checkpoint(platform, insider,
                                                                  monkeypatch):
    """After a full walk, a review walks only from the verified checkpoint: a change after it
    is found at once (with the first bad event of the whole chain), a change before it by the
    next full walk (once the checkpoint's full walk is older than FULL_WALK_EVERY)."""
    from ipgov.audit import bounded

    acme = await make_group(platform, "acme", "hybrid")
    tid = acme.ids["acme-a"]
    first = await review(platform, tid)  # a full walk: the verified checkpoint is kept
    assert (await _audit_result(platform, first.id)).status == "passed"
    verified = platform.witness.store.read_verified(tid)
    assert verified is not None and verified.valid(platform.audit_key)
    assert verified.tenant_id == tid and verified.seq > 3

    await _tamper(insider, tid, 2)  # before the checkpoint: outside the bounded walk
    second = await review(platform, tid)
    assert (await _audit_result(platform, second.id)).status == "passed"
    moved = platform.witness.store.read_verified(tid)
    assert moved.seq > verified.seq and moved.at == verified.at  # the full walk's time

    monkeypatch.setattr(bounded, "FULL_WALK_EVERY", timedelta(0))  # the full walk is due
    third = await review(platform, tid)
    result = await _audit_result(platform, third.id)
    assert result.status == "findings"
    (finding,) = await rows(platform, Finding, Finding.run_id == third.id,
                            Finding.check_id == "core.audit_trail_intact")
    assert finding.evidence["first_bad_seq"] == 2


async def test_a_change_after_the_verified_checkpoint_is_found_at_once(platform, insider):
    acme = await make_group(platform, "acme", "hybrid")
    tid = acme.ids["acme-a"]
    await review(platform, tid)  # a full walk
    newer = await review(platform, tid)  # bounded: the checkpoint moves to its head
    assert (await _audit_result(platform, newer.id)).status == "passed"
    verified = platform.witness.store.read_verified(tid)  # this review's closing came after
    await _tamper(insider, tid, verified.seq + 1)
    found = await review(platform, tid)
    (finding,) = await rows(platform, Finding, Finding.run_id == found.id,
                            Finding.check_id == "core.audit_trail_intact")
    assert finding.evidence["first_bad_seq"] == verified.seq + 1
