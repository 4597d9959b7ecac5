"""Audit trail, escalations and plugins in GraphQL."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.audit.chain import verify_tenant
from ipgov.audit.models import AuditEvent
from ipgov.errors import DomainError
from ipgov.tenancy.decisions import decide_escalation
from ipgov.tenancy.models import Escalation, EscalationStatus
from ipgov.validation import filter_value

from .errors import UserError, user_errors
from .pagination import Connection, paginate
from .permissions import authenticated, requires
from .types import AuditEventType, AuditVerificationType, EscalationType, PluginType

__all__ = ["AuditMutation", "AuditQuery"]


def _event_node(e: AuditEvent) -> AuditEventType:
    return AuditEventType(id=strawberry.ID(e.id), tenant_id=strawberry.ID(e.tenant_id), seq=e.seq,
                          occurred_at=e.occurred_at, actor=e.actor, action=e.action,
                          object_type=e.object_type, object_id=e.object_id,
                          request_id=e.request_id, hash=e.hash)


def _escalation_node(e: Escalation) -> EscalationType:
    return EscalationType(
        id=strawberry.ID(e.id), tenant_id=strawberry.ID(e.tenant_id),
        from_tenant_id=strawberry.ID(e.from_tenant_id), decision_type=e.decision_type,
        subject=e.subject, requested_by=e.requested_by, status=e.status,
        decided_by=e.decided_by, decision_note=e.decision_note, created_at=e.created_at,
        decided_at=e.decided_at)


@strawberry.type(description="The escalation decided, or why nothing changed.")
class EscalationPayload:
    escalation: EscalationType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The tenant's audit trail, oldest first.",
                      extensions=requires("ipgov:audit", "read"))
    async def audit_events(
        self, info: Info, tenant_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[AuditEventType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            return await paginate(
                session, select(AuditEvent), [AuditEvent.seq], first=first, after=after,
                maximum=ctx.platform.settings.max_page_size, to_node=_event_node,
                key=lambda e: [e.seq])

    @strawberry.field(description="Verify the tenant's hash chain; names the first bad event.",
                      extensions=requires("ipgov:audit", "verify"))
    async def verify_audit_trail(
        self, info: Info, tenant_id: strawberry.ID
    ) -> AuditVerificationType:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            r = await verify_tenant(session, ctx.platform.audit_key, str(tenant_id))
        return AuditVerificationType(tenant_id=strawberry.ID(r.tenant_id), ok=r.ok,
                                     events=r.events, first_bad_seq=r.first_bad_seq,
                                     first_bad_id=r.first_bad_id, problem=r.problem)

    @strawberry.field(description="Decisions escalated to this tenant.",
                      extensions=requires("ipgov:escalation", "read"))
    async def escalations(
        self, info: Info, tenant_id: strawberry.ID, status: str | None = None, first: int = 50,
        after: str | None = None,
    ) -> Connection[EscalationType]:
        ctx = info.context
        stmt = select(Escalation)
        if filter_value(status, [s.value for s in EscalationStatus], "status"):
            stmt = stmt.where(Escalation.status == status)
        async with ctx.session(str(tenant_id)) as session:
            return await paginate(
                session, stmt, [Escalation.id], first=first, after=after,
                maximum=ctx.platform.settings.max_page_size, to_node=_escalation_node,
                key=lambda e: [e.id])

    @strawberry.field(description="Installed plugins.", extensions=authenticated())
    def plugins(self, info: Info) -> list[PluginType]:
        registry = info.context.platform.registry
        return [PluginType(name=p.info.name, version=p.info.version,
                           api_version=p.info.api_version, description=p.info.description)
                for _n, p in sorted(registry.plugins.items())]


@strawberry.type
class AuditMutation:
    @strawberry.mutation(description="Approve or reject a decision escalated to this tenant.",
                         extensions=requires("ipgov:escalation", "decide"))
    async def decide_escalation(
        self, info: Info, tenant_id: strawberry.ID, escalation_id: strawberry.ID, approve: bool,
        note: str = "",
    ) -> EscalationPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                esc = await decide_escalation(
                    ctx.platform, session, tenant_id=str(tenant_id),
                    escalation_id=str(escalation_id), approve=approve, actor=ctx.actor,
                    note=note)
                node = _escalation_node(esc)
        except DomainError as exc:
            return EscalationPayload(errors=user_errors(exc))
        return EscalationPayload(escalation=node)
