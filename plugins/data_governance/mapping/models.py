"""Tables of the technical solution <-> IP mapping (seed 7.4 c): solutions, their links to IP
objects of any plugin, and the IP inventory last seen through ``list_ip_objects``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["IpInventoryItem", "SolutionLink", "TechnicalSolution"]


class TechnicalSolution(TenantScoped, Base):
    """A technical solution from an R&D project or used in a product."""

    __tablename__ = "dg_solutions"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source_kind: Mapped[str] = mapped_column(String(20))  # rd_project | product
    source_ref: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SolutionLink(TenantScoped, Base):
    """A solution protected by an IP object ``(plugin, object_id)`` (validated on write)."""

    __tablename__ = "dg_solution_links"
    __table_args__ = (UniqueConstraint("solution_id", "plugin", "object_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    solution_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("dg_solutions.id", ondelete="CASCADE"), index=True)
    plugin: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    object_kind: Mapped[str] = mapped_column(String(30))
    ref: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    linked_by: Mapped[str] = mapped_column(String(200), default="")
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class IpInventoryItem(TenantScoped, Base):
    """An IP object of the tenant as ``list_ip_objects`` last reported it (checks read this,
    since a review check has no platform to ask the other plugins)."""

    __tablename__ = "dg_ip_inventory"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin", "object_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    plugin: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    ref: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(40), default="")
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
