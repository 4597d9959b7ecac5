"""Tables of lifecycle management: the transition history and destruction requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

from ..common import ordered_id

__all__ = ["DestructionRequest", "LifecycleEvent"]


class LifecycleEvent(TenantScoped, Base):
    """One move of an asset between lifecycle stages, by a person or a sweep job."""

    __tablename__ = "dg_lifecycle_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=ordered_id)
    asset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("dg_assets.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class DestructionRequest(TenantScoped, Base):
    """A request to destroy an asset: pending until enough distinct people approve it, then
    executed by the lifecycle sweep (content purged, tombstone kept, audited)."""

    __tablename__ = "dg_destruction_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("dg_assets.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    required_approvals: Mapped[int] = mapped_column(Integer, default=1)
    approvals: Mapped[list] = mapped_column(default=list)
    decided_at: Mapped[datetime | None] = mapped_column()
    executed_at: Mapped[datetime | None] = mapped_column()
