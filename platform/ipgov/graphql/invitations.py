"""Invitations in GraphQL, and the signed download links pages use for exports and reports."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.db.base import utcnow
from ipgov.errors import DomainError
from ipgov.identity import invitations
from ipgov.identity.links import make_link
from ipgov.identity.models import Invitation
from ipgov.identity.onetime import aware
from ipgov.web.downloads import download_paths

from .audit_types import actor_field
from .credentials import CREDENTIAL_CHECK, credential_check
from .errors import UserError, user_errors
from .kit import page_in
from .pagination import Connection
from .permissions import public, requires
from .sign_in import SignInPayload, signed_in_payload

__all__ = ["InvitationMutation", "InvitationQuery"]


@strawberry.type(name="Invitation", description="An invitation to hold a role in a tenant.")
class InvitationType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    email: str
    role: str
    invited_by: str
    invited_by_actor = actor_field("invited_by", "Who sent the invitation, by name.")
    delivered: bool = strawberry.field(description="True when the link went by e-mail.")
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    status: str = strawberry.field(description="open, accepted, revoked or expired.")


def _node(inv: Invitation) -> InvitationType:
    expires = aware(inv.expires_at)
    status = ("accepted" if inv.accepted_at else "revoked" if inv.revoked_at
              else "expired" if expires <= utcnow() else "open")
    return InvitationType(
        id=strawberry.ID(inv.id), tenant_id=strawberry.ID(inv.tenant_id), email=inv.email,
        role=inv.role, invited_by=inv.invited_by, delivered=inv.delivered,
        created_at=aware(inv.created_at), expires_at=expires,
        accepted_at=aware(inv.accepted_at), revoked_at=aware(inv.revoked_at), status=status)


@strawberry.type(description="The invitation, its link when it was not e-mailed, or why not.")
class InvitationPayload:
    invitation: InvitationType | None = None
    link: str | None = strawberry.field(
        default=None, description="The one-time link, shown only when it could not be "
        "e-mailed: pass it on to the person yourself. Null when e-mailed.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The accepted invitation, a session when a password was set.")
class AcceptInvitationPayload:
    tenant_id: strawberry.ID | None = None
    role: str | None = None
    session: SignInPayload | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A short-lived signed link that opens an export or report in a "
                 "browser without a bearer header.")
class DownloadLink:
    title: str
    path: str
    url: str = strawberry.field(description="Path with its signature: open it as it is "
                                "(add query parameters such as lang after it).")
    expires_at: datetime


@strawberry.type
class InvitationQuery:
    @strawberry.field(description="Invitations of a tenant (open, accepted, revoked and expired).",
                      extensions=requires("ipgov:member", "read"))
    async def invitations(self, info: Info, tenant_id: strawberry.ID, first: int = 50,
                          after: str | None = None) -> Connection[InvitationType]:
        ctx = info.context
        async with ctx.platform.db.tenant_session(str(tenant_id)) as session:
            return await page_in(
                info, session, select(Invitation), [Invitation.id], first=first, after=after,
                to_node=_node,
                key=lambda i: [i.id])

    @strawberry.field(description="Signed links to the exports and reports you may open: the "
                      "supervision exports without tenantId, a tenant's reports with it. Each "
                      "is checked again when opened.",
                      extensions=requires("ipgov:tenant", "read", optional=True))
    def download_links(self, info: Info, tenant_id: strawberry.ID | None = None
                       ) -> list[DownloadLink]:
        ctx = info.context
        principal = ctx.require_principal()
        if principal.kind != "user":
            return []
        found = []
        tenant = str(tenant_id) if tenant_id else None
        for title, path in download_paths(ctx.platform, tenant, principal.subject):
            link = make_link(ctx.platform, principal, path)
            found.append(DownloadLink(title=title, path=path, url=link.url,
                                      expires_at=link.expires_at))
        return found


@strawberry.type
class InvitationMutation:
    @strawberry.mutation(description="Invite an address to hold a role in a tenant: a one-time "
                         "link by e-mail (SMTP configured), or shown to you to pass on.",
                         extensions=requires("ipgov:member", "create"))
    async def invite_member(self, info: Info, tenant_id: strawberry.ID, email: str, role: str,
                            display_name: str | None = None) -> InvitationPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                invited = await invitations.create_invitation(
                    ctx.platform, session, tenant_id=str(tenant_id), email=email, role=role,
                    display_name=display_name, actor=ctx.actor, granter=ctx.actor)
        except DomainError as exc:
            return InvitationPayload(errors=user_errors(exc))
        tenant = ctx.platform.authz.tenant_info(str(tenant_id))
        delivered = await invitations.deliver(ctx.platform, invited,
                                              tenant.slug if tenant else str(tenant_id))
        invited.invitation.delivered = delivered
        return InvitationPayload(invitation=_node(invited.invitation),
                                 link=None if delivered else invited.link)

    @strawberry.mutation(description="Withdraw an open invitation: its link stops working.",
                         extensions=requires("ipgov:member", "create"))
    async def revoke_invitation(self, info: Info, tenant_id: strawberry.ID,
                                invitation_id: strawberry.ID) -> InvitationPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                inv = await invitations.revoke_invitation(
                    ctx.platform, session, tenant_id=str(tenant_id),
                    invitation_id=str(invitation_id), actor=ctx.actor)
                node = _node(inv)
        except DomainError as exc:
            return InvitationPayload(errors=user_errors(exc))
        return InvitationPayload(invitation=node)

    @strawberry.mutation(description="Accept an invitation with its link: choose a password "
                         "(new account) or be signed in as the invited address.",
                         extensions=public(), metadata=CREDENTIAL_CHECK)
    async def accept_invitation(self, info: Info, token: str, password: str | None = None,
                                display_name: str | None = None) -> AcceptInvitationPayload:
        ctx = info.context
        try:
            await credential_check(ctx)
            accepted = await invitations.accept_invitation(
                ctx.platform, token=token, password=password, display_name=display_name,
                principal=ctx.principal, client=ctx.client_address)
        except DomainError as exc:
            return AcceptInvitationPayload(errors=user_errors(exc))
        await ctx.platform.authz.refresh()
        inv = accepted.invitation
        return AcceptInvitationPayload(
            tenant_id=strawberry.ID(inv.tenant_id), role=inv.role,
            session=signed_in_payload(accepted.signed_in, ctx) if accepted.signed_in else None)
