"""Who an audit event's actor is: a person or service account by name, with their roles.

Events store the actor as the authorization subject (a user id, ``sa:<id>`` for a service
account, or a word such as ``system`` or ``cli`` for the platform itself), which stays true
when people are renamed. Readers see names: ``resolve_actors`` turns any number of
(subject, tenant) pairs into names, kinds and the subject's current roles in that tenant with
two statements, whatever their number (the GraphQL DataLoader and the exports use it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from ipgov.db.scope import InvalidTenantId, canonical_tenant_id

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["Actor", "resolve_actors"]

SERVICE_PREFIX = "sa:"
PLATFORM_ACTORS = {"system": "the platform", "cli": "command line (ipgov CLI)",
                   "scheduler": "the review schedule", "review-worker": "the review worker",
                   "demo": "demo data", "preview": "preview",
                   "anonymous": "someone not signed in", "digest": "the notification digest"}
"""The platform's own subjects (in English; readers get them in their language from the
``platform_actor`` labels)."""


@dataclass(frozen=True)
class Actor:
    """An actor as a reader sees it; ``name`` is None when the subject no longer exists."""

    subject: str
    kind: str  # user | service_account | platform | unknown
    name: str | None
    roles: tuple[str, ...] = ()


def _uuid(value: str) -> str | None:
    try:
        return canonical_tenant_id(value)
    except InvalidTenantId:
        return None


async def _names(platform: Platform, user_ids: set[str],
                 account_ids: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    from ipgov.identity.models import ServiceAccount, User

    users: dict[str, str] = {}
    accounts: dict[str, str] = {}
    if not (user_ids or account_ids):
        return users, accounts
    # users are global rows the app role may not read: one named system read
    async with platform.db.system_session("audit: actor names") as session:
        if user_ids:
            users = dict((await session.execute(select(User.id, User.display_name).where(
                User.id.in_(sorted(user_ids))))).all())
        if account_ids:
            accounts = dict((await session.execute(
                select(ServiceAccount.id, ServiceAccount.name)
                .where(ServiceAccount.id.in_(sorted(account_ids))))).all())
    return users, accounts


def _actor(platform: Platform, subject: str, tenant_id: str, users: dict[str, str],
           accounts: dict[str, str]) -> Actor:
    if subject in PLATFORM_ACTORS:
        return Actor(subject, "platform", PLATFORM_ACTORS[subject])
    uid = _uuid(subject)
    if uid is not None:
        name = users.get(uid)
        kind = "user"
    elif subject.startswith(SERVICE_PREFIX) and _uuid(subject[len(SERVICE_PREFIX):]):
        name = accounts.get(subject[len(SERVICE_PREFIX):].lower())
        kind = "service_account"
    else:
        return Actor(subject, "unknown", None)
    roles = tuple(sorted(platform.authz.roles_in(subject, tenant_id))) if name else ()
    return Actor(subject, kind, name, roles)


async def resolve_actors(platform: Platform,
                         pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Actor]:
    """Names, kinds and current roles of each ``(subject, tenant_id)``, in two statements."""
    wanted = list(dict.fromkeys(pairs))
    user_ids = {u for s, _t in wanted if (u := _uuid(s))}
    account_ids = {a for s, _t in wanted if s.startswith(SERVICE_PREFIX)
                   and (a := _uuid(s[len(SERVICE_PREFIX):]))}
    users, accounts = await _names(platform, user_ids, account_ids)
    return {(s, t): _actor(platform, s, t, users, accounts) for s, t in wanted}
