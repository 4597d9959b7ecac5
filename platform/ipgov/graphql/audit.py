"""Audit trail, escalations and plugins in GraphQL."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.audit.trail import TrailFilter, trail_page
from ipgov.audit.verify import verify_snapshot
from ipgov.db import TenantScope
from ipgov.errors import DomainError
from ipgov.tenancy.decisions import decide_escalation
from ipgov.tenancy.models import Escalation, EscalationStatus
from ipgov.validation import filter_value

from .audit_types import (
    AuditEventType,
    AuditFilterInput,
    AuditVerificationType,
    event_node,
    trail_filter,
    verification_node,
)
from .errors import UserError, user_errors
from .kit import page_in
from .pagination import (
    Connection,
    Edge,
    PageInfo,
    check_page_size,
    decode_cursor,
    encode_cursor,
)
from .permissions import authenticated, requires
from .types import EscalationType, PluginType

__all__ = ["AuditMutation", "AuditQuery", "events_page"]

async def events_page(session: AsyncSession, tenant_id: str, flt: TrailFilter, *, first: int,
                      after: str | None, newest_first: bool,
                      maximum: int) -> Connection[AuditEventType]:
    """A filtered keyset page of ``tenant_id``'s trail as a connection (cursor: the seq)."""
    check_page_size(first, maximum)
    after_seq = None
    if after:
        (value,) = decode_cursor(after, 1)
        if not isinstance(value, int) or isinstance(value, bool):
            from ipgov.errors import InvalidInput

            raise InvalidInput("the cursor is malformed", code="BAD_CURSOR", field="after")
        after_seq = value
    rows, more = await trail_page(session, tenant_id, flt, first=first, after_seq=after_seq,
                                  newest_first=newest_first)
    edges: list[Any] = [Edge(cursor=encode_cursor([e.seq]), node=event_node(e)) for e in rows]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=more, end_cursor=edges[-1].cursor if edges else None))


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
    @strawberry.field(description="The tenant's audit trail (oldest first unless newestFirst), "
                      "filtered by actor, action, object and time.",
                      extensions=requires("ipgov:audit", "read"))
    async def audit_events(
        self, info: Info, tenant_id: strawberry.ID, first: int = 50, after: str | None = None,
        filter: AuditFilterInput | None = None, newest_first: bool = False,  # noqa: A002
    ) -> Connection[AuditEventType]:
        ctx = info.context
        check_page_size(first, ctx.platform.settings.max_page_size)  # before any statement
        flt = trail_filter(filter)
        async with ctx.platform.db.session(TenantScope.tenant(str(tenant_id)),
                                           readonly=True) as session:
            return await events_page(session, str(tenant_id), flt, first=first, after=after,
                                     newest_first=newest_first,
                                     maximum=ctx.platform.settings.max_page_size)

    @strawberry.field(description="Verify the tenant's hash chain in one snapshot, against the "
                      "witness kept outside the database; names the first bad event.",
                      extensions=requires("ipgov:audit", "verify"))
    async def verify_audit_trail(
        self, info: Info, tenant_id: strawberry.ID
    ) -> AuditVerificationType:
        ctx = info.context
        tid = str(tenant_id)
        results = await verify_snapshot(ctx.platform, [tid], TenantScope.tenant(tid))
        return verification_node(results[tid])

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
            return await page_in(
                info, session, stmt, [Escalation.id], first=first, after=after,
                to_node=_escalation_node,
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
