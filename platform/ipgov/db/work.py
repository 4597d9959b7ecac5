"""Columns shared by rows that are units of queued work (review runs, plugin jobs): the row is
the record, the broker only carries it; a worker claims it with a token and a lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import new_id, utcnow

__all__ = ["LeasedWork"]


class LeasedWork:
    """Mixin: status, who asked, idempotency key, timestamps, lease and claim, trace context."""

    status: Mapped[str] = mapped_column(String(12), default="queued")
    requested_by: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(200), default=new_id)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    lease_until: Mapped[datetime | None] = mapped_column()
    claim_token: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    traceparent: Mapped[str | None] = mapped_column(String(60))
