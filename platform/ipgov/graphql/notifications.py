"""Notifications in GraphQL: a tenant's destinations, rules and delivery log (with a test
send), and each user's inbox, e-mail cadence and calendar feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from ipgov.db import TenantScope
from ipgov.errors import DomainError, InvalidInput
from ipgov.i18n.negotiation import DEFAULT_LOCALE, normalize
from ipgov.notify import services
from ipgov.notify.feeds import issue_feed, revoke_feed
from ipgov.notify.models import (
    PERSONAL_CHANNELS,
    CalendarFeed,
    Delivery,
    NotificationDestination,
    NotificationPreference,
    NotificationRule,
)
from ipgov.notify.testing import send_test

from .audit_types import actor_field
from .context import operation_is_read_only
from .errors import UserError, user_errors
from .kit import mutate, page_in, row_mapper, tenant_page
from .pagination import Connection
from .permissions import authenticated, requires

__all__ = ["InboxItem", "NotificationMutation", "NotificationQuery", "inbox_item",
           "my_tenants_scope"]

READ, MANAGE = ("ipgov:notification", "read"), ("ipgov:notification", "manage")


def shown_target(kind: str, target: str) -> str:
    """Where a destination points, without what grants access (robot keys and tokens ride
    in the URL's query): scheme, host and path only; an address as it is."""
    if kind == "email":
        return target
    url = urlsplit(target)
    return f"{url.scheme}://{url.hostname or ''}{url.path}" + ("?…" if url.query else "")


@strawberry.type(name="NotificationDestination",
                 description="An outbound endpoint registered by the tenant's administrators.")
class DestinationType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    name: str
    kind: str = strawberry.field(description="webhook, wecom, dingtalk, feishu or email.")
    target: str = strawberry.field(description="Where it points, keys and tokens left out.")
    locale: str
    rate_per_minute: int
    enabled: bool
    signed: bool = strawberry.field(description="True when messages carry a signature.")
    secrets_in_use: int = strawberry.field(description="2 during a secret rotation.")
    created_by: str
    created_by_actor = actor_field("created_by", "Who created it, by name (null if nobody).")
    created_at: datetime


_destination = row_mapper(
    DestinationType, id=lambda d: strawberry.ID(d.id),
    tenant_id=lambda d: strawberry.ID(d.tenant_id),
    target=lambda d: shown_target(d.kind, d.target), signed=lambda d: bool(d.secrets),
    secrets_in_use=lambda d: len(d.secrets))


@strawberry.type(description="The destination, its new secret (shown this once), or why not.")
class DestinationPayload:
    destination: DestinationType | None = None
    secret: str | None = strawberry.field(default=None, description=(
        "The signing secret ipgov generated (webhooks), shown only in this answer: store it "
        "in the receiver now."))
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="NotificationRule",
                 description="Routes events to recipients and destinations.")
class RuleType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    name: str
    event_types: list[str]
    min_severity: str | None
    include_subsidiaries: bool = strawberry.field(description=(
        "Also the events of subsidiaries (a centralized or hybrid group only: a decentralized "
        "group sees its subsidiaries through the supervision view)."))
    roles: list[str]
    raci_roles: list[str]
    user_ids: list[strawberry.ID]
    destination_ids: list[strawberry.ID]
    enabled: bool
    created_by: str
    created_by_actor = actor_field("created_by", "Who created it, by name (null if nobody).")
    created_at: datetime
    updated_at: datetime


_rule = row_mapper(RuleType, id=lambda r: strawberry.ID(r.id),
                   tenant_id=lambda r: strawberry.ID(r.tenant_id),
                   user_ids=lambda r: [strawberry.ID(u) for u in r.user_ids],
                   destination_ids=lambda r: [strawberry.ID(d) for d in r.destination_ids])


@strawberry.input(description="A rule as you write it; every bad field is reported at once.")
class RuleInput:
    name: str
    event_types: list[str] = strawberry.field(description=(
        "Event type names (see eventTypes), a prefix such as directive.* or *."))
    min_severity: str | None = None
    include_subsidiaries: bool = False
    roles: list[str] = strawberry.field(default_factory=list)
    raci_roles: list[str] = strawberry.field(default_factory=list, description=(
        "RACI roles written process:R (or A, C, I)."))
    user_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    destination_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    enabled: bool = True


@strawberry.type(description="The rule saved, or why not.")
class RulePayload:
    rule: RuleType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="What was removed, or why not.")
class RemovedPayload:
    removed_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="NotificationDelivery",
                 description="One event for one recipient over one channel.")
class DeliveryType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    event_id: strawberry.ID
    event_type: str
    event_tenant_id: strawberry.ID
    channel: str
    user_id: strawberry.ID | None
    destination_id: strawberry.ID | None
    mode: str = strawberry.field(description="immediate, daily, weekly (a digest) or test.")
    status: str = strawberry.field(description=(
        "queued, running, delivered, retry (waiting until notBefore), dead (given up), "
        "pending (held for a digest), digested (sent inside one) or skipped."))
    attempts: int
    last_status: str = strawberry.field(description="What the receiver last answered.")
    detail: str
    requested_at: datetime
    not_before: datetime | None
    delivered_at: datetime | None


_delivery = row_mapper(
    DeliveryType, id=lambda d: strawberry.ID(d.id),
    tenant_id=lambda d: strawberry.ID(d.tenant_id),
    event_id=lambda d: strawberry.ID(d.event_id),
    event_tenant_id=lambda d: strawberry.ID(d.event_tenant_id),
    user_id=lambda d: strawberry.ID(d.user_id) if d.user_id else None,
    destination_id=lambda d: strawberry.ID(d.destination_id) if d.destination_id else None)


@strawberry.type(description="The test message's delivery, or why it could not be tried.")
class TestSendPayload:
    delivery: DeliveryType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="An event type of the catalog (for writing rules).")
class EventTypeInfo:
    name: str
    version: int
    summary: str
    title: str = strawberry.field(description=(
        "The kind's short name in your language (its summary when the type has none)."))
    object_type: str = strawberry.field(description=(
        "Recipients must hold read on this object in the event's tenant."))


@strawberry.type(description="A notification in your inbox, in your language.")
class InboxItem:
    id: strawberry.ID
    tenant_id: strawberry.ID
    event_type: str
    event_tenant_id: strawberry.ID
    severity: str | None
    title: str
    link: str = strawberry.field(description=(
        "The absolute URL of what it is about (empty when no public URL is configured)."))
    path: str = strawberry.field(description=(
        "The same place as a workspace path (/t/<tenant>/…), always given."))
    occurred_at: datetime
    read_at: datetime | None


@strawberry.type(description="The cadence you chose for one event type on one channel.")
class EventTypeCadence:
    event_type: str
    cadence: str


@strawberry.type(description="How one of your channels is used.")
class NotificationPreferenceType:
    channel: str = strawberry.field(description="email or inbox.")
    cadence: str = strawberry.field(description=(
        "immediate, daily, weekly or off (the inbox: immediate or off), for every event type "
        "not in byEventType."))
    timezone: str = strawberry.field(description="Digests go out at 08:00 in this zone.")
    by_event_type: list[EventTypeCadence] = strawberry.field(description=(
        "The event types you chose a cadence of their own for, by name."))


def _preference(pref: NotificationPreference | None, channel: str) -> NotificationPreferenceType:
    if pref is None:
        return NotificationPreferenceType(channel=channel, cadence="immediate", timezone="UTC",
                                          by_event_type=[])
    return NotificationPreferenceType(
        channel=pref.channel, cadence=pref.cadence, timezone=pref.timezone,
        by_event_type=[EventTypeCadence(event_type=k, cadence=v)
                       for k, v in sorted((pref.by_event_type or {}).items())])


@strawberry.type(description="Your preference as stored, or why not.")
class PreferencePayload:
    preference: NotificationPreferenceType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="CalendarFeed", description="One of your secret calendar URLs.")
class CalendarFeedType:
    id: strawberry.ID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


_feed = row_mapper(CalendarFeedType, id=lambda f: strawberry.ID(f.id))


@strawberry.type(description="The feed and its URL (shown this once), or why not.")
class CalendarFeedPayload:
    feed: CalendarFeedType | None = None
    url: str | None = strawberry.field(default=None, description=(
        "Subscribe to it in a calendar application; keep it secret (anyone holding it reads "
        "your deadlines). Shown only in this answer."))
    errors: list[UserError] = strawberry.field(default_factory=list)


def _user(info: Info) -> str:
    principal = info.context.require_principal()
    if principal.kind != "user":
        raise InvalidInput("only users have an inbox, preferences and calendar feeds",
                           code="NOTIFY_USERS_ONLY")
    return str(principal.id)


def my_tenants_scope(ctx: Any, user_id: str, reason: str) -> TenantScope:
    """The tenants the user acts in now: items of a tenant they left stay out of reach."""
    tenants = ctx.platform.tenants_where(user_id, "ipgov:tenant", "read")
    if tenants is None:  # a platform role: rows are the user's own anyway
        return TenantScope.system(reason)
    return TenantScope.tenants(frozenset(tenants), reason)


def _my_tenants_session(info: Info, user_id: str, reason: str) -> Any:
    """A session over ``my_tenants_scope`` (read-only in a query)."""
    return info.context.platform.db.session(my_tenants_scope(info.context, user_id, reason),
                                            readonly=operation_is_read_only())


def inbox_item(platform: Any, row: Delivery, locale: str) -> InboxItem:
    from ipgov.notify.sending import render_for

    notice = render_for(platform, row, locale)
    return InboxItem(id=strawberry.ID(row.id), tenant_id=strawberry.ID(row.tenant_id),
                     event_type=row.event_type,
                     event_tenant_id=strawberry.ID(row.event_tenant_id), severity=row.severity,
                     title=notice.title, link=notice.link, path=notice.path,
                     occurred_at=row.occurred_at,
                     read_at=row.read_at)


def _rule_draft(data: RuleInput) -> services.RuleDraft:
    return services.RuleDraft(
        name=data.name, event_types=data.event_types, min_severity=data.min_severity,
        include_subsidiaries=data.include_subsidiaries, roles=data.roles,
        raci_roles=data.raci_roles, user_ids=[str(u) for u in data.user_ids],
        destination_ids=[str(d) for d in data.destination_ids], enabled=data.enabled)


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The event types rules can name (core and plugins).",
                      extensions=authenticated())
    def event_types(self, info: Info) -> list[EventTypeInfo]:
        locale = normalize(info.context.locale) or DEFAULT_LOCALE
        return [EventTypeInfo(name=t.name, version=t.version, summary=t.summary,
                              title=t.label(locale), object_type=t.object_type)
                for _plugin, t in info.context.platform.catalog.event_types.values()]

    @strawberry.field(description="The tenant's notification destinations.",
                      extensions=requires(*READ))
    async def notification_destinations(self, info: Info, tenant_id: strawberry.ID,
                                        first: int = 50, after: str | None = None
                                        ) -> Connection[DestinationType]:
        return await tenant_page(info, str(tenant_id), select(NotificationDestination),
                                 [NotificationDestination.id], first=first, after=after,
                                 to_node=_destination)

    @strawberry.field(description="The tenant's notification rules.", extensions=requires(*READ))
    async def notification_rules(self, info: Info, tenant_id: strawberry.ID, first: int = 50,
                                 after: str | None = None) -> Connection[RuleType]:
        return await tenant_page(info, str(tenant_id), select(NotificationRule),
                                 [NotificationRule.id], first=first, after=after,
                                 to_node=_rule)

    @strawberry.field(description="The tenant's delivery log, newest first (inbox items "
                      "left out), optionally of one status.", extensions=requires(*READ))
    async def notification_deliveries(self, info: Info, tenant_id: strawberry.ID,
                                      status: str | None = None, first: int = 50,
                                      after: str | None = None) -> Connection[DeliveryType]:
        stmt = select(Delivery).where(Delivery.channel != "inbox")
        if status:
            stmt = stmt.where(Delivery.status == status)
        async with info.context.session(str(tenant_id)) as session:
            return await page_in(info, session, stmt, [Delivery.requested_at, Delivery.id],
                                 first=first, after=after, to_node=_delivery, descending=True)

    @strawberry.field(description="Your notifications across your tenants, newest first.",
                      extensions=authenticated())
    async def my_notifications(self, info: Info, unread_only: bool = False, first: int = 20,
                               after: str | None = None) -> Connection[InboxItem]:
        ctx = info.context
        user_id = _user(info)
        locale = normalize(ctx.require_principal().locale) or DEFAULT_LOCALE
        stmt = select(Delivery).where(Delivery.user_id == user_id, Delivery.channel == "inbox")
        if unread_only:
            stmt = stmt.where(Delivery.read_at.is_(None))
        async with _my_tenants_session(info, user_id, "graphql: my notifications") as session:
            return await page_in(info, session, stmt, [Delivery.occurred_at, Delivery.id],
                                 first=first, after=after, descending=True,
                                 to_node=lambda r: inbox_item(ctx.platform, r, locale))

    @strawberry.field(description="How many of your notifications are unread.",
                      extensions=authenticated())
    async def my_unread_notifications(self, info: Info) -> int:
        user_id = _user(info)
        async with _my_tenants_session(info, user_id, "graphql: my unread count") as session:
            return int((await session.execute(select(func.count()).select_from(Delivery).where(
                Delivery.user_id == user_id, Delivery.channel == "inbox",
                Delivery.read_at.is_(None)))).scalar_one())

    @strawberry.field(description="How e-mail and the inbox reach you (per event type where "
                      "you chose), and your time zone.", extensions=authenticated())
    async def my_notification_preferences(self, info: Info) -> list[NotificationPreferenceType]:
        user_id = _user(info)
        async with info.context.system_session("graphql: my preferences") as session:
            return [_preference(await session.get(NotificationPreference, (user_id, channel)),
                                channel) for channel in PERSONAL_CHANNELS]

    @strawberry.field(description="Your calendar feeds (their URLs are not shown again).",
                      extensions=authenticated())
    async def my_calendar_feeds(self, info: Info) -> list[CalendarFeedType]:
        user_id = _user(info)
        async with info.context.system_session("graphql: my calendar feeds") as session:
            rows = (await session.execute(select(CalendarFeed).where(
                CalendarFeed.user_id == user_id).order_by(CalendarFeed.created_at)
                .limit(50))).scalars().all()
        return [_feed(f) for f in rows]


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(description="Register a destination (webhook, WeCom, DingTalk, "
                         "Feishu robot, or an address). Private and loopback addresses are "
                         "refused unless the operator allows them.", extensions=requires(*MANAGE))
    async def register_notification_destination(
            self, info: Info, tenant_id: strawberry.ID, kind: str, name: str, target: str,
            secret: str | None = None, locale: str | None = None,
            rate_per_minute: int = 30) -> DestinationPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), DestinationPayload, None,
            lambda s: services.register_destination(
                ctx.platform, s, tenant_id=str(tenant_id), kind=kind, name=name, target=target,
                secret=secret, locale=locale, rate_per_minute=rate_per_minute,
                actor=ctx.actor),
            action="ipgov.notification.destination_registered",
            object_type="ipgov:notification", object_id=lambda r: r.destination.id,
            details=lambda r: {"kind": r.destination.kind, "name": r.destination.name},
            to_node=lambda r: {"destination": _destination(r.destination), "secret": r.secret})

    @strawberry.mutation(description="A new signing secret; the previous one signs beside it "
                         "for 24 hours.", extensions=requires(*MANAGE))
    async def rotate_notification_secret(self, info: Info, tenant_id: strawberry.ID,
                                         destination_id: strawberry.ID,
                                         secret: str | None = None) -> DestinationPayload:
        return await mutate(
            info, str(tenant_id), DestinationPayload, None,
            lambda s: services.rotate_destination_secret(
                s, destination_id=str(destination_id), secret=secret),
            action="ipgov.notification.secret_rotated", object_type="ipgov:notification",
            object_id=lambda r: r.destination.id,
            to_node=lambda r: {"destination": _destination(r.destination), "secret": r.secret})

    @strawberry.mutation(description="Remove a destination.", extensions=requires(*MANAGE))
    async def remove_notification_destination(self, info: Info, tenant_id: strawberry.ID,
                                              destination_id: strawberry.ID) -> RemovedPayload:
        return await mutate(
            info, str(tenant_id), RemovedPayload, "removed_id",
            lambda s: services.remove_destination(s, destination_id=str(destination_id)),
            action="ipgov.notification.destination_removed", object_type="ipgov:notification",
            object_id=str, to_node=strawberry.ID)

    @strawberry.mutation(description="Create a rule, or replace one (ruleId).",
                         extensions=requires(*MANAGE))
    async def save_notification_rule(self, info: Info, tenant_id: strawberry.ID,
                                     rule: RuleInput, rule_id: strawberry.ID | None = None
                                     ) -> RulePayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), RulePayload, "rule",
            lambda s: services.save_rule(ctx.platform, s, tenant_id=str(tenant_id),
                                         draft=_rule_draft(rule), actor=ctx.actor,
                                         rule_id=str(rule_id) if rule_id else None),
            action="ipgov.notification.rule_saved", object_type="ipgov:notification",
            details=lambda r: {"name": r.name, "event_types": r.event_types}, to_node=_rule)

    @strawberry.mutation(description="Remove a rule.", extensions=requires(*MANAGE))
    async def remove_notification_rule(self, info: Info, tenant_id: strawberry.ID,
                                       rule_id: strawberry.ID) -> RemovedPayload:
        return await mutate(
            info, str(tenant_id), RemovedPayload, "removed_id",
            lambda s: services.remove_rule(s, rule_id=str(rule_id)),
            action="ipgov.notification.rule_removed", object_type="ipgov:notification",
            object_id=str, to_node=strawberry.ID)

    @strawberry.mutation(description="Send a test message to a destination now and say what "
                         "it answered (logged like any delivery).", extensions=requires(*MANAGE))
    async def send_test_notification(self, info: Info, tenant_id: strawberry.ID,
                                     destination_id: strawberry.ID) -> TestSendPayload:
        ctx = info.context
        try:
            row = await send_test(ctx.platform, tenant_id=str(tenant_id),
                                  destination_id=str(destination_id), actor=ctx.actor)
        except DomainError as exc:
            return TestSendPayload(errors=user_errors(exc))
        return TestSendPayload(delivery=_delivery(row))

    @strawberry.mutation(description=(
        "Choose how e-mail reaches you: immediate, daily or weekly digests (08:00 in your time "
        "zone), or off; or the inbox (channel inbox: immediate or off). With eventType, for "
        "that type alone (cadence default: as the channel). The time zone is kept when not "
        "given."), extensions=authenticated())
    async def set_my_notification_preference(self, info: Info, cadence: str,
                                             timezone: str | None = None,
                                             channel: str = "email",
                                             event_type: str | None = None) -> PreferencePayload:
        try:
            user_id = _user(info)
            known = info.context.platform.catalog.event_types
            async with info.context.system_session("graphql: my preference") as session:
                pref = await services.set_preference(
                    session, user_id=user_id, channel=channel, cadence=cadence,
                    timezone=timezone, event_type=event_type, known_types=known)
                node = _preference(pref, channel)
        except DomainError as exc:
            return PreferencePayload(errors=user_errors(exc))
        return PreferencePayload(preference=node)

    @strawberry.mutation(description="Mark your notifications read (ids; none: all).",
                         extensions=authenticated())
    async def mark_my_notifications_read(self, info: Info,
                                         ids: list[strawberry.ID] | None = None) -> int:
        user_id = _user(info)
        async with info.context.system_session("graphql: mark read") as session:
            return await services.mark_read(session, user_id=user_id,
                                            ids=[str(i) for i in ids] if ids else None)

    @strawberry.mutation(description="A new secret calendar URL of your deadlines and "
                         "directive due dates.", extensions=authenticated())
    async def create_my_calendar_feed(self, info: Info) -> CalendarFeedPayload:
        try:
            user_id = _user(info)
            async with info.context.system_session("graphql: new calendar feed") as session:
                issued = await issue_feed(info.context.platform, session, user_id=user_id)
                node = _feed(issued.feed)
        except DomainError as exc:
            return CalendarFeedPayload(errors=user_errors(exc))
        return CalendarFeedPayload(feed=node, url=issued.url)

    @strawberry.mutation(description="End one of your calendar feeds: its URL stops working.",
                         extensions=authenticated())
    async def revoke_my_calendar_feed(self, info: Info,
                                      feed_id: strawberry.ID) -> CalendarFeedPayload:
        try:
            user_id = _user(info)
            async with info.context.system_session("graphql: revoke calendar feed") as session:
                feed = await revoke_feed(session, user_id=user_id, feed_id=str(feed_id))
                node = _feed(feed)
        except DomainError as exc:
            return CalendarFeedPayload(errors=user_errors(exc))
        return CalendarFeedPayload(feed=node)
