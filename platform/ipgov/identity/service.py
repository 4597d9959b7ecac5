"""Identity services: users, memberships, login and request authentication (service accounts
and their keys: ``ipgov.identity.service_accounts``)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.ceiling import assert_may_grant
from ipgov.authz.roles import PLATFORM_ROLES, TENANT_ROLES
from ipgov.db import TenantScope
from ipgov.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from ipgov.settings import Settings
from ipgov.tenancy.models import PLATFORM_TENANT_ID
from ipgov.tenancy.tree import get_tenant

from . import revocations, throttle
from .factors.tickets import SecondStep, begin_sign_in
from .models import Membership, User
from .passwords import (
    hash_password,
    needs_rehash,
    validate_password_policy,
    verify_password_or_dummy,
)
from .principal import Principal
from .service_accounts import api_key_principal
from .sessions import SignedIn
from .tokens import (
    AuthenticationError,
    Claims,
    CompositeVerifier,
    TokenIssuer,
    TokenVerifier,
    load_or_create_signing_key,
)

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = [
    "Principal",
    "TokenServices",
    "add_membership",
    "authenticate",
    "build_token_services",
    "create_user",
    "login",
    "remove_membership",
]

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")


@dataclass
class TokenServices:
    """The platform's token issuer and the verifier for incoming bearer tokens; ``links``
    signs download links (another audience: a link is never a bearer token, nor the reverse)."""

    issuer: TokenIssuer
    verifier: CompositeVerifier
    revoked: set[str]
    links: TokenIssuer
    link_verifier: TokenVerifier


def build_token_services(settings: Settings) -> TokenServices:
    """Signing key from the data directory; OIDC verification when an issuer is configured."""
    key = load_or_create_signing_key(settings.data_dir)
    issuer = TokenIssuer(key, settings.jwt_issuer, settings.jwt_audience,
                         settings.jwt_ttl_seconds)
    revoked: set[str] = set()
    local = issuer.local_verifier(is_revoked=revoked.__contains__)
    oidc = None
    if settings.oidc_jwks_url:
        oidc = TokenVerifier(issuer=settings.oidc_issuer,
                             audience=settings.oidc_audience or settings.jwt_audience,
                             jwks_url=settings.oidc_jwks_url)
    links = TokenIssuer(key, settings.jwt_issuer, f"{settings.jwt_audience}:download",
                        max(1, settings.download_link_seconds))
    return TokenServices(issuer, CompositeVerifier(local, oidc), revoked, links,
                         links.local_verifier(is_revoked=revoked.__contains__, leeway_seconds=5))


def _email(value: str) -> str:
    email = (value or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise InvalidInput(f"{value!r} is not an email address", field="email")
    return email


async def create_user(
    session: AsyncSession, *, email: str, display_name: str, password: str | None = None,
    locale: str = "",
) -> User:
    """Create a user; the email is unique and the password, if any, meets the policy."""
    email = _email(email)
    if (await session.execute(select(User.id).where(User.email == email))).first():
        raise Conflict(f"a user with email {email} already exists", code="DUPLICATE_EMAIL",
                       field="email")
    password_hash = None
    if password is not None:
        try:
            validate_password_policy(password)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="password") from None
        password_hash = await asyncio.to_thread(hash_password, password)
    user = User(email=email, display_name=(display_name or email).strip()[:200],
                password_hash=password_hash, locale=locale)
    session.add(user)
    await session.flush()
    return user


def _check_role(tenant_id: str, role: str) -> None:
    roles = PLATFORM_ROLES if tenant_id == PLATFORM_TENANT_ID else TENANT_ROLES
    if role not in roles:
        raise InvalidInput(f"role {role!r} is not one of: {', '.join(roles)}", field="role")


async def add_membership(
    platform: Platform, session: AsyncSession, *, tenant_id: str, user_id: str, role: str,
    actor: str, granter: str | None = None,
) -> Membership:
    """Give a user a role in a tenant: the membership and its ``g`` rule commit together.

    ``granter`` (the caller's subject; ``None`` for operators) must hold what the role
    confers (``ipgov.authz.ceiling``)."""
    _check_role(tenant_id, role)
    if granter is not None:
        assert_may_grant(platform, granter, tenant_id, role)
    await get_tenant(session, tenant_id)
    if await session.get(User, user_id) is None:
        raise NotFound("no such user", code="USER_NOT_FOUND", field="userId")
    existing = await session.execute(select(Membership.id).where(
        Membership.tenant_id == tenant_id, Membership.user_id == user_id, Membership.role == role))
    if existing.first():
        raise Conflict("the user already holds this role here", code="DUPLICATE_MEMBERSHIP")
    membership = Membership(tenant_id=tenant_id, user_id=user_id, role=role)
    session.add(membership)
    await session.flush()
    await store.assign_role(session, tenant_id, user_id, role)
    await platform.audit(session, tenant_id=tenant_id, actor=actor, action="member.added",
                         object_type="ipgov:member", object_id=membership.id,
                         details={"user_id": user_id, "role": role})
    return membership


async def remove_membership(
    platform: Platform, session: AsyncSession, *, tenant_id: str, membership_id: str, actor: str,
    granter: str | None = None,
) -> None:
    """Take a role away; the ``g`` rule goes in the same transaction. Only someone who could
    grant the role may take it (a subsidiary cannot demote the group's administrators)."""
    membership = await session.get(Membership, membership_id)
    if membership is None or membership.tenant_id != tenant_id:
        raise NotFound("no such membership in this tenant", code="MEMBERSHIP_NOT_FOUND")
    if granter is not None:
        assert_may_grant(platform, granter, tenant_id, membership.role)
    await store.unassign_role(session, tenant_id, membership.user_id, membership.role)
    await session.delete(membership)
    await platform.audit(session, tenant_id=tenant_id, actor=actor, action="member.removed",
                         object_type="ipgov:member", object_id=membership_id,
                         details={"user_id": membership.user_id, "role": membership.role})


async def login(platform: Platform, *, email: str, password: str, client: str = ""
                ) -> SignedIn | SecondStep:
    """Exchange email and password for a session (access and refresh token), or for a
    second-factor ticket when the person has a second factor or must enrol one.

    The attempt is counted (and may be refused, ``LOGIN_THROTTLED``) before the password is
    verified, in its own committed transaction, so concurrent guesses are decided on the
    updated count; unknown, passwordless and disabled accounts answer exactly like a wrong
    password (``BAD_CREDENTIALS``), throttling included.
    """
    email = (email or "").strip().lower()
    async with platform.db.system_session("identity: sign-in attempt") as session:
        attempt = await throttle.claim(platform, session, email, client)
        user = (await session.execute(select(User).where(User.email == email))
                ).scalar_one_or_none()
    ok = await asyncio.to_thread(
        verify_password_or_dummy, user.password_hash if user else None, password or "")
    if user is None or not ok or not user.active:
        await _failed(platform, attempt, user)
        raise Unauthenticated("email or password is wrong", code="BAD_CREDENTIALS",
                              details={"seconds": attempt.blocked_for})
    async with platform.db.system_session("identity: sign in") as session:
        await throttle.release(session, attempt)
        user = await session.get(User, user.id)
        if needs_rehash(user.password_hash or ""):
            user.password_hash = await asyncio.to_thread(hash_password, password)
        return await begin_sign_in(platform, session, user, client=attempt.client,
                                   how="password")


async def _failed(platform: Platform, attempt: throttle.Claim, user: User | None) -> None:
    """Audit a failure that makes the (account, client) pair wait (bounded by the delays)."""
    if not attempt.blocked_for:
        return
    async with platform.db.system_session("identity: sign-in throttled") as session:
        await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor="anonymous",
                             action="user.sign_in_throttled", object_type="ipgov:user",
                             object_id=user.id if user else "",
                             details={"client": attempt.client, "failures": attempt.number,
                                      "seconds": attempt.blocked_for,
                                      "account": attempt.account[:16]})


async def revoke_token(platform: Platform, jti: str, expires_at: datetime) -> None:
    """Revoke one token until it expires (every process refuses it within the poll bound)."""
    async with platform.db.system_session("identity: revoke token") as session:
        await revocations.revoke(platform, session, jti, expires_at)


async def load_revocations(platform: Platform) -> int:
    """Load unexpired revocations into memory (start-up; the follower keeps them current)."""
    await revocations.RevocationFollower.of(platform).load()
    return len(platform.tokens.revoked)


async def authenticate(platform: Platform, authorization: str | None) -> Principal | None:
    """Resolve an ``Authorization`` header to a principal; None when there is none.

    ``Bearer <jwt>`` or ``Bearer ipgov_<key>`` (API key). Raises ``AuthenticationError``.
    """
    if not authorization:
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() not in {"bearer", "apikey"} or not credential.strip():
        raise AuthenticationError("AUTH_SCHEME", "use 'Authorization: Bearer <token>'")
    credential = credential.strip()
    if credential.startswith("ipgov_"):
        return await _api_key_principal(platform, credential)
    verifier = platform.tokens.verifier
    claims = (await asyncio.to_thread(verifier.verify, credential)
              if platform.settings.oidc_jwks_url else verifier.verify(credential))
    return await user_principal(platform, claims)


async def user_principal(platform: Platform, claims: Claims) -> Principal:
    """The user a verified token names; refused when the user is gone, disabled, or the
    token is of an older generation (password changed, signed out everywhere)."""
    local = claims.issuer == platform.settings.jwt_issuer
    async with platform.db.session(TenantScope.system("identity: resolve user"),
                                   readonly=True) as session:
        if local:
            user = await session.get(User, claims.subject)
        else:
            user = (await session.execute(
                select(User).where(User.external_subject == f"{claims.issuer}|{claims.subject}")
            )).scalar_one_or_none()
    if user is None or not user.active:
        raise AuthenticationError("UNKNOWN_USER", "the token's user does not exist or is disabled")
    if local and claims.generation != user.token_generation:
        raise AuthenticationError("TOKEN_REVOKED", "The token has been revoked.")
    return Principal("user", user.id, user.display_name, user.locale,
                     session_id=claims.session_id, token_id=claims.jti,
                     token_expires_at=claims.expires_at, token_generation=claims.generation)


async def _api_key_principal(platform: Platform, credential: str) -> Principal:
    return await api_key_principal(platform, credential)  # service accounts live there


async def count_users(platform: Platform) -> int:
    """How many users exist (for the CLI and health pages)."""
    async with platform.db.system_session("identity: count") as session:
        count: int = (await session.execute(select(func.count(User.id)))).scalar_one()
    return count
