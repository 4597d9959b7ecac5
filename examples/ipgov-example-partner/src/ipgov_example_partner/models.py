"""The example partner's tables: notes, and one settings row per tenant.

Both are tenant-owned, so both inherit ``TenantScoped``: the core filters every query on them
to the session's tenant, stamps ``tenant_id`` on new rows, adds row-level security on
PostgreSQL and moves their rows when one tenant absorbs another. Table names start with the
plugin's name; constraint names come from the core's naming convention.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["ExampleNote", "ExampleSettings"]


class ExampleNote(TenantScoped, Base):
    """A note with an optional due date; titles are unique within a tenant."""

    __tablename__ = "example_partner_notes"
    __table_args__ = (UniqueConstraint("tenant_id", "title"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExampleSettings(TenantScoped, Base):
    """The tenant's settings: exactly one row per tenant (seeded by ``on_tenant_created``).

    One row per tenant always clashes when one tenant absorbs another: ``on_tenant_merged``
    keeps the absorbing tenant's row and drops the absorbed one's before the core moves rows.
    """

    __tablename__ = "example_partner_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reminder_days: Mapped[int] = mapped_column(Integer, default=30)
