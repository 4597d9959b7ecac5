"""SCIM provisioning tokens in GraphQL: a group's administrators make one for their directory
(its secret shown once), list them, and revoke them (refused from the next SCIM request on)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.identity.scim import tokens
from ipgov.identity.scim.models import ScimToken

from .errors import UserError
from .kit import mutate, page_in
from .pagination import Connection
from .permissions import requires

__all__ = ["ScimMutation", "ScimQuery"]

READ, MANAGE = ("ipgov:provisioning", "read"), ("ipgov:provisioning", "manage")


@strawberry.type(name="ScimToken", description="A SCIM bearer token of a group (never its "
                 "secret: that is shown once, when the token is made).")
class ScimTokenType:
    id: strawberry.ID = strawberry.field(description="The public part of the token "
                                         "(ipgovscim_<id>_...): what to revoke.")
    group_id: strawberry.ID = strawberry.field(description="The provisioning tenant.")
    name: str
    state: str = strawberry.field(description="active, expired or revoked")
    created_by: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="Last SCIM request with the token, to the minute.")
    revoked_at: datetime | None
    revoked_by: str | None


@strawberry.type(description="The token made or revoked, or why nothing changed.")
class ScimTokenPayload:
    token: ScimTokenType | None = None
    secret: str | None = strawberry.field(
        default=None, description="The bearer token to give the directory: shown only this "
        "once.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def token_node(token: ScimToken) -> ScimTokenType:
    """The GraphQL view of a token."""
    return ScimTokenType(
        id=strawberry.ID(token.id), group_id=strawberry.ID(token.tenant_id), name=token.name,
        state=tokens.token_state(token), created_by=token.created_by,
        created_at=token.created_at, expires_at=token.expires_at,
        last_used_at=token.last_used_at, revoked_at=token.revoked_at,
        revoked_by=token.revoked_by)


@strawberry.type
class ScimQuery:
    @strawberry.field(description="SCIM tokens of a group (or of a subsidiary its parent "
                      "governs decentralized), newest first.",
                      extensions=requires(*READ, tenant="groupId"))
    async def scim_tokens(self, info: Info, group_id: strawberry.ID, first: int = 50,
                          after: str | None = None) -> Connection[ScimTokenType]:
        async with info.context.session(str(group_id)) as session:
            return await page_in(info, session, select(ScimToken),
                                 [ScimToken.created_at, ScimToken.id], first=first,
                                 after=after, to_node=token_node, descending=True)


@strawberry.type
class ScimMutation:
    @strawberry.mutation(description="Make a SCIM token for the group's directory (Entra ID, "
                         "Okta, ...). The directory may then give every role in every tenant "
                         "the token reaches, so you must be able to grant them all yourself.",
                         extensions=requires(*MANAGE, tenant="groupId"))
    async def create_scim_token(self, info: Info, group_id: strawberry.ID, name: str,
                                expires_in_days: int | None = None) -> ScimTokenPayload:
        ctx = info.context

        async def work(session: AsyncSession) -> tokens.NewScimToken:
            return await tokens.create_token(
                ctx.platform, session, tenant_id=str(group_id), name=name, actor=ctx.actor,
                granter=ctx.actor, expires_in_days=expires_in_days)

        return await mutate(info, str(group_id), ScimTokenPayload, None, work, action=None,
                            to_node=lambda made: {"token": token_node(made.token),
                                                  "secret": made.plaintext})

    @strawberry.mutation(description="Revoke a SCIM token: the directory's next request is "
                         "refused.", extensions=requires(*MANAGE, tenant="groupId"))
    async def revoke_scim_token(self, info: Info, group_id: strawberry.ID,
                                token_id: strawberry.ID) -> ScimTokenPayload:
        ctx = info.context

        async def work(session: AsyncSession) -> ScimToken:
            return await tokens.revoke_token(ctx.platform, session, tenant_id=str(group_id),
                                             token_id=str(token_id), actor=ctx.actor)

        return await mutate(info, str(group_id), ScimTokenPayload, "token", work,
                            action=None, to_node=token_node)
