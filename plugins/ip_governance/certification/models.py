"""Tables of the certification area: the management-review record (GB/T 29490-2023 9.3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["ManagementReview"]


class ManagementReview(TenantScoped, Base):
    """Top management's review of the IP compliance system: when, who, what was considered
    (inputs), what was concluded and which actions were decided."""

    __tablename__ = "ipg_management_reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    held_at: Mapped[datetime] = mapped_column()
    chair: Mapped[str] = mapped_column(String(200))
    participants: Mapped[list] = mapped_column(default=list)
    inputs: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text)
    actions: Mapped[list] = mapped_column(default=list)
    next_review_due: Mapped[datetime | None] = mapped_column()
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
