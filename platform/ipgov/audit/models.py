"""Audit events, hash-chained per tenant, and the per-tenant chain head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

__all__ = ["AuditEvent", "AuditHead", "TRAIL_INDEXES"]


TRAIL_INDEXES = {
    "ix_audit_events_tenant_actor": ("tenant_id", "actor", "seq"),
    "ix_audit_events_tenant_action": ("tenant_id", "action", "seq"),
    "ix_audit_events_tenant_object": ("tenant_id", "object_type", "object_id", "seq"),
    "ix_audit_events_tenant_time": ("tenant_id", "occurred_at"),
}
"""The indexes behind the trail's filters (``ipgov.audit.trail``), made by ``0006_audit``."""


class AuditEvent(TenantScoped, Base):
    """One appended event; ``hash`` covers the event and the previous event's hash."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),
                      *(Index(name, *cols) for name, cols in TRAIL_INDEXES.items()))
    __movable_on_absorption__ = False

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(120))
    object_type: Mapped[str] = mapped_column(String(120))
    object_id: Mapped[str] = mapped_column(String(200), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(TenantScoped, Base):
    """The last sequence number and hash of a tenant's chain, MACed; detects truncation."""

    __tablename__ = "audit_heads"
    __table_args__ = (UniqueConstraint("tenant_id"),)
    __movable_on_absorption__ = False

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=0)
