"""Running one review: execute each check of the claimed run once, then finalise.

At-least-once delivery is safe: the work machine (``ipgov.work``) claims a run with a lease and
a claim token; the findings and result rows of a batch of checks (at most ``BATCH`` checks or
``BATCH_SECONDS`` of work) commit together (unique per run and check) and renew the lease, so a
crash mid-batch leaves nothing of that batch and a re-delivered message resumes with the checks
not yet recorded; every write is conditional on still holding the claim, so a stale worker
records nothing and cannot finalise twice. Batching writes one transaction per batch instead of
one per check (bench/review_statements.py).
"""

from __future__ import annotations

import inspect
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ipgov.db.base import utcnow
from ipgov.tenancy.models import Tenant
from ipgov.work import Claim, execute, renew

from .catalog import checks_for
from .checks import Check, CheckContext, CheckStatus, NotAssessed, TenantView
from .finalize import finalize
from .groups import fan_out
from .models import CheckResult, Finding, ReviewRun

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["execute_run", "perform_run", "tenant_view"]

log = logging.getLogger("ipgov.reviews")
KIND = "review"
BATCH, BATCH_SECONDS = 16, 1.0


@dataclass(frozen=True)
class _Assessed:
    """One check's outcome, waiting to be recorded with its batch."""

    plugin: str
    check: Check
    outcome: list | NotAssessed
    error: str | None
    elapsed_ms: int


async def tenant_view(platform: Platform, tenant_id: str) -> TenantView:
    """The tenant as checks see it, with its parent's governance mode."""
    from ipgov.tenancy.tree import ancestors

    async with platform.db.system_session("review: tenant view") as session:
        tenant = await session.get(Tenant, tenant_id)
        chain = await ancestors(session, tenant)
    parent = chain[0] if chain else None
    return TenantView(tenant.id, tenant.slug, tenant.name, tenant.parent_id, tenant.root_id,
                      tenant.governance_mode, parent.governance_mode if parent else None,
                      frozenset(tenant.enabled_plugins or ()),
                      lineage=(tenant.id, *(a.id for a in chain)),
                      lineage_modes=(tenant.governance_mode, *(a.governance_mode for a in chain)))


async def execute_run(platform: Platform, run_id: str, tenant_id: str) -> str:
    """Claim the run and do its work here; returns what happened (for logs and tests)."""
    return await execute(platform, KIND, run_id, tenant_id)


async def perform_run(platform: Platform, held: Claim) -> str:
    """The work of a claimed run: a group fans out; a tenant's run executes its checks."""
    if held.row.kind == "group":
        await fan_out(platform, held)
        return "fanned-out"
    view = await tenant_view(platform, held.tenant_id)
    checks = checks_for(platform, view.enabled_plugins)
    done = await _done_checks(platform, held, len(checks))
    with platform.telemetry.tracer.start_as_current_span("review.run") as span:
        span.set_attribute("ipgov.review.run_id", held.id)
        batch: list[_Assessed] = []
        since = time.monotonic()
        for plugin, check in checks:
            if check.id in done:
                continue
            batch.append(await _assess(platform, held, view, plugin, check))
            if len(batch) >= BATCH or time.monotonic() - since >= BATCH_SECONDS:
                await _record(platform, held, batch)
                batch, since = [], time.monotonic()
        if batch:
            await _record(platform, held, batch)
    return await finalize(platform, held)


async def _done_checks(platform: Platform, held: Claim, total: int) -> set[str]:
    async with platform.db.tenant_session(held.tenant_id) as session:
        await session.execute(update(ReviewRun).where(ReviewRun.id == held.id)
                              .values(checks_total=total)
                              .execution_options(synchronize_session=False))
        rows = await session.execute(select(CheckResult.check_id)
                                     .where(CheckResult.run_id == held.id))
        return set(rows.scalars())


async def _evaluate(platform: Platform, held: Claim, view: TenantView, check: Check):
    """Run the check's function in its own read session; errors are data, not crashes."""
    from ipgov.db.scope import TenantScope

    def open_session(ids: frozenset[str]):
        return platform.db.session(TenantScope.tenants(ids, "review: lineage read"),
                                   readonly=True)

    lineage = view.lineage
    async with platform.db.session(TenantScope.tenant(held.tenant_id), readonly=True) as session:
        ctx = CheckContext(session=session, tenant=view, now=utcnow(), run_id=held.id,
                           lineage=lineage, open_session=open_session)
        try:
            result = check.run(ctx)
            outcome = await result if inspect.isawaitable(result) else result
            await session.rollback()  # checks read; nothing they did is kept
            return (outcome if isinstance(outcome, NotAssessed) else list(outcome)), None
        except Exception as exc:  # a broken check must not stop the review
            await session.rollback()
            log.warning("check %s failed for tenant %s", check.id, held.tenant_id,
                        exc_info=True)
            return [], f"{type(exc).__name__}: {exc}"[:2000]


async def _assess(platform: Platform, held: Claim, view: TenantView, plugin: str,
                  check: Check) -> _Assessed:
    """Run one check (in its span); nothing is written yet."""
    with platform.telemetry.tracer.start_as_current_span(f"review.check {check.id}") as span:
        span.set_attribute("ipgov.check_id", check.id)
        span.set_attribute("ipgov.plugin", plugin)
        started = time.perf_counter()
        outcome, error = await _evaluate(platform, held, view, check)
        span.set_attribute("ipgov.findings", 0 if isinstance(outcome, NotAssessed)
                           else len(outcome))
    return _Assessed(plugin, check, outcome, error, int((time.perf_counter() - started) * 1000))


async def _run_check(
    platform: Platform, held: Claim, view: TenantView, plugin: str, check: Check
) -> None:
    """Run one check and record it at once (a batch of one)."""
    await _record(platform, held, [await _assess(platform, held, view, plugin, check)])


async def _record(platform: Platform, held: Claim, batch: list[_Assessed]) -> None:
    """Findings and result rows of a batch of checks, committed together under the claim."""
    async with platform.db.tenant_session(held.tenant_id) as session:
        await renew(platform, session, held, checks_done=ReviewRun.checks_done + len(batch))
        for assessed in batch:
            session.add_all(_rows(held, assessed))


def _rows(held: Claim, assessed: _Assessed) -> list[Finding | CheckResult]:
    """The findings (one per key) and the result row of one check."""
    from ipgov.i18n.findings import english_texts

    check, outcome = assessed.check, assessed.outcome
    drafts = [] if isinstance(outcome, NotAssessed) else outcome
    rows: list[Finding | CheckResult] = []
    seen: set[str] = set()
    for draft in drafts:
        if draft.key in seen:
            continue
        seen.add(draft.key)
        text_key, params, title, advice = english_texts(check, draft)
        rows.append(Finding(
            run_id=held.id, check_id=check.id, key=draft.key[:200],
            domain=check.domain.value, function=check.function.value,
            severity=(draft.severity or check.severity).value, title=title[:500],
            recommendation=advice, seed_ref=_citation(check), evidence=draft.evidence,
            object_type=draft.object_type, object_id=draft.object_id,
            text_key=text_key, params=params or None))
    rows.append(CheckResult(run_id=held.id, check_id=check.id, plugin=assessed.plugin,
                            status=_status(outcome, assessed.error, bool(seen)),
                            findings=len(seen), error=assessed.error,
                            duration_ms=assessed.elapsed_ms,
                            reason=outcome.as_record()
                            if isinstance(outcome, NotAssessed) else None))
    return rows


def _citation(check: Check) -> str:
    """What ``findings.seed_ref`` keeps for older readers: the check's first reference."""
    return (check.references[0] if check.references else check.seed_ref)[:40]


def _status(outcome: list | NotAssessed, error: str | None, found: bool) -> str:
    if error:
        return CheckStatus.ERROR
    if isinstance(outcome, NotAssessed):
        return CheckStatus.NOT_ASSESSED if outcome.applicable else CheckStatus.NOT_APPLICABLE
    return CheckStatus.FINDINGS if found else CheckStatus.PASSED
