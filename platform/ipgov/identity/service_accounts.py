"""Service accounts and their API keys: the whole lifecycle.

- creation gives one role and scopes (``object:action``, a subset of what the role confers),
  both within the creator's own rights (``ipgov.authz.ceiling``), an accountable owner and a
  first key that expires;
- rotation issues a new key and lets the old one live on for an overlap, so a deployment can
  switch without downtime; whoever rotates must be able to grant the account's rights, since
  he receives a working secret;
- revocation of a key, or disabling the whole account, takes effect on the next request in
  every process: keys are looked up in the database on every request (no cache to expire);
- authentication checks the key's secret, end and revocation, and writes ``last_used_at`` at
  most once a minute per key, not on every request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.ceiling import assert_may_grant, assert_may_grant_permissions
from ipgov.authz.roles import PLATFORM_ROLES, TENANT_ROLES
from ipgov.authz.scopes import format_scope, parse_scope
from ipgov.db.base import utcnow
from ipgov.db.scope import TenantScope
from ipgov.errors import Conflict, InvalidInput, NotFound

from .apikeys import generate_api_key, parse_api_key, verify_api_key_secret
from .models import ApiKey, ServiceAccount
from .principal import Principal
from .tokens import AuthenticationError

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = [
    "DEFAULT_KEY_DAYS",
    "MAX_KEY_DAYS",
    "MAX_OVERLAP_HOURS",
    "api_key_principal",
    "create_service_account",
    "disable_service_account",
    "revoke_api_key",
    "rotate_api_key",
]

DEFAULT_KEY_DAYS = 90
MAX_KEY_DAYS = 366
DEFAULT_OVERLAP_HOURS = 24
MAX_OVERLAP_HOURS = 24 * 30
MAX_SCOPES = 500
LAST_USE_RESOLUTION = timedelta(minutes=1)
OBJECT = "ipgov:service_account"


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _check_role(tenant_id: str, role: str) -> None:
    from ipgov.tenancy.models import PLATFORM_TENANT_ID

    roles = PLATFORM_ROLES if tenant_id == PLATFORM_TENANT_ID else TENANT_ROLES
    if role not in roles:
        raise InvalidInput(f"role {role!r} is not one of: {', '.join(roles)}", field="role")


def _lifetime(days: int | None) -> timedelta:
    days = DEFAULT_KEY_DAYS if days is None else days
    if not 1 <= days <= MAX_KEY_DAYS:
        raise InvalidInput(f"a key lives 1-{MAX_KEY_DAYS} days, not {days}",
                           code="KEY_LIFETIME", field="expiresInDays",
                           details={"maximum": MAX_KEY_DAYS})
    return timedelta(days=days)


def _scopes(platform: Platform, tenant_id: str, role: str,
            scopes: Sequence[str] | None) -> list[tuple[str, str]]:
    """The account's scopes: the ones asked for (each confered by the role), or everything
    the role confers in the tenant."""
    confers = platform.authz.permissions_of(role, tenant_id)
    if scopes is None:
        return sorted(confers)
    if len(scopes) > MAX_SCOPES:
        raise InvalidInput(f"at most {MAX_SCOPES} scopes", code="SCOPES_TOO_MANY",
                           field="scopes")
    parsed = []
    for text in scopes:
        try:
            parsed.append(parse_scope(text))
        except ValueError as exc:
            raise InvalidInput(str(exc), code="SCOPE_MALFORMED", field="scopes") from None
    outside = sorted(format_scope(*p) for p in set(parsed) - confers)
    if outside:
        raise InvalidInput(f"the role {role} does not confer {', '.join(outside[:5])}",
                           code="SCOPE_OUTSIDE_ROLE", field="scopes",
                           details={"role": role, "scopes": ", ".join(outside[:5])})
    if not parsed:
        raise InvalidInput("give at least one scope, or none to take the role's",
                           code="SCOPES_EMPTY", field="scopes")
    return sorted(set(parsed))


async def _owner(session: AsyncSession, granter: str | None) -> str | None:
    """The accountable person: the granting user, or the owner of the granting account."""
    if granter is None:
        return None
    if not granter.startswith("sa:"):
        return granter
    creator = await session.get(ServiceAccount, granter.removeprefix("sa:"))
    return creator.owner_user_id if creator else None


def _new_key(account: ServiceAccount, actor: str, lifetime: timedelta) -> tuple[ApiKey, str]:
    new_key = generate_api_key()
    key = ApiKey(id=new_key.key_id, tenant_id=account.tenant_id,
                 service_account_id=account.id, secret_hash=new_key.secret_hash,
                 created_by=actor, expires_at=utcnow() + lifetime)
    return key, new_key.plaintext


async def create_service_account(
    platform: Platform, session: AsyncSession, *, tenant_id: str, name: str, role: str,
    actor: str, granter: str | None = None, scopes: Sequence[str] | None = None,
    expires_in_days: int | None = None,
) -> tuple[ServiceAccount, ApiKey, str]:
    """Create an account with one role, its scopes and a first key (plaintext shown once).

    ``granter`` is the caller's authorization subject; ``None`` for operators (CLI)."""
    _check_role(tenant_id, role)
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("name must be 1-120 characters", field="name")
    lifetime = _lifetime(expires_in_days)
    allowed = _scopes(platform, tenant_id, role, scopes)
    if granter is not None:
        assert_may_grant(platform, granter, tenant_id, role)
        assert_may_grant_permissions(platform, granter, tenant_id, allowed)
    taken = await session.execute(select(ServiceAccount.id).where(
        ServiceAccount.tenant_id == tenant_id, ServiceAccount.name == name))
    if taken.first():
        raise Conflict(f"a service account named {name!r} exists", code="DUPLICATE_NAME",
                       field="name")
    account = ServiceAccount(tenant_id=tenant_id, name=name, role=role, created_by=actor,
                             scopes=[format_scope(*p) for p in allowed],
                             owner_user_id=await _owner(session, granter))
    session.add(account)
    await session.flush()
    key, plaintext = _new_key(account, actor, lifetime)
    session.add(key)
    await store.assign_role(session, tenant_id, f"sa:{account.id}", role)
    await platform.audit(session, tenant_id=tenant_id, actor=actor,
                         action="service_account.created", object_type=OBJECT,
                         object_id=account.id,
                         details={"name": name, "role": role, "key_id": key.id,
                                  "scopes": len(allowed), "expires_at": key.expires_at})
    return account, key, plaintext


async def _account(session: AsyncSession, tenant_id: str, account_id: str) -> ServiceAccount:
    account = await session.get(ServiceAccount, account_id)
    if account is None or account.tenant_id != tenant_id or account.disabled_at is not None:
        raise NotFound("no such service account in this tenant",
                       code="SERVICE_ACCOUNT_NOT_FOUND", field="serviceAccountId")
    return account


async def _key(session: AsyncSession, tenant_id: str, key_id: str) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None or key.tenant_id != tenant_id:
        raise NotFound("no such API key in this tenant", code="API_KEY_NOT_FOUND",
                       field="keyId")
    return key


async def rotate_api_key(
    platform: Platform, session: AsyncSession, *, tenant_id: str, service_account_id: str,
    actor: str, granter: str | None = None, overlap_hours: int = DEFAULT_OVERLAP_HOURS,
    expires_in_days: int | None = None,
) -> tuple[ApiKey, str, list[ApiKey]]:
    """A new key for the account; its other live keys end after ``overlap_hours`` (0: now).

    Returns the new key, its plaintext and the keys that now end sooner."""
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise InvalidInput(f"the overlap is 0-{MAX_OVERLAP_HOURS} hours", code="KEY_OVERLAP",
                           field="overlapHours", details={"maximum": MAX_OVERLAP_HOURS})
    lifetime = _lifetime(expires_in_days)
    account = await _account(session, tenant_id, service_account_id)
    if granter is not None:  # the caller receives a working secret: the ceiling applies
        assert_may_grant(platform, granter, tenant_id, account.role)
        assert_may_grant_permissions(platform, granter, tenant_id,
                                     [parse_scope(s) for s in account.scopes or ()])
    now = utcnow()
    end = now + timedelta(hours=overlap_hours)
    previous = await _live_keys(session, account.id, now)
    key, plaintext = _new_key(account, actor, lifetime)
    session.add(key)
    shortened = []
    for old in previous:
        old.replaced_by = key.id
        if (expires := aware(old.expires_at)) is None or expires > end:
            old.expires_at = end
        shortened.append(old)
    await session.flush()
    await platform.audit(session, tenant_id=tenant_id, actor=actor,
                         action="service_account.key_rotated", object_type=OBJECT,
                         object_id=account.id,
                         details={"key_id": key.id, "previous": [k.id for k in shortened],
                                  "previous_end": end, "expires_at": key.expires_at})
    return key, plaintext, shortened


async def _live_keys(session: AsyncSession, account_id: str, now: datetime) -> list[ApiKey]:
    rows = (await session.execute(select(ApiKey).where(
        ApiKey.service_account_id == account_id, ApiKey.revoked_at.is_(None)))).scalars()
    return [k for k in rows if (expires := aware(k.expires_at)) is None or expires > now]


async def _assert_may_end(platform: Platform, session: AsyncSession, granter: str | None,
                          tenant_id: str, account_id: str) -> None:
    """Ending an account's access takes the rights of someone who could grant its role, as
    removing a member does (a subsidiary cannot cut off the group's integrations)."""
    account = await session.get(ServiceAccount, account_id)
    if granter is not None and account is not None:
        assert_may_grant(platform, granter, tenant_id, account.role)


async def revoke_api_key(platform: Platform, session: AsyncSession, *, tenant_id: str,
                         key_id: str, actor: str, granter: str | None = None) -> ApiKey:
    """Revoke one key at once (idempotent: a revoked key stays revoked, first time kept)."""
    key = await _key(session, tenant_id, key_id)
    await _assert_may_end(platform, session, granter, tenant_id, key.service_account_id)
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = utcnow(), actor
        await platform.audit(session, tenant_id=tenant_id, actor=actor,
                             action="service_account.key_revoked", object_type=OBJECT,
                             object_id=key.service_account_id, details={"key_id": key.id})
    return key


async def disable_service_account(platform: Platform, session: AsyncSession, *,
                                  tenant_id: str, service_account_id: str, actor: str,
                                  granter: str | None = None) -> ServiceAccount:
    """End an account: every key revoked and its role removed, in one transaction (the row
    stays for the audit trail)."""
    account = await _account(session, tenant_id, service_account_id)
    await _assert_may_end(platform, session, granter, tenant_id, account.id)
    now = utcnow()
    revoked = []
    for key in await _live_keys(session, account.id, now):
        key.revoked_at, key.revoked_by = now, actor
        revoked.append(key.id)
    account.disabled_at = now
    await store.unassign_role(session, tenant_id, f"sa:{account.id}", account.role)
    await platform.audit(session, tenant_id=tenant_id, actor=actor,
                         action="service_account.disabled", object_type=OBJECT,
                         object_id=account.id, details={"revoked_keys": revoked})
    return account


def key_state(key: ApiKey, now: datetime | None = None) -> str:
    """``active``, ``expiring`` (rotated, in its overlap), ``expired`` or ``revoked``."""
    now = now or utcnow()
    if key.revoked_at is not None:
        return "revoked"
    end = aware(key.expires_at)
    if end is not None and end <= now:
        return "expired"
    return "expiring" if key.replaced_by else "active"


async def api_key_principal(platform: Platform, credential: str) -> Principal:
    """The service account a presented API key belongs to; ``AuthenticationError`` unless the
    key is known, its secret matches, and it is neither revoked, expired nor disabled."""
    key_id, secret = parse_api_key(credential)
    scope = TenantScope.system("identity: api key")
    async with platform.db.session(scope, readonly=True) as session:
        row = (await session.execute(
            select(ApiKey.secret_hash, ApiKey.revoked_at, ApiKey.expires_at,
                   ApiKey.last_used_at, ServiceAccount.id, ServiceAccount.name,
                   ServiceAccount.tenant_id, ServiceAccount.disabled_at)
            .join(ServiceAccount, ServiceAccount.id == ApiKey.service_account_id)
            .where(ApiKey.id == key_id))).first()
    if row is None or not verify_api_key_secret(secret, row.secret_hash):
        raise AuthenticationError("API_KEY_INVALID", "the API key is unknown or revoked")
    now = utcnow()
    if row.revoked_at is not None or row.disabled_at is not None:
        raise AuthenticationError("API_KEY_INVALID", "the API key is unknown or revoked")
    if (expires := aware(row.expires_at)) is not None and expires <= now:
        raise AuthenticationError("API_KEY_EXPIRED",
                                  "the API key has expired: rotate it for a new one")
    if (used := aware(row.last_used_at)) is None or used <= now - LAST_USE_RESOLUTION:
        await _note_use(platform, key_id, now)
    return Principal("service", row.id, row.name, tenant_id=row.tenant_id)


async def _note_use(platform: Platform, key_id: str, now: datetime) -> None:
    """Write ``last_used_at`` unless another request (any process) did within the minute."""
    async with platform.db.system_session("identity: api key last use") as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == key_id, or_(
                ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - LAST_USE_RESOLUTION))
            .values(last_used_at=now).execution_options(synchronize_session=False))


def scopes_of(account: ServiceAccount) -> Iterable[str]:
    """The account's scopes as written (``None``: its role alone limits it)."""
    return list(account.scopes) if account.scopes is not None else []
