"""Reading a tenant's trail: filtered by actor, action, object and time, page by page.

Every filter is bounded (at most 20 actors and 20 actions, strings of ordinary length, a
time range that makes sense) and served by an index of ``0006_audit`` that starts with the
tenant: (tenant, actor, seq), (tenant, action, seq), (tenant, object type, object id, seq),
(tenant, occurred_at). Pages are keyset pages on the sequence number, oldest or newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.errors import InvalidInput

from .models import AuditEvent

__all__ = ["TrailFilter", "trail_page"]

MAX_VALUES = 20
MAX_TEXT = 200


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class TrailFilter:
    """What to keep of a trail; empty fields keep everything."""

    actors: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of(cls, actors: Any = None, actions: Any = None, object_type: str | None = None,
           object_id: str | None = None, since: datetime | None = None,
           until: datetime | None = None) -> TrailFilter:
        """A validated filter; every problem of the input is reported at once."""
        made = cls(tuple(str(a) for a in actors or ()), tuple(str(a) for a in actions or ()),
                   object_type or None, object_id or None, _utc(since), _utc(until))
        made.validate()
        return made

    def validate(self) -> None:
        """``InvalidInput`` naming each bad part (``filter.actors``, ``filter.since``, ...)."""
        problems: list[tuple[str, str]] = []
        for name, values in (("actors", self.actors), ("actions", self.actions)):
            if len(values) > MAX_VALUES:
                problems.append((name, f"at most {MAX_VALUES} {name}, got {len(values)}"))
            if any(not v or len(v) > MAX_TEXT for v in values):
                problems.append((name, f"each of {name} must be 1 to {MAX_TEXT} characters"))
        for name, value in (("objectType", self.object_type), ("objectId", self.object_id)):
            if value is not None and len(value) > MAX_TEXT:
                problems.append((name, f"{name} must be at most {MAX_TEXT} characters"))
        if self.object_id and not self.object_type:
            problems.append(("objectType", "objectId needs objectType"))
        if self.since and self.until and self.since > self.until:
            problems.append(("since", "since must not be after until"))
        if problems:
            message = "; ".join(f"{field}: {text}" for field, text in problems)
            raise InvalidInput(f"bad audit filter: {message}", field=f"filter.{problems[0][0]}",
                               details={"problems": [{"field": f"filter.{f}", "message": m}
                                                     for f, m in problems]})

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        """``stmt`` narrowed to the filter."""
        if self.actors:
            stmt = stmt.where(AuditEvent.actor.in_(self.actors))
        if self.actions:
            stmt = stmt.where(AuditEvent.action.in_(self.actions))
        if self.object_type:
            stmt = stmt.where(AuditEvent.object_type == self.object_type)
        if self.object_id:
            stmt = stmt.where(AuditEvent.object_id == self.object_id)
        if self.since:
            stmt = stmt.where(AuditEvent.occurred_at >= self.since)
        if self.until:
            stmt = stmt.where(AuditEvent.occurred_at <= self.until)
        return stmt

    def as_details(self) -> dict[str, Any]:
        """The filter as recorded in the audit trail and echoed by exports (empty parts left
        out)."""
        out = {"actors": list(self.actors), "actions": list(self.actions),
               "objectType": self.object_type, "objectId": self.object_id,
               "since": self.since.isoformat() if self.since else None,
               "until": self.until.isoformat() if self.until else None}
        return {k: v for k, v in out.items() if v not in (None, [])}


async def trail_page(session: AsyncSession, tenant_id: str, flt: TrailFilter, *, first: int,
                     after_seq: int | None = None,
                     newest_first: bool = False) -> tuple[list[AuditEvent], bool]:
    """Up to ``first`` events of ``tenant_id`` after ``after_seq``; and whether more follow."""
    stmt = flt.apply(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id))
    if after_seq is not None:
        stmt = stmt.where(AuditEvent.seq < after_seq if newest_first
                          else AuditEvent.seq > after_seq)
    order = AuditEvent.seq.desc() if newest_first else AuditEvent.seq
    rows = list((await session.execute(stmt.order_by(order).limit(first + 1))).scalars())
    return rows[:first], len(rows) > first
