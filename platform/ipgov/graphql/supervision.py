"""The supervision view in GraphQL: read-only, across the tenants the caller supervises.

Every field needs ``ipgov:supervision read`` somewhere; the scope is that tenant and all its
descendants (``ipgov.supervision.scope``). Every read is appended to the audit trail of the
caller's entitlement roots. There is no supervision mutation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

from ipgov.audit.verify import read_anchors, verify_chains
from ipgov.db import TenantScope
from ipgov.errors import Forbidden
from ipgov.i18n.labels import label
from ipgov.reviews.checks import Function, GovernanceDomain, Severity
from ipgov.reviews.models import Directive, DirectiveStatus, Finding, ReviewRun
from ipgov.supervision import queries
from ipgov.supervision.metrics import MetricValue, tenant_metrics
from ipgov.supervision.scope import SupervisionScope, audit_read, entitlement, narrow
from ipgov.tenancy.models import Escalation, EscalationStatus
from ipgov.validation import filter_value

from .audit import _escalation_node, events_page
from .audit_types import AuditEventType, AuditFilterInput, trail_filter
from .pagination import (
    Connection,
    Edge,
    PageInfo,
    check_page_size,
    decode_cursor,
    encode_cursor,
    paginate,
)
from .permissions import public, requires_any
from .reviews import (
    DirectiveType,
    FindingType,
    ReviewRunType,
    _directive_node,
    _finding_node,
    run_node,
)
from .scores import DimensionScore, dimension_scores, overall_score, stored_scores
from .types import EscalationType

__all__ = ["SupervisionQuery"]

PERM = requires_any("ipgov:supervision", "read")
DETAIL_LIMIT = 100


@strawberry.type(description="A tenant in the caller's supervision scope.")
class SupervisedTenant:
    id: strawberry.ID
    slug: str
    name: str
    parent_id: strawberry.ID | None
    depth: int
    governance_mode: str
    status: str

    @strawberry.field(description="The governance mode in the reader's language.",
                      extensions=public())  # the field returning the tenant checked access
    def governance_mode_label(self, info: Info) -> str:
        return label("governance_mode", self.governance_mode, info.context.locale)

    @strawberry.field(description="The status in the reader's language.", extensions=public())
    def status_label(self, info: Info) -> str:
        return label("tenant_status", self.status, info.context.locale)


@strawberry.type(description="One point of a score trend (a finished review).")
class TrendPoint:
    run_id: strawberry.ID
    finished_at: datetime
    overall: float | None
    functions: JSON
    coverage: float | None = strawberry.field(
        description="Assessed of applicable checks of that review (0..1); null when unknown.")


@strawberry.type(description="Audit-chain verification of one tenant.")
class SupervisionAuditStatus:
    ok: bool
    events: int
    first_bad_seq: int | None
    problem: str
    witnessed_seq: int | None = strawberry.field(
        description="The last event the witness recorded outside the database (null: none "
                    "yet, a rolled-back tail could not be excluded).")


@strawberry.type(description="Count of something per severity.")
class SeverityCount:
    severity: str
    count: int


@strawberry.type(description="A plugin's figure for one tenant (register_supervision_metrics).")
class SupervisionMetricValue:
    plugin: str
    key: str
    title: str = strawberry.field(description="In the reader's language.")
    description: str
    value: float | None = strawberry.field(description="Null: not measured.")
    failed: bool = strawberry.field(description="The plugin's computation failed.")


def _metric_node(m: MetricValue, locale: str) -> SupervisionMetricValue:
    title = m.title_zh if locale == "zh-CN" and m.title_zh else m.title
    return SupervisionMetricValue(plugin=m.plugin, key=m.key, title=title,
                                  description=m.description, value=m.value, failed=m.failed)


@strawberry.type(description="One tenant of the supervision overview.")
class SupervisionRow:
    tenant: SupervisedTenant
    latest_run_id: strawberry.ID | None
    latest_finished_at: datetime | None
    scores: JSON = strawberry.field(
        description="Latest finished review in the period, as stored: {method, functions, "
                    "domains, overall, coverage}; see functionScores for what each rests on.")
    trend: list[TrendPoint] = strawberry.field(
        description="The last six finished reviews in the period, oldest first.")
    open_findings: list[SeverityCount] = strawberry.field(
        description="Findings of the latest review by severity (filters applied).")
    overdue_directives: int = strawberry.field(description="Open directives past due.")
    risks_above_tolerance: int = strawberry.field(
        description="Open directives the review engine escalated (severity at or above the "
                    "tenant's risk tolerance, or overdue).")
    escalations_awaiting: int = strawberry.field(
        description="Pending escalated decisions this tenant must take.")
    audit_trail: SupervisionAuditStatus

    @strawberry.field(description="Every function's latest score with its coverage (score "
                      "null: not assessed).", extensions=public())
    def function_scores(self, info: Info) -> list[DimensionScore]:
        return dimension_scores(stored_scores(self.scores), "functions", info.context.locale)

    @strawberry.field(description="Every governance domain's latest score with its coverage.",
                      extensions=public())
    def domain_scores(self, info: Info) -> list[DimensionScore]:
        return dimension_scores(stored_scores(self.scores), "domains", info.context.locale)

    @strawberry.field(description="The latest overall score with its coverage.",
                      extensions=public())
    def overall_score(self, info: Info) -> DimensionScore:
        return overall_score(stored_scores(self.scores), info.context.locale)

    @strawberry.field(description="Figures of the plugins this tenant enables, by key "
                      "(one read-only session per tenant, only when asked for).",
                      extensions=public())
    async def plugin_metrics(self, info: Info) -> list[SupervisionMetricValue]:
        values = await tenant_metrics(info.context.platform, str(self.tenant.id))
        return [_metric_node(m, info.context.locale) for m in values]


@strawberry.type(description="One supervised tenant in detail.")
class SupervisionTenantDetail:
    tenant: SupervisedTenant
    latest_run: ReviewRunType | None
    findings: Connection[FindingType] = strawberry.field(
        description="Findings of the latest finished review.")
    open_directives: list[DirectiveType] = strawberry.field(
        description="Open directives, earliest due first (at most 100).")
    review_history: list[ReviewRunType] = strawberry.field(
        description="The last 20 finished reviews, newest first.")
    escalations_awaiting: list[EscalationType] = strawberry.field(
        description="Pending escalated decisions, oldest first (at most 100).")


@strawberry.type(description="A supervised tenant's audit trail and its verification.")
class SupervisionAuditTrail:
    tenant_id: strawberry.ID
    events: Connection[AuditEventType]
    verification: SupervisionAuditStatus


def _tenant_node(t: queries.TenantRow) -> SupervisedTenant:
    return SupervisedTenant(id=strawberry.ID(t.id), slug=t.slug, name=t.name,
                            parent_id=strawberry.ID(t.parent_id) if t.parent_id else None,
                            depth=t.depth, governance_mode=t.governance_mode, status=t.status)


def _status(v: Any) -> SupervisionAuditStatus:
    return SupervisionAuditStatus(ok=v.ok, events=v.events, first_bad_seq=v.first_bad_seq,
                                  problem=v.problem, witnessed_seq=v.witnessed_seq)


def _row_node(r: queries.OverviewRow) -> SupervisionRow:
    order = {s: i for i, s in enumerate(queries.SEVERITIES)}
    return SupervisionRow(
        tenant=_tenant_node(r.tenant),
        latest_run_id=strawberry.ID(r.latest_run_id) if r.latest_run_id else None,
        latest_finished_at=r.latest_finished_at, scores=JSON(r.scores),
        trend=[TrendPoint(run_id=strawberry.ID(p.run_id), finished_at=p.finished_at,
                          overall=p.overall, functions=JSON(p.functions), coverage=p.coverage)
               for p in r.trend],
        open_findings=[SeverityCount(severity=s, count=c) for s, c in sorted(
            r.open_findings.items(), key=lambda i: order.get(i[0], 99))],
        overdue_directives=r.overdue_directives, risks_above_tolerance=r.risks_above_tolerance,
        escalations_awaiting=r.escalations_awaiting, audit_trail=_status(r.audit_trail))


def _scope(info: Info) -> SupervisionScope:
    return entitlement(info.context.platform, info.context.require_principal().subject)


def _session(info: Info, ids: set[str]) -> Any:
    return info.context.platform.db.session(
        TenantScope.tenants(frozenset(ids), "supervision: read"), readonly=True)


def _one(scope: SupervisionScope, tenant_id: str) -> str:
    if str(tenant_id) not in scope:
        raise Forbidden("this tenant is outside your supervision scope", field="tenantId")
    return str(tenant_id)


def _page(items: list[Any], more: bool, to_node: Any, key: Any) -> Connection[Any]:
    edges = [Edge(cursor=encode_cursor(key(i)), node=to_node(i)) for i in items]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=more, end_cursor=edges[-1].cursor if edges else None))


SUPERVISION_PAGE = 250
"""Heatmap pages are larger than other lists: a group of 200 subsidiaries fits in one request
(each row costs the same fixed number of SQL statements per page, not per tenant)."""


def _max_rows(platform: Any) -> int:
    return max(platform.settings.max_page_size, SUPERVISION_PAGE)


@strawberry.type
class SupervisionQuery:
    @strawberry.field(description="Tenants the caller supervises (a subtree with rootId), "
                      "by slug.", extensions=PERM)
    async def supervision_tenants(self, info: Info, root_id: strawberry.ID | None = None,
                                  first: int = 100, after: str | None = None,
                                  ) -> Connection[SupervisedTenant]:
        platform = info.context.platform
        check_page_size(first, _max_rows(platform))
        scope = _scope(info)
        ids = narrow(platform, scope, root_id)
        after_slug = decode_cursor(after, 1)[0] if after else None
        await audit_read(platform, scope, field="supervisionTenants", size=len(ids),
                         filters={"rootId": root_id})
        async with _session(info, ids) as session:
            tenants, more = await queries.tenant_page(session, ids, first=first,
                                                      after_slug=after_slug)
        return _page(tenants, more, _tenant_node, lambda t: [t.slug])

    @strawberry.field(description="Scores, trends, findings, directives, escalations and "
                      "audit status per supervised tenant.", extensions=PERM)
    async def supervision_overview(
        self, info: Info, root_id: strawberry.ID | None = None,
        tenant_ids: list[strawberry.ID] | None = None, functions: list[str] | None = None,
        domains: list[str] | None = None, severities: list[str] | None = None,
        since: datetime | None = None, until: datetime | None = None, first: int = 100,
        after: str | None = None,
    ) -> Connection[SupervisionRow]:
        platform = info.context.platform
        check_page_size(first, _max_rows(platform))
        scope = _scope(info)
        ids = narrow(platform, scope, root_id, tenant_ids)
        after_slug = decode_cursor(after, 1)[0] if after else None
        for field, values, allowed in (("functions", functions, Function),
                                       ("domains", domains, GovernanceDomain),
                                       ("severities", severities, Severity)):
            for value in values or ():
                filter_value(value, [v.value for v in allowed], field)
        filters = queries.Filters(tuple(functions or ()), tuple(domains or ()),
                                  tuple(severities or ()), since, until)
        await audit_read(platform, scope, field="supervisionOverview", size=len(ids),
                         filters={"rootId": root_id, "tenantIds": tenant_ids,
                                  **filters.as_details()})
        verifier = await read_anchors(platform, ids)  # before the snapshot begins
        async with _session(info, ids) as session:
            rows, more = await queries.overview(session, verifier, ids,
                                                filters=filters, first=first,
                                                after_slug=after_slug)
        return _page(rows, more, _row_node, lambda r: [r.tenant.slug])

    @strawberry.field(description="One supervised tenant: latest findings, open directives, "
                      "review history, escalations awaiting.", extensions=PERM)
    async def supervision_tenant_detail(
        self, info: Info, tenant_id: strawberry.ID, findings_first: int = 50,
        findings_after: str | None = None,
    ) -> SupervisionTenantDetail:
        platform = info.context.platform
        maximum = platform.settings.max_page_size
        check_page_size(findings_first, maximum)
        scope = _scope(info)
        tid = _one(scope, tenant_id)
        await audit_read(platform, scope, field="supervisionTenantDetail", size=1,
                         filters={"tenantId": tid})
        async with _session(info, {tid}) as session:
            tenants, _ = await queries.tenant_page(session, {tid}, first=1)
            history = list((await session.execute(
                select(ReviewRun).where(ReviewRun.tenant_id == tid, ReviewRun.kind == "tenant",
                                        ReviewRun.finished_at.is_not(None))
                .order_by(ReviewRun.finished_at.desc(), ReviewRun.id.desc()).limit(20)
            )).scalars())
            latest = history[0] if history else None
            findings = await paginate(
                session, select(Finding).where(Finding.tenant_id == tid,
                                               Finding.run_id == (latest.id if latest else "")),
                [Finding.id], first=findings_first, after=findings_after, maximum=maximum,
                to_node=lambda f: _finding_node(f, info.context), key=lambda f: [f.id])
            directives = (await session.execute(
                select(Directive).where(Directive.tenant_id == tid,
                                        Directive.status == DirectiveStatus.OPEN)
                .order_by(Directive.due_at, Directive.id).limit(DETAIL_LIMIT))).scalars()
            escalations = (await session.execute(
                select(Escalation).where(Escalation.tenant_id == tid,
                                         Escalation.status == EscalationStatus.PENDING)
                .order_by(Escalation.created_at, Escalation.id).limit(DETAIL_LIMIT))).scalars()
            return SupervisionTenantDetail(
                tenant=_tenant_node(tenants[0]),
                latest_run=run_node(latest) if latest else None, findings=findings,
                open_directives=[_directive_node(d, info.context) for d in directives],
                review_history=[run_node(r) for r in history],
                escalations_awaiting=[_escalation_node(e) for e in escalations])

    @strawberry.field(description="A supervised tenant's audit trail (oldest first unless "
                      "newestFirst, filtered like auditEvents) and the verification of its hash "
                      "chain, read in one snapshot.", extensions=PERM)
    async def supervision_audit_trail(self, info: Info, tenant_id: strawberry.ID,
                                      first: int = 50, after: str | None = None,
                                      filter: AuditFilterInput | None = None,  # noqa: A002
                                      newest_first: bool = False,
                                      ) -> SupervisionAuditTrail:
        platform = info.context.platform
        maximum = platform.settings.max_page_size
        check_page_size(first, maximum)
        flt = trail_filter(filter)
        scope = _scope(info)
        tid = _one(scope, tenant_id)
        await audit_read(platform, scope, field="supervisionAuditTrail", size=1,
                         filters={"tenantId": tid, **flt.as_details()})
        verifier = await read_anchors(platform, [tid])  # before the snapshot begins
        async with _session(info, {tid}) as session:
            events = await events_page(session, tid, flt, first=first, after=after,
                                       newest_first=newest_first, maximum=maximum)
            result = (await verify_chains(session, verifier, [tid]))[tid]
        return SupervisionAuditTrail(tenant_id=strawberry.ID(tid), events=events,
                                     verification=_status(result))
