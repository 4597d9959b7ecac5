"""Identity in GraphQL: the caller and memberships; sign-in, sessions and passwords
(``sign_in``) and invitations (``invitations``) are merged into these root types, service
accounts live in ``ipgov.graphql.service_accounts``."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.errors import DomainError, Forbidden
from ipgov.identity import service
from ipgov.identity.models import Membership, User

from .errors import UserError, user_errors
from .invitations import InvitationMutation, InvitationQuery
from .kit import page_in
from .pagination import Connection
from .permissions import authenticated, requires
from .sign_in import SignInMutation
from .types import MembershipType

__all__ = ["IdentityMutation", "IdentityQuery"]


@strawberry.type(description="A role you hold in a tenant.")
class MyMembership:
    tenant_id: strawberry.ID
    tenant_slug: str
    role: str
    inherited: bool = strawberry.field(
        description="True when the role comes from a group above the tenant.")


@strawberry.type(description="The signed-in user or service account.")
class Me:
    id: strawberry.ID
    kind: str
    display_name: str
    locale: str

    @strawberry.field(description="Every role you hold, directly or from a group above "
                      "(built only when asked for: it grows with the group).",
                      extensions=authenticated())
    async def memberships(self, info: Info) -> list[MyMembership]:
        ctx = info.context
        principal = ctx.require_principal()
        authz = ctx.platform.authz
        async with ctx.system_session("graphql: me") as session:
            direct_rows = (await session.execute(select(Membership.tenant_id, Membership.role)
                           .where(Membership.user_id == principal.id))).all()
        held = {(t, r) for t, r in direct_rows}
        found = []
        for tenant_id in sorted(authz.tenants_where(principal.subject, "ipgov:tenant", "read")
                                or ()):
            info_t = authz.tenant_info(tenant_id)
            for role in sorted(authz.roles_in(principal.subject, tenant_id)):
                found.append(MyMembership(
                    tenant_id=strawberry.ID(tenant_id), tenant_slug=info_t.slug if info_t else "",
                    role=role, inherited=(tenant_id, role) not in held))
        return found


@strawberry.type(description="The membership created, or why nothing changed.")
class MembershipPayload:
    membership: MembershipType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _membership_node(m: Membership, user: User) -> MembershipType:
    return MembershipType(id=strawberry.ID(m.id), tenant_id=strawberry.ID(m.tenant_id),
                          user_id=strawberry.ID(user.id), email=user.email,
                          display_name=user.display_name, role=m.role, created_at=m.created_at)


@strawberry.type
class IdentityQuery(InvitationQuery):
    @strawberry.field(description="Who you are and where you hold roles.",
                      extensions=authenticated())
    async def me(self, info: Info) -> Me:
        principal = info.context.require_principal()
        return Me(id=strawberry.ID(principal.id), kind=principal.kind,
                  display_name=principal.display, locale=principal.locale)

    @strawberry.field(description="Members of a tenant.",
                      extensions=requires("ipgov:member", "read"))
    async def members(
        self, info: Info, tenant_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[MembershipType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            page = await page_in(
                info, session, select(Membership), [Membership.id], first=first, after=after,
                to_node=lambda m: m,
                key=lambda m: [m.id])
        # users are global rows the app role may not read (password hashes): a named system read
        async with ctx.system_session("graphql: members' names") as session:
            users = {u.id: u for u in (await session.execute(select(User).where(
                User.id.in_([e.node.user_id for e in page.edges])))).scalars()}
        for edge in page.edges:
            edge.node = _membership_node(edge.node, users[edge.node.user_id])
        return page


@strawberry.type
class IdentityMutation(SignInMutation, InvitationMutation):
    @strawberry.mutation(description="Give a user (created if new, without a password) a role. "
                         "To let a new person sign in, use inviteMember instead.",
                         extensions=requires("ipgov:member", "create"))
    async def add_member(
        self, info: Info, tenant_id: strawberry.ID, email: str, role: str,
        display_name: str | None = None,
    ) -> MembershipPayload:
        ctx = info.context
        try:
            async with ctx.system_session("graphql: add member") as session:
                user = (await session.execute(
                    select(User).where(User.email == email.strip().lower()))).scalar_one_or_none()
                if user is None:
                    user = await service.create_user(session, email=email,
                                                     display_name=display_name or email)
                m = await service.add_membership(ctx.platform, session, tenant_id=str(tenant_id),
                                                 user_id=user.id, role=role, actor=ctx.actor,
                                                 granter=ctx.actor)
                node = _membership_node(m, user)
        except Forbidden:
            raise
        except DomainError as exc:
            return MembershipPayload(errors=user_errors(exc))
        await ctx.platform.authz.refresh()
        return MembershipPayload(membership=node)

    @strawberry.mutation(description="Take a role away from a user.",
                         extensions=requires("ipgov:member", "delete"))
    async def remove_member(
        self, info: Info, tenant_id: strawberry.ID, membership_id: strawberry.ID
    ) -> MembershipPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                await service.remove_membership(ctx.platform, session, tenant_id=str(tenant_id),
                                                membership_id=str(membership_id), actor=ctx.actor,
                                                granter=ctx.actor)
        except DomainError as exc:
            return MembershipPayload(errors=user_errors(exc))
        await ctx.platform.authz.refresh()
        return MembershipPayload()
