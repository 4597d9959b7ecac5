"""Service accounts in GraphQL, beside ``members``: list them with their keys, create them
within the privilege ceiling, rotate keys with an overlap, revoke keys, disable accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.errors import DomainError
from ipgov.identity import service_accounts as accounts
from ipgov.identity.models import ApiKey, ServiceAccount, User

from .audit_types import actor_field
from .errors import UserError, user_errors
from .kit import page_in
from .pagination import Connection
from .permissions import requires

__all__ = ["ServiceAccountMutation", "ServiceAccountQuery"]

KEYS_SHOWN = 20
"""Keys listed per account, newest first (rotations add one each)."""


@strawberry.type(name="ApiKey", description="An API key of a service account (never its "
                 "secret: that is shown once, when the key is made).")
class ApiKeyType:
    id: strawberry.ID = strawberry.field(description="The public part of the key "
                                         "(ipgov_<id>_...): what to revoke.")
    state: str = strawberry.field(description="active, expiring (rotated, in its overlap), "
                                  "expired or revoked")
    created_at: datetime
    created_by: str
    created_by_actor = actor_field("created_by", "Who created it, by name (null if nobody).")
    expires_at: datetime | None = strawberry.field(
        description="When the key stops working; null only for keys made before expiry "
        "existed.")
    last_used_at: datetime | None = strawberry.field(
        description="Last request with the key, to the minute.")
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_by_actor = actor_field("revoked_by", "Who revoked it, by name (null if nobody).")
    replaced_by: strawberry.ID | None = strawberry.field(
        description="The key that replaced this one at a rotation.")


@strawberry.type(name="ServiceAccount", description="A non-human member of a tenant: one "
                 "role, scopes within it, an accountable owner and API keys.")
class ServiceAccountType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    name: str
    role: str
    scopes: list[str] | None = strawberry.field(
        description="object:action permissions the account is limited to (null: its role "
        "alone, for accounts made before scopes existed).")
    owner_user_id: strawberry.ID | None
    owner_email: str | None
    created_by: str
    created_by_actor = actor_field("created_by", "Who created it, by name (null if nobody).")
    created_at: datetime
    disabled_at: datetime | None
    keys: list[ApiKeyType] = strawberry.field(
        description=f"Its newest keys (at most {KEYS_SHOWN}), newest first.")


@strawberry.type(description="The service account and its first key, or why nothing changed.")
class ServiceAccountPayload:
    service_account: ServiceAccountType | None = None
    service_account_id: strawberry.ID | None = None
    api_key: str | None = strawberry.field(
        default=None, description="The new key's secret: shown only this once.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The key made or revoked, or why nothing changed.")
class ApiKeyPayload:
    key: ApiKeyType | None = None
    api_key: str | None = strawberry.field(
        default=None, description="A rotated key's secret: shown only this once.")
    previous_keys: list[ApiKeyType] = strawberry.field(
        default_factory=list, description="Keys a rotation now ends at the overlap's end.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def key_node(key: ApiKey) -> ApiKeyType:
    """The GraphQL view of a key."""
    return ApiKeyType(
        id=strawberry.ID(key.id), state=accounts.key_state(key), created_at=key.created_at,
        created_by=key.created_by or "", expires_at=key.expires_at,
        last_used_at=key.last_used_at, revoked_at=key.revoked_at, revoked_by=key.revoked_by,
        replaced_by=strawberry.ID(key.replaced_by) if key.replaced_by else None)


def account_node(account: ServiceAccount, keys: list[ApiKey],
                 owners: dict[str, str]) -> ServiceAccountType:
    """The GraphQL view of an account with its (already loaded) keys."""
    owner = account.owner_user_id
    return ServiceAccountType(
        id=strawberry.ID(account.id), tenant_id=strawberry.ID(account.tenant_id),
        name=account.name, role=account.role,
        scopes=list(account.scopes) if account.scopes is not None else None,
        owner_user_id=strawberry.ID(owner) if owner else None,
        owner_email=owners.get(owner or ""), created_by=account.created_by or "",
        created_at=account.created_at, disabled_at=account.disabled_at,
        keys=[key_node(k) for k in keys[:KEYS_SHOWN]])


async def _keys(session: Any, found: list[ServiceAccount]) -> dict[str, list[ApiKey]]:
    """Keys of a page of accounts, newest first, in one statement."""
    keys: dict[str, list[ApiKey]] = {a.id: [] for a in found}
    if keys:
        rows = (await session.execute(select(ApiKey).where(
            ApiKey.service_account_id.in_(sorted(keys))).order_by(ApiKey.created_at.desc(),
                                                                  ApiKey.id))).scalars()
        for key in rows:
            keys[key.service_account_id].append(key)
    return keys


async def _owners(ctx: Any, found: list[ServiceAccount]) -> dict[str, str]:
    """Emails of the accounts' owners (users are global: read after the tenant session, so
    SQLite never holds two transactions of one request)."""
    wanted = sorted({a.owner_user_id for a in found if a.owner_user_id})
    if not wanted:
        return {}
    async with ctx.system_session("graphql: service account owners") as session:
        return dict((await session.execute(select(User.id, User.email).where(
            User.id.in_(wanted)))).all())


@strawberry.type
class ServiceAccountQuery:
    @strawberry.field(description="Service accounts of a tenant (beside `members`), with "
                      "their keys.", extensions=requires("ipgov:service_account", "read"))
    async def service_accounts(
        self, info: Info, tenant_id: strawberry.ID, first: int = 50, after: str | None = None,
        include_disabled: bool = False,
    ) -> Connection[ServiceAccountType]:
        ctx = info.context
        stmt = select(ServiceAccount)
        if not include_disabled:
            stmt = stmt.where(ServiceAccount.disabled_at.is_(None))
        async with ctx.session(str(tenant_id)) as session:
            page = await page_in(info, session, stmt, [ServiceAccount.id], first=first,
                                 after=after, to_node=lambda a: a, key=lambda a: [a.id])
            keys = await _keys(session, [e.node for e in page.edges])
        owners = await _owners(ctx, [e.node for e in page.edges])
        for edge in page.edges:
            edge.node = account_node(edge.node, keys[edge.node.id], owners)
        return page


def _payload_error(exc: DomainError, payload: type) -> Any:
    if exc.code == "FORBIDDEN":  # no right to the call at all: not a problem of the input
        raise exc
    return payload(errors=user_errors(exc))


@strawberry.type
class ServiceAccountMutation:
    @strawberry.mutation(description="Create a service account with one role (scopes narrow "
                         "it; both within your own rights) and a first key that expires.",
                         extensions=requires("ipgov:service_account", "create"))
    async def create_service_account(
        self, info: Info, tenant_id: strawberry.ID, name: str, role: str,
        scopes: list[str] | None = None, expires_in_days: int | None = None,
    ) -> ServiceAccountPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                account, key, plaintext = await accounts.create_service_account(
                    ctx.platform, session, tenant_id=str(tenant_id), name=name, role=role,
                    actor=ctx.actor, granter=ctx.actor, scopes=scopes,
                    expires_in_days=expires_in_days)
        except DomainError as exc:
            return _payload_error(exc, ServiceAccountPayload)
        node = account_node(account, [key], await _owners(ctx, [account]))
        await ctx.platform.authz.refresh()
        return ServiceAccountPayload(service_account=node, service_account_id=node.id,
                                     api_key=plaintext)

    @strawberry.mutation(description="A new key for a service account; its other keys keep "
                         "working for `overlapHours` (0: they stop now).",
                         extensions=requires("ipgov:service_account", "create"))
    async def rotate_api_key(
        self, info: Info, tenant_id: strawberry.ID, service_account_id: strawberry.ID,
        overlap_hours: int = accounts.DEFAULT_OVERLAP_HOURS,
        expires_in_days: int | None = None,
    ) -> ApiKeyPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                key, plaintext, previous = await accounts.rotate_api_key(
                    ctx.platform, session, tenant_id=str(tenant_id),
                    service_account_id=str(service_account_id), actor=ctx.actor,
                    granter=ctx.actor, overlap_hours=overlap_hours,
                    expires_in_days=expires_in_days)
                payload = ApiKeyPayload(key=key_node(key), api_key=plaintext,
                                        previous_keys=[key_node(k) for k in previous])
        except DomainError as exc:
            return _payload_error(exc, ApiKeyPayload)
        return payload

    @strawberry.mutation(description="Revoke an API key: refused from the next request on, "
                         "by every API process.",
                         extensions=requires("ipgov:service_account", "delete"))
    async def revoke_api_key(self, info: Info, tenant_id: strawberry.ID,
                             key_id: strawberry.ID) -> ApiKeyPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                key = await accounts.revoke_api_key(ctx.platform, session,
                                                    tenant_id=str(tenant_id),
                                                    key_id=str(key_id), actor=ctx.actor,
                                                    granter=ctx.actor)
                payload = ApiKeyPayload(key=key_node(key))
        except DomainError as exc:
            return _payload_error(exc, ApiKeyPayload)
        return payload

    @strawberry.mutation(description="End a service account: every key revoked and its role "
                         "removed (kept, disabled, for the record).",
                         extensions=requires("ipgov:service_account", "delete"))
    async def disable_service_account(self, info: Info, tenant_id: strawberry.ID,
                                      service_account_id: strawberry.ID
                                      ) -> ServiceAccountPayload:
        ctx = info.context
        try:
            async with ctx.session(str(tenant_id)) as session:
                account = await accounts.disable_service_account(
                    ctx.platform, session, tenant_id=str(tenant_id),
                    service_account_id=str(service_account_id), actor=ctx.actor,
                    granter=ctx.actor)
                keys = await _keys(session, [account])
        except DomainError as exc:
            return _payload_error(exc, ServiceAccountPayload)
        node = account_node(account, keys[account.id], await _owners(ctx, [account]))
        await ctx.platform.authz.refresh()
        return ServiceAccountPayload(service_account=node, service_account_id=node.id)
