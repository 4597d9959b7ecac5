"""Governance subjects in GraphQL: governing bodies, their evaluations, directives and
monitoring records (Evaluate-Direct-Monitor), and key decisions, escalated to the group when
reserved (seed §3 a, DESIGN §1)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    NotFound,
    UserError,
    filter_value,
    lineage,
    paginate,
    record_audit,
    requires,
    user_errors,
)

from .. import services
from ..models import (
    GovernanceDecision,
    GovernanceDirective,
    GovernanceEvaluation,
    GoverningBody,
    MonitoringRecord,
)
from ..services import DECISION_STATUSES, DIRECTIVE_STATUSES
from .common import inputs, mutate, node, page

OBJ = "ip_governance:governance"


@strawberry.type(name="GoverningBody", description="A governance subject: board or top "
                 "decision-maker, decision level, IP committee, internal supervision.")
class GoverningBodyType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    name: str
    kind: str
    chair: str
    mandate: str
    active: bool
    created_at: datetime


@strawberry.type(name="GovernanceEvaluation", description="Evaluate: a body's assessment.")
class GovernanceEvaluationType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    body_id: strawberry.ID
    subject: str
    conclusion: str
    rating: int | None = strawberry.field(description="1 (poor) to 5 (excellent)")
    evaluated_at: datetime


@strawberry.type(name="GovernanceDirective", description="Direct: an instruction a governing "
                 "body gives management (distinct from review directives).")
class GovernanceDirectiveType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    body_id: strawberry.ID
    title: str
    description: str
    owner: str
    due_at: datetime | None
    status: str = strawberry.field(description="open, in_progress, done or cancelled")
    issued_at: datetime


@strawberry.type(name="MonitoringRecord", description="Monitor: what a body observed.")
class MonitoringRecordType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    body_id: strawberry.ID
    subject: str
    observation: str
    status: str = strawberry.field(description="on_track, attention or off_track")
    recorded_at: datetime


@strawberry.type(name="GovernanceDecision", description="A key issue put to a governing "
                 "body; reserved decisions escalate to the group (escalationId).")
class GovernanceDecisionType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    decision_type: str
    subject: str
    object_type: str
    object_id: str
    deciding_tenant_id: strawberry.ID
    escalation_id: strawberry.ID | None
    status: str = strawberry.field(description="pending, approved or rejected")
    body_id: strawberry.ID | None
    decided_by: str | None
    decision_note: str | None
    requested_by: str
    created_at: datetime
    decided_at: datetime | None


def body_node(r: GoverningBody) -> GoverningBodyType:
    return node(GoverningBodyType, r)


def evaluation_node(r: GovernanceEvaluation) -> GovernanceEvaluationType:
    return node(GovernanceEvaluationType, r)


def directive_node(r: GovernanceDirective) -> GovernanceDirectiveType:
    return node(GovernanceDirectiveType, r)


def monitoring_node(r: MonitoringRecord) -> MonitoringRecordType:
    return node(MonitoringRecordType, r)


def decision_node(r: GovernanceDecision) -> GovernanceDecisionType:
    """The GraphQL view of a decision."""
    return node(GovernanceDecisionType, r)


@strawberry.input(description="A new governing body.")
class GoverningBodyInput:
    name: str
    kind: str = strawberry.field(description="board, top_decision_maker, decision_level, "
                                 "ip_committee, internal_supervision or other")
    chair: str = ""
    mandate: str = ""


@strawberry.input(description="An evaluation by a governing body.")
class GovernanceEvaluationInput:
    body_id: strawberry.ID
    subject: str
    conclusion: str = ""
    rating: int | None = None
    evaluated_at: datetime | None = None


@strawberry.input(description="A directive issued by a governing body.")
class GovernanceDirectiveInput:
    body_id: strawberry.ID
    title: str
    description: str = ""
    owner: str = ""
    due_at: datetime | None = None


@strawberry.input(description="A monitoring observation by a governing body.")
class MonitoringRecordInput:
    body_id: strawberry.ID
    subject: str
    observation: str = ""
    status: str = "on_track"
    recorded_at: datetime | None = None


@strawberry.type(description="The governing body created, or why not.")
class GoverningBodyPayload:
    body: GoverningBodyType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The evaluation recorded, or why not.")
class GovernanceEvaluationPayload:
    evaluation: GovernanceEvaluationType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The governance directive issued or changed, or why not.")
class GovernanceDirectivePayload:
    directive: GovernanceDirectiveType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The monitoring record stored, or why not.")
class MonitoringRecordPayload:
    record: MonitoringRecordType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The decision recorded, or why not.")
class GovernanceDecisionPayload:
    decision: GovernanceDecisionType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GovernanceQuery:
    @strawberry.field(description="Governing bodies of a tenant.",
                      extensions=requires(OBJ, "read"))
    async def governing_bodies(self, info: Info, tenant_id: strawberry.ID, first: int = 50,
                               after: str | None = None) -> Connection[GoverningBodyType]:
        return await page(info, tenant_id, GoverningBody, body_node, first=first, after=after)

    @strawberry.field(description="Evaluations of a tenant's bodies (optionally one body's).",
                      extensions=requires(OBJ, "read"))
    async def governance_evaluations(
        self, info: Info, tenant_id: strawberry.ID, body_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceEvaluationType]:
        where = (GovernanceEvaluation.body_id == str(body_id),) if body_id else ()
        return await page(info, tenant_id, GovernanceEvaluation, evaluation_node, first=first,
                          after=after, where=where)

    @strawberry.field(description="Directives issued by a tenant's governing bodies.",
                      extensions=requires(OBJ, "read"))
    async def governance_directives(
        self, info: Info, tenant_id: strawberry.ID, status: str | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceDirectiveType]:
        filter_value(status, DIRECTIVE_STATUSES, "status")
        where = (GovernanceDirective.status == status,) if status else ()
        return await page(info, tenant_id, GovernanceDirective, directive_node, first=first,
                          after=after, where=where)

    @strawberry.field(description="Monitoring records of a tenant's bodies.",
                      extensions=requires(OBJ, "read"))
    async def monitoring_records(
        self, info: Info, tenant_id: strawberry.ID, body_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[MonitoringRecordType]:
        where = (MonitoringRecord.body_id == str(body_id),) if body_id else ()
        return await page(info, tenant_id, MonitoringRecord, monitoring_node, first=first,
                          after=after, where=where)

    @strawberry.field(description="Decisions a tenant asked for (its own matters).",
                      extensions=requires(OBJ, "read"))
    async def governance_decisions(
        self, info: Info, tenant_id: strawberry.ID, status: str | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceDecisionType]:
        filter_value(status, DECISION_STATUSES, "status")
        where = (GovernanceDecision.status == status,) if status else ()
        return await page(info, tenant_id, GovernanceDecision, decision_node, first=first,
                          after=after, where=where)

    @strawberry.field(description="Decisions awaiting this tenant's governing bodies, its own "
                      "and those its subsidiaries escalated (those you may read).",
                      extensions=requires(OBJ, "read"))
    async def governance_decisions_awaiting(
        self, info: Info, tenant_id: strawberry.ID, status: str | None = "pending",
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceDecisionType]:
        ctx = info.context
        readable = ctx.platform.authz.tenants_where(ctx.require_principal().subject, OBJ, "read")
        stmt = select(GovernanceDecision).where(
            GovernanceDecision.deciding_tenant_id == str(tenant_id))
        if readable is not None:
            stmt = stmt.where(GovernanceDecision.tenant_id.in_(sorted(readable)))
        if filter_value(status, DECISION_STATUSES, "status"):
            stmt = stmt.where(GovernanceDecision.status == status)
        async with ctx.system_session("graphql: decisions awaiting a tenant (authorized)") as s:
            return await paginate(s, stmt, [GovernanceDecision.id], first=first, after=after,
                                  maximum=ctx.platform.settings.max_page_size,
                                  to_node=decision_node, key=lambda r: [r.id])


@strawberry.type
class GovernanceMutation:
    @strawberry.mutation(description="Register a governing body (governance subject).",
                         extensions=requires(OBJ, "create"))
    async def create_governing_body(self, info: Info, tenant_id: strawberry.ID,
                                    input: GoverningBodyInput) -> GoverningBodyPayload:  # noqa: A002
        return await mutate(info, tenant_id, GoverningBodyPayload, action="body.created",
                            obj="governance", field="body", to_node=body_node,
                            run=lambda s: services.create_body(s, str(tenant_id),
                                                               **inputs(input)))

    @strawberry.mutation(description="Record a governing body's evaluation (Evaluate).",
                         extensions=requires(OBJ, "create"))
    async def record_governance_evaluation(
        self, info: Info, tenant_id: strawberry.ID, input: GovernanceEvaluationInput,  # noqa: A002
    ) -> GovernanceEvaluationPayload:
        return await mutate(info, tenant_id, GovernanceEvaluationPayload,
                            action="evaluation.recorded", obj="governance", field="evaluation",
                            to_node=evaluation_node,
                            run=lambda s: services.record_evaluation(s, str(tenant_id),
                                                                     **inputs(input)))

    @strawberry.mutation(description="Issue a directive from a governing body (Direct).",
                         extensions=requires(OBJ, "create"))
    async def issue_governance_directive(
        self, info: Info, tenant_id: strawberry.ID, input: GovernanceDirectiveInput,  # noqa: A002
    ) -> GovernanceDirectivePayload:
        return await mutate(info, tenant_id, GovernanceDirectivePayload,
                            action="directive.issued", obj="governance", field="directive",
                            to_node=directive_node,
                            run=lambda s: services.issue_directive(s, str(tenant_id),
                                                                   **inputs(input)))

    @strawberry.mutation(description="Move a governance directive to another status.",
                         extensions=requires(OBJ, "update"))
    async def set_governance_directive_status(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID, status: str,  # noqa: A002
    ) -> GovernanceDirectivePayload:
        return await mutate(info, tenant_id, GovernanceDirectivePayload,
                            action="directive.status", obj="governance", field="directive",
                            to_node=directive_node,
                            run=lambda s: services.set_directive_status(s, str(tenant_id),
                                                                        str(id), status))

    @strawberry.mutation(description="Record what a governing body observed (Monitor).",
                         extensions=requires(OBJ, "create"))
    async def record_monitoring(
        self, info: Info, tenant_id: strawberry.ID, input: MonitoringRecordInput,  # noqa: A002
    ) -> MonitoringRecordPayload:
        return await mutate(info, tenant_id, MonitoringRecordPayload,
                            action="monitoring.recorded", obj="governance", field="record",
                            to_node=monitoring_node,
                            run=lambda s: services.record_monitoring(s, str(tenant_id),
                                                                     **inputs(input)))

    @strawberry.mutation(description="The final decision of this tenant's governing body on "
                         "a decision awaiting it (its own, or escalated by a subsidiary); it "
                         "also settles the group escalation.",
                         extensions=requires(OBJ, "decide"))
    async def record_governance_decision(
        self, info: Info, tenant_id: strawberry.ID, from_tenant_id: strawberry.ID,
        decision_id: strawberry.ID, body_id: strawberry.ID, approve: bool, note: str = "",
    ) -> GovernanceDecisionPayload:
        ctx = info.context
        deciding, origin = str(tenant_id), str(from_tenant_id)
        try:
            if deciding not in {t.id for t in lineage(ctx.platform, origin)}:
                raise NotFound("no such decision awaits this tenant", field="decisionId")
            async with ctx.multi_session({deciding, origin}, "graphql: governance decision") as s:
                decision = await services.record_decision(
                    ctx.platform, s, deciding_tenant_id=deciding, from_tenant_id=origin,
                    decision_id=str(decision_id), body_id=str(body_id), approve=approve,
                    note=note, actor=ctx.actor)
                for where in sorted({deciding, origin}):
                    await record_audit(ctx.platform, s, tenant_id=where, actor=ctx.actor,
                                       action=f"ip_governance.decision.{decision.status}",
                                       object_type="ip_governance:governance",
                                       object_id=decision.id,
                                       details={"type": decision.decision_type})
                result = decision_node(decision)
        except DomainError as exc:
            return GovernanceDecisionPayload(errors=user_errors(exc))
        return GovernanceDecisionPayload(decision=result)
