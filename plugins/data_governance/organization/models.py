"""Table of the data governance organization (seed 7.4 b): who holds which role (owner,
steward, custodian) with which decision rights, per asset or per domain (an asset kind)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["GovernanceRoleAssignment"]


class GovernanceRoleAssignment(TenantScoped, Base):
    """A person's data governance role over one asset or one domain."""

    __tablename__ = "dg_role_assignments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(10))  # asset | domain
    asset_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("dg_assets.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[str] = mapped_column(String(20))
    person: Mapped[str] = mapped_column(String(200))
    decision_rights: Mapped[list] = mapped_column(default=list)
    assigned_by: Mapped[str] = mapped_column(String(200), default="")
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
