"""Running one review: execute each check of the claimed run once, then finalise.

A review is a handful of transactions (bench/review_statements.py, issue 28): the claim, the
tenant's view, the checks' reads (every check shares one read-only snapshot of the tenant, and
one per other scope checks ask for: ``SharedReads``), and one write of every finding and
result together with the run's closing (``finalize``). The lease is renewed on a timer
(``keep_leased``), not per check.

At-least-once delivery is safe: the work machine (``ipgov.work``) claims a run with a lease and
a claim token; results and the closing commit together (unique per run and check), so a crash
before that leaves nothing and a re-delivered message runs the checks again; a review whose
checks take longer than ``FLUSH_SECONDS`` records what is done so far first, and a re-delivery
resumes with the checks not yet recorded. Every write is conditional on still holding the
claim, so a stale worker records nothing and cannot finalise twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.db.scope import TenantScope
from ipgov.tenancy.models import Tenant
from ipgov.work import Claim, LostClaim, execute, renew

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
FLUSH_SECONDS = 20.0


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
    with platform.telemetry.tracer.start_as_current_span("review.run") as span:
        span.set_attribute("ipgov.review.run_id", held.id)
        async with keep_leased(platform, held), SharedReads(platform, held) as reads:
            done = await reads.done_checks()
            pending: list[_Assessed] = []
            since = time.monotonic()
            for plugin, check in checks:
                if check.id in done:
                    continue
                pending.append(await _assess(platform, held, view, plugin, check, reads))
                if time.monotonic() - since >= FLUSH_SECONDS:  # a long review: keep what
                    await _record(platform, held, pending)  # is done so far
                    pending, since = [], time.monotonic()
    return await finalize(platform, held, lambda session: _add_pending(
        platform, session, held, pending, total=len(checks)))


class SharedReads:
    """The read-only sessions every check of one run shares (one snapshot each): the
    tenant's own (``ctx.session``) and one per other scope a check asks for
    (``ctx.lineage_session()``, ``ctx.open_session(ids)``), opened at first use and closed
    when the run's checks are done. The audit witness is read before any of them begins (see
    ``ipgov.audit.verify``)."""

    def __init__(self, platform: Platform, held: Claim) -> None:
        self.platform, self.held = platform, held
        self.stack = AsyncExitStack()
        self.session: AsyncSession | None = None
        self.others: dict[frozenset[str], AsyncSession] = {}

    async def __aenter__(self) -> SharedReads:
        from ipgov.audit.bounded import before_snapshot

        info = await before_snapshot(self.platform, self.held.tenant_id)
        self.session = await self._open(TenantScope.tenant(self.held.tenant_id))
        self.session.sync_session.info.update(info)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stack.aclose()

    async def _open(self, scope: TenantScope) -> AsyncSession:
        return await self.stack.enter_async_context(
            self.platform.db.session(scope, readonly=True))

    async def done_checks(self) -> set[str]:
        """Checks of this run already recorded (by a worker that died after recording them)."""
        assert self.session is not None
        rows = await self.session.execute(select(CheckResult.check_id)
                                          .where(CheckResult.run_id == self.held.id))
        return set(rows.scalars())

    @asynccontextmanager
    async def scoped(self, ids: frozenset[str]) -> AsyncIterator[AsyncSession]:
        """The shared read session over ``ids`` (what ``ctx.open_session`` hands a check)."""
        session = self.session if ids == {self.held.tenant_id} else self.others.get(ids)
        if session is None:
            session = self.others[ids] = await self._open(
                TenantScope.tenants(ids, "review: lineage read"))
        yield session

    async def after_check(self, failed: bool) -> None:
        """Nothing a check did is kept: a failed check's transaction (PostgreSQL refuses
        every later statement in it) and any change it left pending are rolled back; the
        next statement begins a new snapshot."""
        for session in (self.session, *self.others.values()):
            if session is not None and (failed or session.new or session.dirty
                                        or session.deleted):
                await session.rollback()


@asynccontextmanager
async def keep_leased(platform: Platform, held: Claim) -> AsyncIterator[None]:
    """Renew the run's lease on a timer (a third of the lease) while the checks run, instead
    of once per check; a lost claim stops the timer (the final write finds it lost too)."""
    every = held.kind.lease(platform.settings).total_seconds() / 3

    async def renewing() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                async with platform.db.tenant_session(held.tenant_id) as session:
                    await renew(platform, session, held)
            except LostClaim:
                return
            except Exception:  # a passing outage: try again next tick, the lease is longer
                log.warning("review %s: lease not renewed", held.id, exc_info=True)

    task = asyncio.create_task(renewing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _evaluate(platform: Platform, held: Claim, view: TenantView, check: Check,
                    reads: SharedReads):
    """Run the check's function on the shared read sessions; errors are data, not crashes."""
    assert reads.session is not None
    ctx = CheckContext(session=reads.session, tenant=view, now=utcnow(), run_id=held.id,
                       lineage=view.lineage, open_session=reads.scoped)
    try:
        result = check.run(ctx)
        outcome = await result if inspect.isawaitable(result) else result
        await reads.after_check(failed=False)
        return (outcome if isinstance(outcome, NotAssessed) else list(outcome)), None
    except Exception as exc:  # a broken check must not stop the review
        await reads.after_check(failed=True)
        log.warning("check %s failed for tenant %s", check.id, held.tenant_id, exc_info=True)
        return [], f"{type(exc).__name__}: {exc}"[:2000]


async def _assess(platform: Platform, held: Claim, view: TenantView, plugin: str,
                  check: Check, reads: SharedReads) -> _Assessed:
    """Run one check (in its span); nothing is written yet."""
    with platform.telemetry.tracer.start_as_current_span(f"review.check {check.id}") as span:
        span.set_attribute("ipgov.check_id", check.id)
        span.set_attribute("ipgov.plugin", plugin)
        started = time.perf_counter()
        outcome, error = await _evaluate(platform, held, view, check, reads)
        span.set_attribute("ipgov.findings", 0 if isinstance(outcome, NotAssessed)
                           else len(outcome))
    return _Assessed(plugin, check, outcome, error, int((time.perf_counter() - started) * 1000))


async def _run_check(
    platform: Platform, held: Claim, view: TenantView, plugin: str, check: Check
) -> None:
    """Run one check and record it at once (a batch of one)."""
    async with SharedReads(platform, held) as reads:
        assessed = await _assess(platform, held, view, plugin, check, reads)
    await _record(platform, held, [assessed])


async def _add_pending(platform: Platform, session: AsyncSession, held: Claim,
                       pending: list[_Assessed], total: int | None = None) -> None:
    """Under the claim (``LostClaim`` otherwise): the rows of ``pending`` in ``session``."""
    values: dict = {"checks_done": ReviewRun.checks_done + len(pending)}
    if total is not None:
        values["checks_total"] = total
    await renew(platform, session, held, **values)
    for assessed in pending:
        session.add_all(_rows(held, assessed))
    await session.flush()


async def _record(platform: Platform, held: Claim, batch: list[_Assessed]) -> None:
    """Findings and result rows of a batch of checks, committed together under the claim."""
    async with platform.db.tenant_session(held.tenant_id) as session:
        await _add_pending(platform, session, held, batch)


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
