"""Governance subjects in GraphQL: governing bodies, their evaluations, directives and
monitoring records (Evaluate-Direct-Monitor), and key decisions, escalated to the group when
reserved (seed §3 a, DESIGN §1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    NotFound,
    UserError,
    descendants,
    filter_value,
    input_values,
    lineage,
    mutate,
    page_in,
    record_audit,
    requires,
    row_mapper,
    tenant_page,
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


body_node = row_mapper(GoverningBodyType)


evaluation_node = row_mapper(GovernanceEvaluationType)


directive_node = row_mapper(GovernanceDirectiveType)


monitoring_node = row_mapper(MonitoringRecordType)


decision_node = row_mapper(GovernanceDecisionType)


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
        return await tenant_page(
            info, str(tenant_id), select(GoverningBody), [GoverningBody.id],
            first=first, after=after, to_node=body_node)

    @strawberry.field(description="Evaluations of a tenant's bodies (optionally one body's).",
                      extensions=requires(OBJ, "read"))
    async def governance_evaluations(
        self, info: Info, tenant_id: strawberry.ID, body_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceEvaluationType]:
        where = (GovernanceEvaluation.body_id == str(body_id),) if body_id else ()
        return await tenant_page(
            info, str(tenant_id), select(GovernanceEvaluation).where(*where),
            [GovernanceEvaluation.id], first=first, after=after, to_node=evaluation_node)

    @strawberry.field(description="Directives issued by a tenant's governing bodies.",
                      extensions=requires(OBJ, "read"))
    async def governance_directives(
        self, info: Info, tenant_id: strawberry.ID, status: str | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceDirectiveType]:
        filter_value(status, DIRECTIVE_STATUSES, "status")
        where = (GovernanceDirective.status == status,) if status else ()
        return await tenant_page(
            info, str(tenant_id), select(GovernanceDirective).where(*where),
            [GovernanceDirective.id], first=first, after=after, to_node=directive_node)

    @strawberry.field(description="Monitoring records of a tenant's bodies.",
                      extensions=requires(OBJ, "read"))
    async def monitoring_records(
        self, info: Info, tenant_id: strawberry.ID, body_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[MonitoringRecordType]:
        where = (MonitoringRecord.body_id == str(body_id),) if body_id else ()
        return await tenant_page(
            info, str(tenant_id), select(MonitoringRecord).where(*where),
            [MonitoringRecord.id], first=first, after=after, to_node=monitoring_node)

    @strawberry.field(description="Decisions a tenant asked for (its own matters).",
                      extensions=requires(OBJ, "read"))
    async def governance_decisions(
        self, info: Info, tenant_id: strawberry.ID, status: str | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceDecisionType]:
        filter_value(status, DECISION_STATUSES, "status")
        where = (GovernanceDecision.status == status,) if status else ()
        return await tenant_page(
            info, str(tenant_id), select(GovernanceDecision).where(*where),
            [GovernanceDecision.id], first=first, after=after, to_node=decision_node)

    @strawberry.field(description="Decisions awaiting this tenant's governing bodies, its own "
                      "and those its subsidiaries escalated (those you may read).",
                      extensions=requires(OBJ, "read"))
    async def governance_decisions_awaiting(
        self, info: Info, tenant_id: strawberry.ID, status: str | None = "pending",
        first: int = 50, after: str | None = None,
    ) -> Connection[GovernanceDecisionType]:
        ctx = info.context
        deciding = str(tenant_id)
        stmt = select(GovernanceDecision).where(GovernanceDecision.deciding_tenant_id == deciding)
        if filter_value(status, DECISION_STATUSES, "status"):
            stmt = stmt.where(GovernanceDecision.status == status)
        # Decisions awaiting a tenant come from it or from below it (an escalation goes up its
        # lineage); read them in those of these tenants the caller may read, nowhere else.
        readable = ctx.platform.tenants_where(ctx.require_principal().subject, OBJ, "read")
        below = {deciding} | {t.id for t in descendants(ctx.platform, deciding)}
        tenants = below if readable is None else below & set(readable)
        async with ctx.multi_session(tenants, "graphql: decisions awaiting a tenant") as s:
            return await page_in(info, s, stmt, [GovernanceDecision.id], first=first,
                                 after=after, to_node=decision_node)


@strawberry.type
class GovernanceMutation:
    @strawberry.mutation(description="Register a governing body (governance subject).",
                         extensions=requires(OBJ, "create"))
    async def create_governing_body(self, info: Info, tenant_id: strawberry.ID,
                                    input: GoverningBodyInput) -> GoverningBodyPayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), GoverningBodyPayload, "body",
            lambda s: services.create_body(s, str(tenant_id), **input_values(input)),
            action="ip_governance.body.created", object_type=OBJ, to_node=body_node)

    @strawberry.mutation(description="Record a governing body's evaluation (Evaluate).",
                         extensions=requires(OBJ, "create"))
    async def record_governance_evaluation(
        self, info: Info, tenant_id: strawberry.ID, input: GovernanceEvaluationInput,  # noqa: A002
    ) -> GovernanceEvaluationPayload:
        return await mutate(
            info, str(tenant_id), GovernanceEvaluationPayload, "evaluation",
            lambda s: services.record_evaluation(s, str(tenant_id), **input_values(input)),
            action="ip_governance.evaluation.recorded", object_type=OBJ, to_node=evaluation_node)

    @strawberry.mutation(description="Issue a directive from a governing body (Direct).",
                         extensions=requires(OBJ, "create"))
    async def issue_governance_directive(
        self, info: Info, tenant_id: strawberry.ID, input: GovernanceDirectiveInput,  # noqa: A002
    ) -> GovernanceDirectivePayload:
        return await mutate(
            info, str(tenant_id), GovernanceDirectivePayload, "directive",
            lambda s: services.issue_directive(s, str(tenant_id), **input_values(input)),
            action="ip_governance.directive.issued", object_type=OBJ, to_node=directive_node)

    @strawberry.mutation(description="Move a governance directive to another status.",
                         extensions=requires(OBJ, "update"))
    async def set_governance_directive_status(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID, status: str,  # noqa: A002
    ) -> GovernanceDirectivePayload:
        return await mutate(
            info, str(tenant_id), GovernanceDirectivePayload, "directive",
            lambda s: services.set_directive_status(s, str(tenant_id), str(id), status),
            action="ip_governance.directive.status", object_type=OBJ, to_node=directive_node)

    @strawberry.mutation(description="Record what a governing body observed (Monitor).",
                         extensions=requires(OBJ, "create"))
    async def record_monitoring(
        self, info: Info, tenant_id: strawberry.ID, input: MonitoringRecordInput,  # noqa: A002
    ) -> MonitoringRecordPayload:
        return await mutate(
            info, str(tenant_id), MonitoringRecordPayload, "record",
            lambda s: services.record_monitoring(s, str(tenant_id), **input_values(input)),
            action="ip_governance.monitoring.recorded", object_type=OBJ, to_node=monitoring_node)

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

        async def decide(s: Any) -> Any:
            if deciding not in {t.id for t in lineage(ctx.platform, origin)}:
                raise NotFound("no such decision awaits this tenant", field="decisionId")
            decision = await services.record_decision(
                ctx.platform, s, deciding_tenant_id=deciding, from_tenant_id=origin,
                decision_id=str(decision_id), body_id=str(body_id), approve=approve,
                note=note, actor=ctx.actor)
            for where in sorted({deciding, origin}):  # both trails: the event is in each
                await record_audit(ctx.platform, s, tenant_id=where, actor=ctx.actor,
                                   action=f"ip_governance.decision.{decision.status}",
                                   object_type=OBJ, object_id=decision.id,
                                   details={"type": decision.decision_type})
            return decision

        return await mutate(
            info, deciding, GovernanceDecisionPayload, "decision", decide, action=None,
            to_node=decision_node,
            session=lambda: ctx.multi_session({deciding, origin}, "graphql: governance decision"))
