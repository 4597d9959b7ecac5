"""Tenants (a tree of corporate groups and subsidiaries) and escalated decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

from .modes import GovernanceMode

__all__ = [
    "DEFAULT_RESERVED_DECISIONS",
    "Escalation",
    "PLATFORM_TENANT_ID",
    "Tenant",
    "TenantKind",
    "TenantStatus",
]

PLATFORM_TENANT_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_RESERVED_DECISIONS = ["risk_appetite", "patent_family_abandonment", "strategy_approval"]


class TenantKind(StrEnum):
    """The platform's own tenant, a corporate group (a root) or a subsidiary."""

    PLATFORM = "platform"
    GROUP = "group"
    SUBSIDIARY = "subsidiary"


class TenantStatus(StrEnum):
    """Only active tenants act; suspended and archived ones keep every row."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"
    ABSORBED = "absorbed"


class Tenant(Base):
    """A node of the tenant tree; ``governance_mode`` governs how it rules its children."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=TenantKind.SUBSIDIARY)
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("tenants.id", ondelete="RESTRICT"), index=True
    )
    root_id: Mapped[str] = mapped_column(String(36), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    governance_mode: Mapped[str] = mapped_column(String(20), default=GovernanceMode.HYBRID)
    status: Mapped[str] = mapped_column(String(20), default=TenantStatus.ACTIVE)
    absorbed_into_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("tenants.id"))
    enabled_plugins: Mapped[list] = mapped_column(default=list)
    """The plugins in effect here: ``local_plugins`` plus the baseline its lineage imposes."""
    local_plugins: Mapped[list] = mapped_column(default=list, server_default=text("'[]'"))
    """Plugins enabled for this tenant itself (at onboarding or with ``enablePlugin``)."""
    plugin_baseline: Mapped[list] = mapped_column(default=list, server_default=text("'[]'"))
    """Plugins this tenant imposes on its centrally or hybrid governed subtree."""
    provisioned_plugins: Mapped[list] = mapped_column(default=list, server_default=text("'[]'"))
    """Plugins whose ``on_tenant_created`` has run for this tenant (it runs once)."""
    reserved_decisions: Mapped[list] = mapped_column(default=list)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    session_idle_seconds: Mapped[int | None] = mapped_column(Integer)
    """A group's idle timeout for its members' sign-in sessions (null: the platform's)."""
    session_max_seconds: Mapped[int | None] = mapped_column(Integer)
    """A group's absolute session lifetime (null: the platform's)."""
    assistant_writes: Mapped[bool | None] = mapped_column(Boolean)
    """Whether AI assistants' write tools may act here: false refuses them in this tenant and
    every tenant below; null leaves it to the parent (allowed at the top)."""
    second_factor_roles: Mapped[list | None] = mapped_column()
    """A group's roles whose holders must sign in with a second factor (null: none)."""
    second_factor_permissions: Mapped[list | None] = mapped_column()
    """``object:action`` permissions (a clearance) whose holders must too (null: none)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EscalationStatus(StrEnum):
    """An escalated decision waits for the group, then is approved or rejected."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Escalation(TenantScoped, Base):
    """A decision a subsidiary may not take alone, owned by the tenant that must decide it."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    from_tenant_id: Mapped[str] = mapped_column(String(36), ForeignKey("tenants.id"), index=True)
    decision_type: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict] = mapped_column(default=dict)
    requested_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=EscalationStatus.PENDING)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_note: Mapped[str | None] = mapped_column(String(2000))
    idempotency_key: Mapped[str] = mapped_column(String(200), default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
