"""SCIM bearer tokens of a provisioning tenant: made (shown once), listed, revoked, verified.

A token reads ``ipgovscim_<id>_<secret>`` (the prefix lets secret scanners and log redaction
find it). Only the SHA-256 of the secret is stored, as for API keys: a 256-bit random secret
cannot be brute-forced from its hash, and a fast hash keeps each request cheap.

Whoever makes a token hands a directory the power to give every role in every tenant the
token reaches, so the privilege ceiling applies at creation: the creator must be able to grant
each of those roles himself (``ipgov.authz.ceiling``). A subsidiary holds tokens only when its
parent governs it decentralized (``reach.may_provision``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz.ceiling import assert_may_grant
from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput, NotFound, Unauthenticated

from ..apikeys import hash_api_key_secret, verify_api_key_secret
from .models import ScimToken
from .reach import may_provision, reach_of

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["DEFAULT_TOKEN_DAYS", "MAX_TOKEN_DAYS", "NewScimToken", "TOKEN_PREFIX",
           "create_token", "needs_use_noted", "note_use", "parse_token", "revoke_token",
           "token_state", "verify_token"]

TOKEN_PREFIX = "ipgovscim_"  # noqa: S105 - a prefix scanners find, not a secret
DEFAULT_TOKEN_DAYS = 365
MAX_TOKEN_DAYS = 730
OBJECT = "ipgov:provisioning"
_TOKEN_RE = re.compile(r"ipgovscim_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_LAST_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewScimToken:
    """A token just made: ``plaintext`` is shown once, the row keeps only its hash."""

    token: ScimToken
    plaintext: str = field(repr=False)


def parse_token(text: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a presented token, ``None`` for anything not shaped like one."""
    match = _TOKEN_RE.fullmatch((text or "").strip()[:100])
    return (match.group(1), match.group(2)) if match else None


def _check_may_hold(platform: Platform, tenant_id: str) -> None:
    if not may_provision(platform.authz.directory, tenant_id):
        raise InvalidInput(
            "only a group, or a subsidiary its parent governs decentralized, holds SCIM "
            "tokens: the group's token provisions its centralized and hybrid subsidiaries",
            code="SCIM_TOKEN_NOT_HERE", field="groupId")


def _check_ceiling(platform: Platform, granter: str, tenant_id: str) -> None:
    """The creator may grant every role the token can confer, in every tenant it reaches."""
    reach = reach_of(platform.authz.directory, tenant_id)
    for tenant in sorted(reach.ids):
        for role in reach.roles_in(tenant):
            assert_may_grant(platform, granter, tenant, role)


async def create_token(platform: Platform, session: AsyncSession, *, tenant_id: str,
                       name: str, actor: str, granter: str | None,
                       expires_in_days: int | None = None) -> NewScimToken:
    """Make a token for ``tenant_id`` (audited); ``granter`` None for operators (CLI)."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("name the token (1-120 characters), e.g. the directory it serves",
                           field="name")
    days = DEFAULT_TOKEN_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"a SCIM token lives 1-{MAX_TOKEN_DAYS} days, not {days}",
                           code="KEY_LIFETIME", field="expiresInDays",
                           details={"maximum": MAX_TOKEN_DAYS})
    _check_may_hold(platform, tenant_id)
    if granter is not None:
        _check_ceiling(platform, granter, tenant_id)
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token = ScimToken(id=token_id, tenant_id=tenant_id, name=name, created_by=actor,
                      secret_hash=hash_api_key_secret(secret),
                      expires_at=utcnow() + timedelta(days=days))
    session.add(token)
    await session.flush()
    await platform.audit(session, tenant_id=tenant_id, actor=actor, action="scim.token_created",
                         object_type=OBJECT, object_id=token_id,
                         details={"name": name, "expires_at": token.expires_at})
    return NewScimToken(token, f"{TOKEN_PREFIX}{token_id}_{secret}")


async def revoke_token(platform: Platform, session: AsyncSession, *, tenant_id: str,
                       token_id: str, actor: str) -> ScimToken:
    """Revoke a token at once (idempotent: the first revocation is kept), audited."""
    token = await session.get(ScimToken, token_id)
    if token is None or token.tenant_id != tenant_id:
        raise NotFound("no such SCIM token in this tenant", code="SCIM_TOKEN_NOT_FOUND",
                       field="tokenId")
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = utcnow(), actor
        await platform.audit(session, tenant_id=tenant_id, actor=actor,
                             action="scim.token_revoked", object_type=OBJECT,
                             object_id=token_id, details={"name": token.name})
    return token


def token_state(token: ScimToken, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= (now or utcnow()) else "active"


async def verify_token(platform: Platform, session: AsyncSession, presented: str
                       ) -> ScimToken:
    """The live token ``presented`` is, of an active provisioning tenant;
    ``Unauthenticated`` for anything else, with one message for every reason."""
    parsed = parse_token(presented)
    token = await session.get(ScimToken, parsed[0]) if parsed else None
    if (parsed is None or token is None
            or not verify_api_key_secret(parsed[1], token.secret_hash)
            or token_state(token) != "active"
            or not may_provision(platform.authz.directory, token.tenant_id)):
        raise Unauthenticated("the SCIM token is unknown, expired or revoked",
                              code="SCIM_TOKEN_INVALID")
    return token


def needs_use_noted(token: ScimToken) -> bool:
    """Whether ``last_used_at`` is older than its resolution (a minute)."""
    return token.last_used_at is None or token.last_used_at <= utcnow() - _LAST_USE_RESOLUTION


async def note_use(platform: Platform, token_id: str) -> None:
    """Write ``last_used_at`` unless another request (any process) did within the minute."""
    now = utcnow()
    async with platform.db.system_session("scim: token last use") as session:
        await session.execute(update(ScimToken).where(
            ScimToken.id == token_id, or_(ScimToken.last_used_at.is_(None),
                                          ScimToken.last_used_at <= now - _LAST_USE_RESOLUTION))
            .values(last_used_at=now).execution_options(synchronize_session=False))
