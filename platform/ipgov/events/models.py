"""The outbox: one row per event, written in the transaction of the change it reports.

The row is the record and the unit of dispatch work (``LeasedWork``): committed with the
change, sent to the workers after the commit, recovered when the send never happened, and
dispatched once to every event consumer (``ipgov.events.work``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, synonym

from ipgov.db.base import Base, TenantScoped, new_id, utcnow
from ipgov.db.work import LeasedWork

__all__ = ["Event", "EventStatus"]


class EventStatus(StrEnum):
    """queued -> running -> dispatched | failed (a consumer kept failing)."""

    QUEUED = "queued"
    RUNNING = "running"
    DISPATCHED = "dispatched"
    FAILED = "failed"


class Event(LeasedWork, TenantScoped, Base):
    """One platform event of one tenant (its ``id`` is the event id consumers see)."""

    __tablename__ = "events"
    __movable_on_absorption__ = False  # an event happened to the tenant that recorded it
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_events_status_lease", "status", "lease_until"),
        Index("ix_events_tenant_occurred", "tenant_id", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict] = mapped_column(default=dict)
    severity: Mapped[str | None] = mapped_column(String(10))
    object_id: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None: no key (LeasedWork's default would give every row a random one)
    idempotency_key: Mapped[str | None] = mapped_column(  # type: ignore[assignment]
        String(200), nullable=True, default=None)
    failure: Mapped[str | None] = mapped_column(Text)
    #: who caused it (a user id, "scheduler", "review-worker"); stored as ``requested_by``
    actor = synonym("requested_by")
