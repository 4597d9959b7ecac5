"""Finishing a run: scores (Evaluate), directives (Direct), escalation (Monitor)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.work import Claim, finish

from .announce import review_finished
from .checks import Check, CheckStatus, Severity
from .directives import escalate, escalation_due, review_settings, sync_directives
from .groups import try_aggregate
from .models import CheckResult, Finding, RunStatus
from .scoring import ScoredCheck, score_run

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["finalize"]


async def finalize(platform: Platform, held: Claim,
                   first: Callable[[AsyncSession], Awaitable[None]] | None = None) -> str:
    """Close the run under the claim; returns the final status (or "lost-claim").

    ``first`` runs at the start of the same transaction (the runner writes the results of
    its checks so: results and closing commit together)."""
    async with platform.db.tenant_session(held.tenant_id) as session:
        if first is not None:
            await first(session)
        results = list((await session.execute(
            select(CheckResult).where(CheckResult.run_id == held.id))).scalars())
        findings = list((await session.execute(
            select(Finding).where(Finding.run_id == held.id))).scalars())
        catalog = platform.catalog.checks_by_id
        ok_checks = [catalog[r.check_id] for r in results
                     if r.status != CheckStatus.ERROR and r.check_id in catalog]
        scores = score_run(_scored(results, findings, catalog))
        failed = [r.check_id for r in results if r.status == CheckStatus.ERROR]
        status = RunStatus.PARTIAL if failed else RunStatus.SUCCEEDED
        closed = await finish(session, held, status, scores=scores,
                              error=("checks failed: " + ", ".join(failed)) if failed else None)
        if not closed:
            await session.rollback()
            return "lost-claim"
        counts = await sync_directives(platform, session, held, findings, ok_checks, catalog)
        await platform.audit(session, tenant_id=held.tenant_id, actor="review-worker",
                             action=f"review.{status}", object_type="ipgov:review",
                             object_id=held.id,
                             details={"findings": len(findings), "failed_checks": failed,
                                      "overall": scores["overall"],
                                      "coverage": scores["coverage"]["overall"], **counts})
        tolerance = (await review_settings(session, held.tenant_id)).risk_tolerance
        await review_finished(platform, session, held, str(status), findings, tolerance)
        due = await escalation_due(session, tolerance)
    if due:
        await escalate(platform, held.tenant_id)
    if held.row.parent_run_id:
        await try_aggregate(platform, held.row.parent_run_id)
    return str(status)


def _scored(results: list[CheckResult], findings: list[Finding],
            catalog: Mapping[str, Check]) -> list[ScoredCheck]:
    """Each check of the run with its classification and whether it found a deficiency
    (a finding above ``info``)."""
    deficient = {f.check_id for f in findings if f.severity != Severity.INFO}
    return [ScoredCheck(function=c.function.value, domain=c.domain.value,
                        severity=c.severity.value, status=r.status,
                        deficient=r.check_id in deficient)
            for r in results if (c := catalog.get(r.check_id)) is not None]

