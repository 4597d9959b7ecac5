"""Reserved decisions (seed 5.3): who decides, and escalating to the group when it is not us."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from .models import Escalation, Tenant
from .modes import GovernanceMode
from .tree import get_tenant

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["decide_escalation", "deciding_tenant", "escalate_if_reserved"]


async def deciding_tenant(session: AsyncSession, tenant: Tenant, decision_type: str) -> Tenant:
    """The tenant that takes ``decision_type`` for ``tenant``.

    The group (root) when the parent's mode says it decides (``GovernanceMode.group_decides``:
    centralized always, hybrid for the types the group reserves), else the tenant itself.
    """
    if not tenant.parent_id:
        return tenant
    parent = await get_tenant(session, tenant.parent_id)
    root = await get_tenant(session, tenant.root_id)
    mode = GovernanceMode(parent.governance_mode)
    return root if mode.group_decides(decision_type, root.reserved_decisions or []) else tenant


async def escalate_if_reserved(
    platform: Platform, session: AsyncSession, *, tenant_id: str, decision_type: str,
    subject: str, actor: str, payload: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Escalation | None:
    """Create an escalation when the group decides; ``None`` when the tenant may decide itself.

    ``session`` must be able to write in the group's tenant (a system or multi-tenant scope).
    """
    tenant = await get_tenant(session, tenant_id)
    decider = await deciding_tenant(session, tenant, decision_type)
    if decider.id == tenant.id:
        return None
    escalation = Escalation(
        tenant_id=decider.id, from_tenant_id=tenant.id, decision_type=decision_type,
        subject=subject[:500], payload=payload or {}, requested_by=actor,
    )
    if idempotency_key:
        escalation.idempotency_key = idempotency_key
    session.add(escalation)
    await session.flush()
    for where in (tenant.id, decider.id):
        await platform.audit(session, tenant_id=where, actor=actor, action="escalation.created",
                             object_type="ipgov:escalation", object_id=escalation.id,
                             details={"decision_type": decision_type, "from": tenant.slug})
    return escalation


async def decide_escalation(
    platform: Platform, session: AsyncSession, *, tenant_id: str, escalation_id: str,
    approve: bool, actor: str, note: str = "",
) -> Escalation:
    """Approve or reject an escalation owned by ``tenant_id`` (once), with an audit event."""
    from ipgov.db.base import utcnow
    from ipgov.errors import Conflict, NotFound

    from .models import EscalationStatus

    escalation = await session.get(Escalation, escalation_id)
    if escalation is None or escalation.tenant_id != tenant_id:
        raise NotFound("no such escalation in this tenant", field="escalationId")
    if escalation.status != EscalationStatus.PENDING:
        raise Conflict(f"the escalation is already {escalation.status}", code="ALREADY_DECIDED")
    escalation.status = EscalationStatus.APPROVED if approve else EscalationStatus.REJECTED
    escalation.decided_by, escalation.decided_at = actor, utcnow()
    escalation.decision_note = (note or "")[:2000]
    await platform.audit(session, tenant_id=tenant_id, actor=actor,
                         action=f"escalation.{escalation.status}",
                         object_type="ipgov:escalation", object_id=escalation.id,
                         details={"decision_type": escalation.decision_type})
    await platform.record_event(
        session, tenant_id=tenant_id, type="escalation.decided", actor=actor,
        object_id=escalation.id,
        payload={"tenant_id": tenant_id, "escalation_id": escalation.id,
                 "decision_type": escalation.decision_type[:200], "status": escalation.status,
                 "from_tenant_id": escalation.from_tenant_id})
    return escalation
