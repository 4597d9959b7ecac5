"""The notification router: an event consumer that turns one event into deliveries.

For an event of tenant T, the rules that apply are T's own and, when T's group is governed
centrally or in the hybrid mode, those of T's ancestors that ask for their subsidiaries'
events (a decentralized group sees its subsidiaries only through the supervision view). A rule
matches by event type (a name, ``prefix.*`` or ``*``) and a minimum severity. Its recipients
are members holding one of its roles in the rule's tenant, holders of its RACI roles (answered
by plugins), and named users; each one must be allowed to read what the event is about in T,
or nothing is written for them. Every recipient gets an ``inbox`` delivery and, per their
e-mail cadence, an immediate one or one held for their digest, unless they switched that
channel off; a person's choice for the event's type wins over their channel's. Each
destination of the rule gets an immediate one. Deliveries are keyed by event, rule,
recipient and channel, so routing the same event twice (at-least-once dispatch) writes
nothing new.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.scope import TenantScope
from ipgov.db.session import after_commit
from ipgov.events.record import event_type
from ipgov.i18n.negotiation import DEFAULT_LOCALE, normalize
from ipgov.identity.models import Membership, User
from ipgov.plugins.manager import call_and_await

from .models import (
    Delivery,
    DeliveryStatus,
    NotificationDestination,
    NotificationPreference,
    NotificationRule,
)

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["SEVERITIES", "matches", "route_event", "rule_owners", "send_after_commit"]

log = logging.getLogger("ipgov.notify")
SEVERITIES = ("info", "low", "medium", "high", "critical")
GROUP_SEES_SUBSIDIARIES = frozenset({"centralized", "hybrid"})


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Whether an event type is named by one of ``patterns`` (exact, ``prefix.*``, ``*``)."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def severe_enough(minimum: str | None, severity: str | None) -> bool:
    """Whether ``severity`` reaches the rule's ``minimum`` (no minimum: every event)."""
    if not minimum:
        return True
    if severity not in SEVERITIES:
        return False
    return SEVERITIES.index(severity) >= SEVERITIES.index(minimum)


def rule_owners(platform: Platform, tenant_id: str) -> list[tuple[str, bool]]:
    """The tenants whose rules may see an event of ``tenant_id``: itself (own rules) and, in
    a centralized or hybrid group, its ancestors (rules that include subsidiaries)."""
    owners = [(tenant_id, False)]
    root = platform.tenants.root(tenant_id)
    if root is not None and root.governance_mode in GROUP_SEES_SUBSIDIARIES:
        owners += [(a.id, True) for a in platform.tenants.ancestors(tenant_id)]
    return owners


@dataclass(frozen=True)
class _Recipient:
    user_id: str
    locale: str
    cadence: str  # e-mail's, for this event's type
    inbox: bool = True


async def route_event(platform: Platform, event: Any) -> None:
    """Write the deliveries ``event`` calls for (an event consumer)."""
    object_type = event_type(platform, event.type).object_type
    written = 0
    for owner, via_group in rule_owners(platform, event.tenant_id):
        async with platform.tenant_session(owner) as session:
            rules = (await session.execute(select(NotificationRule).where(
                NotificationRule.enabled.is_(True)))).scalars().all()
            for rule in rules:
                if via_group and not rule.include_subsidiaries:
                    continue
                if not (matches(rule.event_types, event.type)
                        and severe_enough(rule.min_severity, event.severity)):
                    continue
                people = await _recipients(platform, session, owner, rule, event.type)
                allowed = [p for p in people
                           if platform.allowed(p.user_id, event.tenant_id, object_type, "read")]
                written += await _write(platform, session, owner, rule, event, allowed)
    if written:
        log.info("event %s: %d deliveries", event.id, written)


async def _recipients(platform: Platform, session: AsyncSession, tenant_id: str,
                      rule: NotificationRule, event_type: str) -> list[_Recipient]:
    """The rule's people: by role in its tenant, by RACI role (plugins), by name; active
    users only, each once, with their language and channels for ``event_type``."""
    ids: set[str] = set(rule.user_ids)
    if rule.roles:
        ids.update((await session.execute(select(Membership.user_id).where(
            Membership.role.in_(rule.roles)))).scalars())
    if rule.raci_roles:
        hook = platform.registry.hook_for("notification_recipients",
                                          _enabled(platform, tenant_id))
        for found in await call_and_await(hook(session=session, tenant_id=tenant_id,
                                               selectors=list(rule.raci_roles))):
            ids.update(found or ())
    if not ids:
        return []
    return await _people(platform, ids, event_type)


async def _people(platform: Platform, ids: set[str], event_type: str) -> list[_Recipient]:
    """Users are the platform's, not a tenant's: read them in a session of the platform."""
    scope = TenantScope.system("notifications: recipients")
    async with platform.db.read_session(scope) as session:  # beside the rule's open session
        users = (await session.execute(select(User.id, User.locale).where(
            User.id.in_(ids), User.active.is_(True)))).all()
        prefs = (await session.execute(select(NotificationPreference).where(
            NotificationPreference.user_id.in_(ids)))).scalars().all()
    chosen = {(p.user_id, p.channel): p.cadence_for(event_type) for p in prefs}
    return [_Recipient(uid, normalize(locale) or DEFAULT_LOCALE,
                       chosen.get((uid, "email"), "immediate"),
                       inbox=chosen.get((uid, "inbox"), "immediate") != "off")
            for uid, locale in sorted(users)]


def _enabled(platform: Platform, tenant_id: str) -> frozenset[str]:
    info = platform.tenants.info(tenant_id)
    return info.enabled_plugins if info else frozenset()


async def _write(platform: Platform, session: AsyncSession, tenant_id: str,
                 rule: NotificationRule, event: Any, people: Sequence[_Recipient]) -> int:
    """Insert the rule's deliveries of ``event`` that do not exist yet."""
    drafts: list[Delivery] = []
    for person in people:
        if person.inbox:
            drafts.append(_draft(rule, event, "inbox", user_id=person.user_id,
                                 locale=person.locale, status=DeliveryStatus.DELIVERED))
        if person.cadence != "off":
            status = (DeliveryStatus.QUEUED if person.cadence == "immediate"
                      else DeliveryStatus.PENDING)
            drafts.append(_draft(rule, event, "email", user_id=person.user_id,
                                 locale=person.locale, status=status,
                                 mode="immediate" if status == DeliveryStatus.QUEUED
                                 else person.cadence))
    if rule.destination_ids:
        destinations = (await session.execute(select(NotificationDestination).where(
            NotificationDestination.id.in_(rule.destination_ids),
            NotificationDestination.enabled.is_(True)))).scalars().all()
        for dest in destinations:
            drafts.append(_draft(rule, event, dest.kind, destination_id=dest.id,
                                 locale=normalize(dest.locale) or DEFAULT_LOCALE,
                                 status=DeliveryStatus.QUEUED))
    keys = [d.idempotency_key for d in drafts]
    existing = set((await session.execute(select(Delivery.idempotency_key).where(
        Delivery.idempotency_key.in_(keys)))).scalars()) if keys else set()
    new = [d for d in drafts if d.idempotency_key not in existing]
    session.add_all(new)
    await session.flush()
    send_after_commit(platform, session, [d for d in new if d.status == DeliveryStatus.QUEUED])
    return len(new)


def send_after_commit(platform: Platform, session: AsyncSession,
                      deliveries: Sequence[Delivery]) -> None:
    """Send ``deliveries`` to the workers once the session commits (never on a rollback;
    a process dying in between is covered by work recovery)."""
    sent = [(d.id, d.tenant_id) for d in deliveries]
    if not sent:
        return

    async def send_them() -> None:
        from ipgov.work.running import send

        for row_id, tenant_id in sent:
            await send(platform, "delivery", row_id, tenant_id)

    after_commit(session, send_them)


def _draft(rule: NotificationRule, event: Any, channel: str, *, locale: str, status: str,
           user_id: str | None = None, destination_id: str | None = None,
           mode: str = "immediate") -> Delivery:
    recipient = user_id or destination_id
    return Delivery(
        tenant_id=rule.tenant_id, event_id=event.id, event_type=event.type,
        event_tenant_id=event.tenant_id, severity=event.severity, payload=dict(event.payload),
        occurred_at=event.occurred_at, rule_id=rule.id, channel=channel, user_id=user_id,
        destination_id=destination_id, locale=locale, mode=mode, status=status,
        requested_by=f"rule:{rule.id}",
        idempotency_key=f"{event.id}:{rule.id}:{recipient}:{channel}",
        delivered_at=event.occurred_at if status == DeliveryStatus.DELIVERED else None)
