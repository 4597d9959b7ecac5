"""What a tenant admin and a user change about notifications: destinations (with their
secrets), rules, a user's cadence and time zone, the inbox's read marks. Every check reports
each bad field at once, in the caller's language (codes in ``ipgov/i18n/messages.yaml``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz.roles import TENANT_ROLES
from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput, NotFound
from ipgov.i18n.negotiation import normalize
from ipgov.identity.models import Membership
from ipgov.validation import FieldErrors

from .channels.base import validate_destination
from .channels.webhook import new_webhook_secret
from .models import (
    PERSONAL_CHANNELS,
    Delivery,
    NotificationDestination,
    NotificationPreference,
    NotificationRule,
)
from .routing import SEVERITIES

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["DEFAULT", "SECRET_KINDS", "RegisteredDestination", "RuleDraft", "mark_read",
           "register_destination", "remove_destination", "remove_rule",
           "rotate_destination_secret", "save_rule", "set_preference"]

SECRET_KINDS = frozenset({"webhook", "dingtalk", "feishu"})
"""Kinds whose messages are signed: webhooks with a secret ipgov generates (Standard
Webhooks), DingTalk and Feishu robots with the one their robot settings show."""
MAX_NAME, MAX_LIST = 120, 100
ROTATION_OVERLAP = timedelta(hours=24)


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"a name of 1 to {MAX_NAME} characters", field="name",
                           code="NOTIFY_NAME")
    return name


def _locale(locale: str | None) -> str:
    found = normalize(locale or "en")
    if found is None:
        raise InvalidInput("the language must be en or zh-CN", field="locale",
                           code="NOTIFY_LOCALE")
    return found


@dataclass(frozen=True)
class RegisteredDestination:
    """A destination and, once, the secret ipgov generated for it."""

    destination: NotificationDestination
    secret: str | None


async def register_destination(platform: Platform, session: AsyncSession, *, tenant_id: str,
                               kind: str, name: str, target: str, secret: str | None,
                               locale: str | None, rate_per_minute: int,
                               actor: str) -> RegisteredDestination:
    """Register an outbound destination of ``tenant_id`` after checking where it points."""
    errors = FieldErrors()
    name = errors.check(_name, name) or ""
    locale = errors.check(_locale, locale) or "en"
    with errors.field():
        validate_destination(kind, target, platform.settings,
                             secrets=[secret] if secret else (), name=name)
    if not 1 <= rate_per_minute <= 600:
        errors.add(InvalidInput("between 1 and 600 messages a minute", field="ratePerMinute",
                                code="NOTIFY_RATE"))
    generated = new_webhook_secret() if kind == "webhook" and not secret else None
    errors.raise_if_any()
    stored = [{"secret": s, "added_at": utcnow().isoformat(), "expires_at": None}
              for s in [generated or secret] if s and kind in SECRET_KINDS]
    dest = NotificationDestination(tenant_id=tenant_id, kind=kind, name=name, target=target,
                                   secrets=stored, locale=locale,
                                   rate_per_minute=rate_per_minute, created_by=actor)
    session.add(dest)
    await session.flush()
    return RegisteredDestination(dest, generated)


async def _destination(session: AsyncSession, destination_id: str) -> NotificationDestination:
    dest = await session.get(NotificationDestination, destination_id)
    if dest is None:
        raise NotFound("no such destination in this tenant", field="destinationId")
    return dest


async def rotate_destination_secret(session: AsyncSession, *, destination_id: str,
                                    secret: str | None) -> RegisteredDestination:
    """A new signing secret, first; the previous one keeps signing beside it for 24 hours so
    receivers can switch without losing a message."""
    dest = await _destination(session, destination_id)
    if dest.kind not in SECRET_KINDS:
        raise InvalidInput(f"{dest.kind} destinations are not signed", field="destinationId",
                           code="NOTIFY_NOT_SIGNED")
    generated = new_webhook_secret() if dest.kind == "webhook" and not secret else None
    now = utcnow()
    kept = [dict(s, expires_at=s.get("expires_at") or (now + ROTATION_OVERLAP).isoformat())
            for s in dest.secrets[:1]]
    dest.secrets = [{"secret": generated or secret, "added_at": now.isoformat(),
                     "expires_at": None}, *kept]
    await session.flush()
    return RegisteredDestination(dest, generated)


async def remove_destination(session: AsyncSession, *, destination_id: str) -> str:
    """Remove a destination; rules naming it stop sending there."""
    dest = await _destination(session, destination_id)
    await session.delete(dest)
    return destination_id


@dataclass(frozen=True)
class RuleDraft:
    """A rule as the caller wrote it."""

    name: str
    event_types: Sequence[str]
    min_severity: str | None = None
    include_subsidiaries: bool = False
    roles: Sequence[str] = ()
    raci_roles: Sequence[str] = ()
    user_ids: Sequence[str] = ()
    destination_ids: Sequence[str] = ()
    enabled: bool = True


def _event_types(platform: Platform, patterns: Sequence[str]) -> list[str]:
    known = set(platform.catalog.event_types)
    if not patterns or len(patterns) > MAX_LIST:
        raise InvalidInput(f"name 1 to {MAX_LIST} event types", field="eventTypes",
                           code="NOTIFY_EVENT_TYPES")
    for pattern in patterns:
        prefix = pattern[:-1] if pattern.endswith(".*") else None
        if not (pattern == "*" or pattern in known
                or (prefix and any(k.startswith(prefix) for k in known))):
            raise InvalidInput(f"no event type is named {pattern!r}", field="eventTypes",
                               code="NOTIFY_UNKNOWN_EVENT_TYPE", details={"value": pattern})
    return list(dict.fromkeys(patterns))


def _checked_list(values: Sequence[str], field: str, allowed: Any = None) -> list[str]:
    if len(values) > MAX_LIST:
        raise InvalidInput(f"at most {MAX_LIST}", field=field, code="NOTIFY_TOO_MANY")
    for value in values:
        if allowed is not None and value not in allowed:
            raise InvalidInput(f"{value!r} is not one of {sorted(allowed)}", field=field,
                               code="NOTIFY_UNKNOWN_VALUE", details={"value": value})
    return list(dict.fromkeys(values))


def _raci(selectors: Sequence[str]) -> list[str]:
    for selector in selectors:
        process, _, role = selector.rpartition(":")
        if not process or role not in ("R", "A", "C", "I"):
            raise InvalidInput("a RACI role is written process:R (or A, C, I)",
                               field="raciRoles", code="NOTIFY_RACI",
                               details={"value": selector})
    return _checked_list(selectors, "raciRoles")


async def _existing(session: AsyncSession, column: Any, ids: Sequence[str], field: str,
                    code: str, message: str) -> list[str]:
    """``ids`` when every one is found in ``column`` within the session's tenant (a user of
    another tenant or its destination is not), else the field's error naming the first."""
    ids = _checked_list(ids, field)
    found = set((await session.execute(select(column).where(column.in_(ids)))).scalars()
                ) if ids else set()
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(message, field=field, code=code, details={"value": missing[0]})
    return ids


async def save_rule(platform: Platform, session: AsyncSession, *, tenant_id: str,
                    draft: RuleDraft, actor: str,
                    rule_id: str | None = None) -> NotificationRule:
    """Create a rule, or replace rule ``rule_id``, after checking every field."""
    errors = FieldErrors()
    values: dict[str, Any] = {
        "name": errors.check(_name, draft.name),
        "event_types": errors.check(_event_types, platform, draft.event_types),
        "roles": errors.check(_checked_list, draft.roles, "roles", TENANT_ROLES),
        "raci_roles": errors.check(_raci, draft.raci_roles),
        "min_severity": errors.check(_severity, draft.min_severity),
    }
    with errors.field():  # named users must be members of the rule's tenant
        values["user_ids"] = await _existing(session, Membership.user_id, draft.user_ids,
                                             "userIds", "NOTIFY_NOT_MEMBER",
                                             "not a member of this tenant")
    with errors.field():
        values["destination_ids"] = await _existing(
            session, NotificationDestination.id, draft.destination_ids, "destinationIds",
            "NOTIFY_UNKNOWN_DESTINATION", "no such destination in this tenant")
    if not (draft.roles or draft.raci_roles or draft.user_ids or draft.destination_ids):
        errors.add(InvalidInput("name at least one recipient: a role, a RACI role, a user or "
                                "a destination", field="roles", code="NOTIFY_NO_RECIPIENT"))
    errors.raise_if_any()
    rule = (await _rule(session, rule_id) if rule_id
            else NotificationRule(tenant_id=tenant_id, created_by=actor))
    for key, value in values.items():
        setattr(rule, key, value)
    rule.include_subsidiaries, rule.enabled = draft.include_subsidiaries, draft.enabled
    session.add(rule)
    await session.flush()
    return rule


def _severity(value: str | None) -> str | None:
    if value and value not in SEVERITIES:
        raise InvalidInput(f"one of {', '.join(SEVERITIES)}", field="minSeverity",
                           code="NOTIFY_SEVERITY")
    return value or None


async def _rule(session: AsyncSession, rule_id: str) -> NotificationRule:
    rule = await session.get(NotificationRule, rule_id)
    if rule is None:
        raise NotFound("no such rule in this tenant", field="ruleId")
    return rule


async def remove_rule(session: AsyncSession, *, rule_id: str) -> str:
    """Remove a rule (deliveries it made stay in the log)."""
    await session.delete(await _rule(session, rule_id))
    return rule_id


DEFAULT = "default"
"""The cadence that removes a single event type's choice (the channel's applies again)."""


def _preference_errors(channel: str, cadence: str, timezone: str | None,
                       event_type: str | None, known_types: Collection[str]) -> FieldErrors:
    errors = FieldErrors()
    offered = PERSONAL_CHANNELS.get(channel)
    if offered is None:
        errors.add(InvalidInput("the channel is email or inbox", field="channel",
                                code="NOTIFY_CHANNEL"))
    elif cadence not in offered and not (event_type and cadence == DEFAULT):
        allowed = ", ".join([*offered, DEFAULT] if event_type else offered)
        errors.add(InvalidInput(f"one of {allowed}", field="cadence", code="NOTIFY_CADENCE",
                                details={"allowed": allowed}))
    if event_type is not None and event_type not in known_types:
        errors.add(InvalidInput(f"no event type is named {event_type!r}", field="eventType",
                                code="NOTIFY_UNKNOWN_EVENT_TYPE", details={"value": event_type}))
    try:
        ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        errors.add(InvalidInput("an IANA time zone such as Asia/Shanghai", field="timezone",
                                code="NOTIFY_TIMEZONE"))
    return errors


async def set_preference(session: AsyncSession, *, user_id: str, channel: str, cadence: str,
                         timezone: str | None, event_type: str | None = None,
                         known_types: Collection[str] = ()) -> NotificationPreference:
    """Set how one of the user's channels is used: for every event type, or (``event_type``,
    one of ``known_types``) for that type alone, ``default`` handing it back to the channel's
    cadence. ``timezone`` (the zone digests follow) is kept when not given."""
    _preference_errors(channel, cadence, timezone, event_type, known_types).raise_if_any()
    pref = await session.get(NotificationPreference, (user_id, channel))
    if pref is None:
        pref = NotificationPreference(user_id=user_id, channel=channel, cadence="immediate",
                                      timezone="UTC", by_event_type={})
        session.add(pref)
    if event_type is None:
        pref.cadence = cadence
    else:  # a new dict: the JSON column sees the change
        chosen = {k: v for k, v in (pref.by_event_type or {}).items() if k != event_type}
        pref.by_event_type = chosen if cadence == DEFAULT else {**chosen, event_type: cadence}
    pref.timezone = timezone or pref.timezone
    await session.flush()
    return pref


async def mark_read(session: AsyncSession, *, user_id: str, ids: Sequence[str] | None) -> int:
    """Mark the user's inbox items read (``ids``; None: all); returns how many changed."""
    stmt = update(Delivery).where(Delivery.user_id == user_id, Delivery.channel == "inbox",
                                  Delivery.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Delivery.id.in_(list(ids)[:MAX_LIST]))
    done = await session.execute(stmt.values(read_at=utcnow())
                                 .execution_options(synchronize_session=False))
    return int(getattr(done, "rowcount", 0) or 0)
