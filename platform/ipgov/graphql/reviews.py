"""Reviews in GraphQL: request a review (tenant or group), follow its progress, read its
findings and scores, and work on directives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

from ipgov.errors import DomainError, NotFound
from ipgov.i18n.findings import check_reason
from ipgov.i18n.labels import label
from ipgov.reviews import service
from ipgov.reviews.checks import Function, GovernanceDomain, Severity
from ipgov.reviews.directives import change_directive
from ipgov.reviews.models import CheckResult, Directive, DirectiveStatus, Finding, ReviewRun
from ipgov.reviews.reading import directive_action, finding_references, finding_texts
from ipgov.validation import filter_value

from .audit_types import actor_field
from .errors import UserError, user_errors
from .kit import page_in
from .pagination import Connection
from .permissions import public, requires
from .scores import DimensionScore, dimension_scores, overall_score, stored_scores

__all__ = ["ReviewMutation", "ReviewQuery"]


@strawberry.type(name="CheckResult", description="How one check went in a review.")
class CheckResultType:
    check_id: str
    plugin: str
    status: str = strawberry.field(
        description="passed, findings, not_assessed (nothing to assess: counts against the "
                    "coverage, not the score), not_applicable, or error")
    status_label: str = strawberry.field(description="The status in the reader's language.")
    reason: str | None = strawberry.field(
        description="Why the check assessed nothing, in the reader's language.")
    findings: int
    error: str | None
    duration_ms: int


@strawberry.type(name="ReviewRun", description="One Evaluate-Direct-Monitor pass over a tenant.")
class ReviewRunType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    kind: str = strawberry.field(description="tenant, or group for a fan-out over a group")
    trigger: str
    status: str
    requested_by: str
    requested_by_actor = actor_field("requested_by", "Who requested it, by name (null if nobody).")
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    checks_total: int
    checks_done: int
    children_total: int
    children_done: int
    parent_run_id: strawberry.ID | None
    scores: JSON = strawberry.field(
        description="As stored: {method, functions: {govern: 85, ...}, domains: {...}, "
                    "overall: 80, coverage: {functions, domains, overall}}; prefer "
                    "functionScores/domainScores/overallScore, which say what each rests on.")
    error: str | None

    @strawberry.field(description="The run's status in the reader's language.",
                      extensions=public())  # the field returning the run checked access
    def status_label(self, info: Info) -> str:
        return label("run_status", self.status, info.context.locale)

    @strawberry.field(description="Every function's score with its coverage (a function no "
                      "check could assess has score null).", extensions=public())
    def function_scores(self, info: Info) -> list[DimensionScore]:
        return dimension_scores(stored_scores(self.scores), "functions", info.context.locale)

    @strawberry.field(description="Every governance domain's score with its coverage.",
                      extensions=public())
    def domain_scores(self, info: Info) -> list[DimensionScore]:
        return dimension_scores(stored_scores(self.scores), "domains", info.context.locale)

    @strawberry.field(description="The overall score (mean of the assessed functions) with "
                      "the coverage of every applicable check.", extensions=public())
    def overall_score(self, info: Info) -> DimensionScore:
        return overall_score(stored_scores(self.scores), info.context.locale)

    @strawberry.field(description="Each check's outcome.",
                      extensions=requires("ipgov:review", "read", tenant=None))
    async def check_results(self, info: Info) -> list[CheckResultType]:
        locale = info.context.locale
        async with info.context.session(str(self.tenant_id)) as session:
            rows = (await session.execute(select(CheckResult).where(
                CheckResult.run_id == str(self.id)).order_by(CheckResult.check_id))).scalars()
            return [CheckResultType(check_id=r.check_id, plugin=r.plugin, status=r.status,
                                    status_label=label("check_status", r.status, locale),
                                    reason=check_reason(r.reason, locale),
                                    findings=r.findings, error=r.error,
                                    duration_ms=r.duration_ms) for r in rows]


@strawberry.type(name="Finding", description="What a check found.")
class FindingType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    run_id: strawberry.ID
    check_id: str
    key: str
    domain: str
    domain_label: str = strawberry.field(description="The domain in the reader's language.")
    function: str
    function_label: str = strawberry.field(description="The function in the reader's language.")
    severity: str
    severity_label: str = strawberry.field(description="The severity in the reader's language.")
    title: str = strawberry.field(description="What was found, with its specifics, in the "
                                  "reader's language.")
    recommendation: str
    params: JSON = strawberry.field(
        description="The specifics the finding is about (outcome, asset, counts), as the "
                    "check reported them; title and recommendation render them.")
    references: list[str] = strawberry.field(
        description="What to look up: framework outcomes (IP-CSF GV.RM-01) and standard "
                    "clauses (GB/T 29490-2023 6.1).")
    seed_ref: str = strawberry.field(deprecation_reason="Use references: a section number of "
                                     "the design notes, not something a reader can look up.")
    evidence: JSON
    object_type: str
    object_id: str


@strawberry.type(name="Directive", description="An action a finding calls for.")
class DirectiveType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    check_id: str
    finding_key: str
    action: str
    owner_role: str
    owner_user_id: strawberry.ID | None
    severity: str
    severity_label: str = strawberry.field(description="The severity in the reader's language.")
    function: str
    function_label: str = strawberry.field(description="The function in the reader's language.")
    domain: str
    domain_label: str = strawberry.field(description="The domain in the reader's language.")
    status: str
    status_label: str = strawberry.field(description="The status in the reader's language.")
    due_at: datetime
    escalated_at: datetime | None
    escalation: str | None = strawberry.field(
        description="group (awaiting the group's decision) or supervision (visible there)")


def run_node(r: ReviewRun) -> ReviewRunType:
    """The GraphQL view of a run."""
    return ReviewRunType(
        id=strawberry.ID(r.id), tenant_id=strawberry.ID(r.tenant_id), kind=r.kind,
        trigger=r.trigger, status=r.status, requested_by=r.requested_by,
        requested_at=r.requested_at, started_at=r.started_at, finished_at=r.finished_at,
        attempts=r.attempts, checks_total=r.checks_total, checks_done=r.checks_done,
        children_total=r.children_total, children_done=r.children_done,
        parent_run_id=strawberry.ID(r.parent_run_id) if r.parent_run_id else None,
        scores=JSON(r.scores or {}), error=r.error)


def _finding_node(f: Finding, ctx: Any) -> FindingType:
    title, recommendation = finding_texts(ctx.platform, f, ctx.locale)
    loc = ctx.locale
    return FindingType(id=strawberry.ID(f.id), tenant_id=strawberry.ID(f.tenant_id),
                       run_id=strawberry.ID(f.run_id), check_id=f.check_id, key=f.key,
                       domain=f.domain, domain_label=label("domain", f.domain, loc),
                       function=f.function, function_label=label("function", f.function, loc),
                       severity=f.severity, severity_label=label("severity", f.severity, loc),
                       title=title, recommendation=recommendation, params=JSON(f.params or {}),
                       references=finding_references(ctx.platform, f),
                       seed_ref=f.seed_ref, evidence=JSON(f.evidence or {}),
                       object_type=f.object_type, object_id=f.object_id)


def _directive_node(d: Directive, ctx: Any) -> DirectiveType:
    loc = ctx.locale
    return DirectiveType(
        id=strawberry.ID(d.id), tenant_id=strawberry.ID(d.tenant_id), check_id=d.check_id,
        finding_key=d.finding_key,
        action=directive_action(ctx.platform, d, loc),
        owner_role=d.owner_role,
        owner_user_id=strawberry.ID(d.owner_user_id) if d.owner_user_id else None,
        severity=d.severity, severity_label=label("severity", d.severity, loc),
        function=d.function, function_label=label("function", d.function, loc),
        domain=d.domain, domain_label=label("domain", d.domain, loc), status=d.status,
        status_label=label("directive_status", d.status, loc),
        due_at=d.due_at, escalated_at=d.escalated_at, escalation=d.escalation)


@strawberry.type(description="The review requested, or why not.")
class ReviewPayload:
    run: ReviewRunType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The directive changed, or why not.")
class DirectivePayload:
    directive: DirectiveType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="A review run with its progress and scores.",
                      extensions=requires("ipgov:review", "read"))
    async def review_run(self, info: Info, tenant_id: strawberry.ID,
                         id: strawberry.ID) -> ReviewRunType:  # noqa: A002
        async with info.context.session(str(tenant_id)) as session:
            run = await session.get(ReviewRun, str(id))
            if run is None:
                raise NotFound("no such review in this tenant", code="REVIEW_NOT_FOUND",
                               field="id")
            return run_node(run)

    @strawberry.field(description="Review runs of a tenant, newest first.",
                      extensions=requires("ipgov:review", "read"))
    async def review_runs(self, info: Info, tenant_id: strawberry.ID, first: int = 20,
                          after: str | None = None) -> Connection[ReviewRunType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            return await page_in(info, session, select(ReviewRun), [ReviewRun.id], first=first,
                                 after=after, to_node=run_node, key=lambda r: [r.id])

    @strawberry.field(description="Findings of a run (or of the latest finished run).",
                      extensions=requires("ipgov:review", "read"))
    async def findings(
        self, info: Info, tenant_id: strawberry.ID, run_id: strawberry.ID | None = None,
        severity: str | None = None, function: str | None = None, domain: str | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[FindingType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            run = str(run_id) if run_id else await _latest_run(session)
            stmt = select(Finding).where(Finding.run_id == (run or ""))
            for column, value, allowed in ((Finding.severity, severity, Severity),
                                           (Finding.function, function, Function),
                                           (Finding.domain, domain, GovernanceDomain)):
                if filter_value(value, [v.value for v in allowed], column.key):
                    stmt = stmt.where(column == value)
            return await page_in(info, session, stmt, [Finding.id], first=first, after=after,
                                 to_node=lambda f: _finding_node(f, ctx), key=lambda f: [f.id])

    @strawberry.field(description="Directives of a tenant, by status.",
                      extensions=requires("ipgov:directive", "read"))
    async def directives(self, info: Info, tenant_id: strawberry.ID,
                         status: str | None = "open", first: int = 50,
                         after: str | None = None) -> Connection[DirectiveType]:
        ctx = info.context
        stmt = select(Directive)
        if filter_value(status, [s.value for s in DirectiveStatus], "status"):
            stmt = stmt.where(Directive.status == status)
        async with ctx.session(str(tenant_id)) as session:
            return await page_in(info, session, stmt, [Directive.id], first=first, after=after,
                                 to_node=lambda d: _directive_node(d, ctx), key=lambda d: [d.id])


async def _latest_run(session) -> str | None:
    stmt = (select(ReviewRun.id).where(ReviewRun.kind == "tenant",
                                       ReviewRun.finished_at.is_not(None))
            .order_by(ReviewRun.finished_at.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(description="Review a tenant now (runs in a worker; poll reviewRun).",
                         extensions=requires("ipgov:review", "request"))
    async def request_review(self, info: Info, tenant_id: strawberry.ID,
                             idempotency_key: str | None = None) -> ReviewPayload:
        return await _request(info, str(tenant_id), "tenant", idempotency_key)

    @strawberry.mutation(description="Review a group and every active tenant below it; the "
                         "group run aggregates their scores when all are done.",
                         extensions=requires("ipgov:review", "request"))
    async def request_group_review(self, info: Info, tenant_id: strawberry.ID,
                                   idempotency_key: str | None = None) -> ReviewPayload:
        return await _request(info, str(tenant_id), "group", idempotency_key)

    @strawberry.mutation(description="Mark a directive done (or open again), or give it an "
                         "owner: as its owner role or above, and for a directive escalated to "
                         "the group, as the group; the owner must be a member who can act "
                         "for that role.",
                         extensions=requires("ipgov:directive", "update"))
    async def update_directive(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID,  # noqa: A002
        status: str | None = None, owner_user_id: strawberry.ID | None = None,
    ) -> DirectivePayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                d = await change_directive(
                    ctx.platform, session, tenant_id=str(tenant_id), directive_id=str(id),
                    subject=ctx.require_principal().subject, actor=ctx.actor, status=status,
                    owner_user_id=str(owner_user_id) if owner_user_id is not None else None)
                node = _directive_node(d, ctx)
        except DomainError as exc:
            return DirectivePayload(errors=user_errors(exc))
        return DirectivePayload(directive=node)


async def _request(info: Info, tenant_id: str, kind: str, key: str | None) -> ReviewPayload:
    ctx = info.context
    try:
        run = await service.request_review(ctx.platform, tenant_id=tenant_id, actor=ctx.actor,
                                           kind=kind, idempotency_key=key)
    except DomainError as exc:
        return ReviewPayload(errors=user_errors(exc))
    return ReviewPayload(run=run_node(run))
