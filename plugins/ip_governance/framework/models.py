"""Tables of the framework area: frameworks tenants load, and their current/target profiles.

The built-in IP-CSF is file data (``data/``) and has no rows. A profile is one tenant's
assessment (``current``) or ambition (``target``) against one framework; its entries hold a
tier per outcome. ``assessed_at`` of a current profile is when it was last (re)assessed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["LoadedFramework", "Profile", "ProfileEntry"]


class LoadedFramework(TenantScoped, Base):
    """A framework a tenant or partner loaded (validated document plus the source YAML)."""

    __tablename__ = "ipg_frameworks"
    __movable_on_absorption__ = False  # the absorbing tenant's own profile stands
    __table_args__ = (UniqueConstraint("tenant_id", "framework_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    framework_key: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(20))
    extends: Mapped[str | None] = mapped_column(String(64), nullable=True)
    document: Mapped[dict]
    source: Mapped[str] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Profile(TenantScoped, Base):
    """A tenant's current or target profile against one framework."""

    __tablename__ = "ipg_profiles"
    __movable_on_absorption__ = False  # the absorbing tenant's own profile stands
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "framework_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))
    framework_key: Mapped[str] = mapped_column(String(64))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
    assessed_by: Mapped[str] = mapped_column(String(200))


class ProfileEntry(TenantScoped, Base):
    """The tier (1 partial .. 4 adaptive) of one outcome in a profile, with note and evidence."""

    __tablename__ = "ipg_profile_entries"
    __movable_on_absorption__ = False  # the absorbing tenant's own profile stands
    __table_args__ = (UniqueConstraint("profile_id", "outcome_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_profiles.id", ondelete="CASCADE"), index=True)
    outcome_id: Mapped[str] = mapped_column(String(40))
    tier: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list] = mapped_column(default=list)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
