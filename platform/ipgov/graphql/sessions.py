"""Sign-in sessions in GraphQL: your own, a member's (seen and ended by their administrator,
within the privilege ceiling), and a group's idle and absolute timeouts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.authz.ceiling import assert_outranks
from ipgov.errors import DomainError, InvalidInput, NotFound
from ipgov.identity import session_admin
from ipgov.identity.models import Membership
from ipgov.tenancy.models import PLATFORM_TENANT_ID, Tenant

from .errors import UserError, user_errors
from .permissions import authenticated, requires

__all__ = ["SessionMutation", "SessionQuery"]


@strawberry.type(description="One sign-in session that is still alive.")
class SignInSession:
    id: strawberry.ID
    client: str = strawberry.field(description="The address it signed in from.")
    started_at: datetime
    last_active_at: datetime = strawberry.field(description="When it last refreshed.")
    expires_at: datetime = strawberry.field(description=(
        "When it ends unless it refreshes again (the idle timeout, bounded by the absolute "
        "one)."))
    current: bool = strawberry.field(description="The session of this request.")


@strawberry.type(description="A group's session timeouts (for every member of its tree).")
class SessionPolicyType:
    idle_minutes: int
    absolute_hours: float
    platform_default: bool = strawberry.field(description="No tighter group policy is set.")
    platform_idle_minutes: int = strawberry.field(description="The ceiling a group may lower.")
    platform_absolute_hours: float


@strawberry.type(description="The sessions ended, or why not.")
class EndSessionsPayload:
    ended: int = 0
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The policy as stored, or why not.")
class SessionPolicyPayload:
    policy: SessionPolicyType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _nodes(infos: list[session_admin.SessionInfo], current: str | None) -> list[SignInSession]:
    return [SignInSession(id=strawberry.ID(s.id), client=s.client, started_at=s.started_at,
                          last_active_at=s.last_active_at, expires_at=s.expires_at,
                          current=s.id == current) for s in infos]


def _policy(platform: Any, policy: session_admin.SessionPolicy) -> SessionPolicyType:
    base = session_admin.platform_policy(platform)
    return SessionPolicyType(
        idle_minutes=policy.idle_seconds // 60, absolute_hours=policy.absolute_seconds / 3600,
        platform_default=policy.platform_default,
        platform_idle_minutes=base.idle_seconds // 60,
        platform_absolute_hours=base.absolute_seconds / 3600)


def _user_id(info: Info) -> str:
    principal = info.context.require_principal()
    if principal.kind != "user":
        raise InvalidInput("service accounts have API keys, not sessions", code="USERS_ONLY")
    return str(principal.id)


async def _member_tenants(info: Info, tenant_id: str, user_id: str) -> set[str]:
    """The tenants the user is a member in; ``MEMBER_NOT_FOUND`` unless one is ``tenant_id``
    (another tenant's people are not this administrator's to see)."""
    async with info.context.system_session("graphql: a member's tenants") as session:
        tenants = set((await session.execute(select(Membership.tenant_id).where(
            Membership.user_id == user_id))).scalars())
    if tenant_id not in tenants:
        raise NotFound("no such member in this tenant", code="MEMBER_NOT_FOUND",
                       field="userId")
    return tenants


@strawberry.type
class SessionQuery:
    @strawberry.field(description="Your sign-in sessions that are still alive.",
                      extensions=authenticated())
    async def my_sessions(self, info: Info) -> list[SignInSession]:
        user_id = _user_id(info)
        async with info.context.system_session("graphql: my sessions") as session:
            found = await session_admin.list_sessions(session, user_id)
        return _nodes(found, info.context.require_principal().session_id)

    @strawberry.field(description="A member's sign-in sessions that are still alive.",
                      extensions=requires("ipgov:member", "read"))
    async def member_sessions(self, info: Info, tenant_id: strawberry.ID,
                              user_id: strawberry.ID) -> list[SignInSession]:
        await _member_tenants(info, str(tenant_id), str(user_id))
        async with info.context.system_session("graphql: a member's sessions") as session:
            found = await session_admin.list_sessions(session, str(user_id))
        return _nodes(found, None)

    @strawberry.field(description="The session timeouts of the tenant's group.",
                      extensions=requires("ipgov:tenant", "read"))
    async def session_policy(self, info: Info, tenant_id: strawberry.ID) -> SessionPolicyType:
        ctx = info.context
        async with ctx.system_session("graphql: session policy") as session:
            tenant = await session.get(Tenant, str(tenant_id))
            group = await session.get(Tenant, tenant.root_id) if tenant else None
        base = session_admin.platform_policy(ctx.platform)
        if group is None or (group.session_idle_seconds is None
                             and group.session_max_seconds is None):
            return _policy(ctx.platform, base)
        return _policy(ctx.platform, session_admin.SessionPolicy(
            group.session_idle_seconds or base.idle_seconds,
            group.session_max_seconds or base.absolute_seconds))


@strawberry.type
class SessionMutation:
    @strawberry.mutation(description="End one of your sessions (its tokens stop working on "
                         "every API process).", extensions=authenticated())
    async def end_my_session(self, info: Info, session_id: strawberry.ID) -> EndSessionsPayload:
        ctx = info.context
        try:
            user_id = _user_id(info)
            async with ctx.system_session("graphql: end my session") as session:
                ended = await session_admin.end_session(
                    ctx.platform, session, user_id=user_id, session_id=str(session_id),
                    actor=user_id, tenant_id=PLATFORM_TENANT_ID)
        except DomainError as exc:
            return EndSessionsPayload(errors=user_errors(exc))
        return EndSessionsPayload(ended=ended)

    @strawberry.mutation(description="End a member's session, or (no sessionId) all of them "
                         "and every token they hold. Only for a member who holds nothing, in "
                         "any tenant they work in, that you do not hold yourself.",
                         extensions=requires("ipgov:member", "delete"))
    async def end_member_sessions(self, info: Info, tenant_id: strawberry.ID,
                                  user_id: strawberry.ID,
                                  session_id: strawberry.ID | None = None) -> EndSessionsPayload:
        ctx = info.context
        try:
            tenants = await _member_tenants(info, str(tenant_id), str(user_id))
            assert_outranks(ctx.platform, ctx.require_principal().subject, str(user_id),
                            tenants, what="end this person's sessions", field="userId")
            async with ctx.system_session("graphql: end a member's sessions") as session:
                ended = await session_admin.end_session(
                    ctx.platform, session, user_id=str(user_id),
                    session_id=str(session_id) if session_id else None,
                    actor=ctx.actor, tenant_id=str(tenant_id))
        except DomainError as exc:
            return EndSessionsPayload(errors=user_errors(exc))
        return EndSessionsPayload(ended=ended)

    @strawberry.mutation(description="Tighten the session timeouts of a group's members (null "
                         "keeps the platform's bound); the strictest group of a person wins, "
                         "from their next refresh.", extensions=requires("ipgov:tenant", "update"))
    async def set_session_policy(self, info: Info, tenant_id: strawberry.ID,
                                 idle_minutes: int | None = None,
                                 absolute_hours: int | None = None) -> SessionPolicyPayload:
        ctx = info.context
        try:
            async with ctx.system_session("graphql: set session policy") as session:
                policy = await session_admin.set_policy(
                    ctx.platform, session, group_id=str(tenant_id),
                    idle_seconds=idle_minutes * 60 if idle_minutes is not None else None,
                    absolute_seconds=absolute_hours * 3600 if absolute_hours is not None
                    else None, actor=ctx.actor)
        except DomainError as exc:
            return SessionPolicyPayload(errors=user_errors(exc))
        return SessionPolicyPayload(policy=_policy(ctx.platform, policy))
