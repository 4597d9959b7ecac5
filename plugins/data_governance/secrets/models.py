"""Tables of the trade-secret register: reasonable-steps evidence and the content access log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

from ..common import ordered_id

__all__ = ["DataAccessLog", "ReasonableStep"]


class ReasonableStep(TenantScoped, Base):
    """Evidence of a step taken to keep a trade secret secret (NDA, access restriction,
    marking, training), with the date taken and when it needs renewing."""

    __tablename__ = "dg_reasonable_steps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("dg_assets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    taken_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    evidence_ref: Mapped[str] = mapped_column(String(300), default="")
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataAccessLog(TenantScoped, Base):
    """One attempt to read an asset's content: who, when, why, and whether it was granted."""

    __tablename__ = "dg_access_log"
    __table_args__ = (Index("ix_dg_access_log_asset_at", "asset_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=ordered_id)
    asset_id: Mapped[str] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10))  # granted | denied
    classification: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
