"""What notifications are made of: destinations a tenant admin registered, rules that route
events to recipients, each user's preferences, the deliveries (one row per event, recipient and
channel: the record of what was sent, retried or given up), and calendar feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow
from ipgov.db.work import LeasedWork

__all__ = ["CADENCES", "MODELS", "PERSONAL_CHANNELS", "CalendarFeed", "Delivery",
           "DeliveryStatus", "NotificationDestination", "NotificationPreference",
           "NotificationRule"]

CADENCES = ("immediate", "daily", "weekly", "off")
"""How a user wants one channel: each event at once, a daily or weekly digest, or nothing."""
PERSONAL_CHANNELS = {"email": CADENCES, "inbox": ("immediate", "off")}
"""A person's channels and the cadences each offers (the inbox has no digest)."""


class DeliveryStatus:
    """queued -> running -> delivered | retry (waits for ``not_before``) -> ... | dead (gave up);
    pending (waits for the recipient's digest) -> digested (went out inside one);
    skipped (the recipient may no longer read what the event is about)."""

    QUEUED, RUNNING, DELIVERED, RETRY, DEAD = "queued", "running", "delivered", "retry", "dead"
    PENDING, DIGESTED, SKIPPED = "pending", "digested", "skipped"


class NotificationDestination(TenantScoped, Base):
    """An outbound endpoint a tenant admin registered: a webhook, a group robot, an address.

    ``secrets`` holds the signing secrets newest first (during a rotation the previous one
    stays until ``expires_at``); the API never returns them after registration."""

    __tablename__ = "notification_destinations"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(2000))
    secrets: Mapped[list] = mapped_column(default=list)
    locale: Mapped[str] = mapped_column(String(10), default="en")  # the messages' language
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=30)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationRule(TenantScoped, Base):
    """Routes events of this tenant (and of its subsidiaries, when the governance mode lets the
    group see them) to recipients: members holding a role, holders of a RACI role, named users,
    and destinations."""

    __tablename__ = "notification_rules"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    event_types: Mapped[list] = mapped_column(default=list)  # names, "prefix.*" or "*"
    min_severity: Mapped[str | None] = mapped_column(String(10))
    include_subsidiaries: Mapped[bool] = mapped_column(Boolean, default=False)
    roles: Mapped[list] = mapped_column(default=list)
    raci_roles: Mapped[list] = mapped_column(default=list)
    user_ids: Mapped[list] = mapped_column(default=list)
    destination_ids: Mapped[list] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationPreference(Base):
    """One user's cadence for one channel (``email``, ``inbox``); no row: immediate.
    ``by_event_type`` holds the cadences chosen for single event types (the row's cadence
    applies to every other). The e-mail row's time zone sets when a digest goes out (08:00
    there) and the calendar feed's zone."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    cadence: Mapped[str] = mapped_column(String(10), default="immediate")
    timezone: Mapped[str] = mapped_column(String(60), default="UTC")
    by_event_type: Mapped[dict] = mapped_column(default=dict, server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def cadence_for(self, event_type: str) -> str:
        """The cadence of this channel for events of ``event_type``."""
        return str(self.by_event_type.get(event_type, self.cadence))


class Delivery(LeasedWork, TenantScoped, Base):
    """One event for one recipient over one channel, owned by the tenant whose rule sent it.

    The event's type, tenant, payload and time are copied in, so a delivery (or a digest of
    many) renders without reading another tenant. ``idempotency_key`` is
    ``<event>:<rule>:<recipient>:<channel>``: routing an event twice adds nothing. The
    ``inbox`` channel is the workspace's notification list (delivered when written)."""

    __tablename__ = "notification_deliveries"
    __movable_on_absorption__ = False
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_notification_deliveries_status_due", "status", "not_before"),
        Index("ix_notification_deliveries_tenant_requested", "tenant_id", "requested_at"),
        Index("ix_notification_deliveries_user_channel", "user_id", "channel", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    event_type: Mapped[str] = mapped_column(String(120))
    event_tenant_id: Mapped[str] = mapped_column(String(36))
    severity: Mapped[str | None] = mapped_column(String(10))
    payload: Mapped[dict] = mapped_column(default=dict)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    rule_id: Mapped[str | None] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(36))
    destination_id: Mapped[str | None] = mapped_column(String(36))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    mode: Mapped[str] = mapped_column(String(10), default="immediate")  # immediate|digest|test
    digest_id: Mapped[str | None] = mapped_column(String(36))
    items: Mapped[list] = mapped_column(default=list)  # a digest's delivery ids
    not_before: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()


class CalendarFeed(Base):
    """A user's secret calendar URL (only its hash is kept); revoking it ends the feed."""

    __tablename__ = "calendar_feeds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()


MODELS = [NotificationDestination, NotificationRule, NotificationPreference, Delivery, CalendarFeed]
"""The notification tables (registered by the core's built-in plugin)."""
