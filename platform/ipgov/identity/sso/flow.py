"""The sign-in flow around the provider: start, callback, hand-over to the workspace.

1. ``begin``: a random ``state``, ``nonce`` and PKCE verifier are kept server-side (``SsoLogin``,
   keyed by the state's hash, ``IPGOV_SSO_LOGIN_TTL_SECONDS``), a random binding goes into an
   HttpOnly cookie of the browser, and the browser is sent to the provider.
2. ``finish`` (the callback): the state is claimed once (an atomic update: a replayed or
   tampered callback is refused), the cookie must match, the code is exchanged and the ID
   token verified (``oidc``), the claims become a user and memberships (``mapping``), and a
   one-time code of a minute is made for the workspace. The URL the browser returns to carries
   only that code, in its fragment: never a token.
3. ``complete`` (``completeSignIn``): the code is used once and the session opened with
   ``open_session(..., how="oidc:<provider id>")``, like every sign-in.

Refusals are ``SignInRefused``; ``record_refusal`` logs and audits them.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db import TenantScope
from ipgov.db.base import utcnow
from ipgov.tenancy.models import PLATFORM_TENANT_ID

from ..models import User
from ..onetime import aware, hash_secret, new_secret
from ..sealing import SealError, unseal
from ..sessions import SignedIn, open_session
from .mapping import signed_in_user
from .models import IdentityProvider, SignInCode, SsoLogin
from .oidc import ProviderClient
from .refusals import SignInRefused
from .saml_subject import remember_session

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["BINDING_COOKIE", "CODE_SECONDS", "Finished", "Started", "begin", "callback_url",
           "claim_login", "complete", "finish", "hand_over", "public_base", "record_refusal",
           "sign_in_provider"]

log = logging.getLogger("ipgov.sso")
BINDING_COOKIE = "ipgov_sso"
CODE_SECONDS = 60
MAX_PARAM = 2048


@dataclass(frozen=True)
class Started:
    """Where to send the browser, and the binding to set in its cookie."""

    url: str
    binding: str
    max_age: int


@dataclass(frozen=True)
class Finished:
    """A sign-in done at the provider: the one-time code for the workspace."""

    code: str
    locale: str


def public_base(platform: Platform) -> str:
    """Where people reach this platform (``IPGOV_PUBLIC_URL``, else the address served)."""
    settings = platform.settings
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def callback_url(platform: Platform, provider_id: str) -> str:
    """The redirect URI registered at the provider for this provider's callback."""
    return f"{public_base(platform)}/auth/oidc/{provider_id}/callback"


async def sign_in_provider(platform: Platform, provider_id: str, kind: str = "oidc"
                           ) -> IdentityProvider:
    """The enabled provider of ``kind`` a sign-in names, of an active tenant; else refused."""
    async with platform.db.session(TenantScope.system("sso: read provider"),
                                   readonly=True) as session:
        provider = (await session.get(IdentityProvider, provider_id)
                    if 0 < len(provider_id) <= 36 else None)
    tenant = platform.tenants.info(provider.tenant_id) if provider else None
    if (provider is None or provider.kind != kind or not provider.enabled or tenant is None
            or tenant.status != "active"):
        raise SignInRefused("SSO_PROVIDER_NOT_FOUND",
                            "this sign-in is not offered (unknown or disabled provider)")
    return provider


def _client(platform: Platform, provider: IdentityProvider) -> ProviderClient:
    try:
        secret = unseal(platform, provider.client_secret_sealed, provider_id=provider.id)
    except SealError:
        raise SignInRefused("SSO_PROVIDER_MISCONFIGURED", "the identity provider's client "
                            "secret cannot be read with this platform's key; save it again",
                            details={"detail": "client secret"}) from None
    return ProviderClient(platform.settings, provider, secret)


async def begin(platform: Platform, provider_id: str, *, locale: str, client: str
                ) -> Started:
    """Start a sign-in with a provider (see the module)."""
    provider = await sign_in_provider(platform, provider_id)
    oidc = _client(platform, provider)
    meta = await oidc.metadata()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    verifier, binding = secrets.token_urlsafe(64), secrets.token_urlsafe(32)
    ttl = max(60, platform.settings.sso_login_ttl_seconds)
    now = utcnow()
    async with platform.db.system_session("sso: begin sign-in") as session:
        await session.execute(delete(SsoLogin).where(SsoLogin.expires_at < now))
        session.add(SsoLogin(id=hash_secret(state), provider_id=provider.id,
                             binding_hash=hash_secret(binding), nonce=nonce,
                             code_verifier=verifier, locale=locale[:10], client=client[:64],
                             expires_at=now + timedelta(seconds=ttl)))
    url = oidc.authorization_url(meta, redirect_uri=callback_url(platform, provider.id),
                                 state=state, nonce=nonce, code_verifier=verifier,
                                 locale=locale)
    return Started(url, binding, ttl)


async def claim_login(platform: Platform, provider_id: str, state: str) -> SsoLogin:
    """The sign-in ``state`` names, used up now; why not, otherwise."""
    digest, now = hash_secret(state), utcnow()
    async with platform.db.system_session("sso: claim sign-in") as session:
        claimed: SsoLogin | None = (await session.execute(
            update(SsoLogin).where(SsoLogin.id == digest, SsoLogin.provider_id == provider_id,
                                   SsoLogin.used_at.is_(None))
            .values(used_at=now).returning(SsoLogin))).scalar_one_or_none()
        row = claimed if claimed is not None else await session.get(SsoLogin, digest)
        if row is not None:
            session.expunge(row)
    if claimed is None:
        if row is not None and row.provider_id == provider_id:
            raise SignInRefused("SSO_STATE_USED", "this sign-in was completed or refused "
                                "already; start again")
        raise SignInRefused("SSO_STATE_INVALID", "this sign-in is unknown or was altered on "
                            "the way; start again")
    if aware(claimed.expires_at) <= now:
        raise SignInRefused("SSO_STATE_EXPIRED", "this sign-in took too long; start again")
    return claimed


def _check_binding(login: SsoLogin, binding: str | None) -> None:
    if not binding or not hmac.compare_digest(hash_secret(binding), login.binding_hash):
        raise SignInRefused("SSO_BROWSER_MISMATCH", "this sign-in was started in another "
                            "browser (or its cookie was lost); start again here")


def _provider_error(error: str, description: str) -> SignInRefused:
    return SignInRefused("SSO_PROVIDER_ERROR", "the identity provider did not sign you in",
                         details={"error": error[:80], "description": description[:200]})


async def finish(platform: Platform, provider_id: str, *, state: str | None, code: str | None,
                 error: str | None, error_description: str | None, binding: str | None
                 ) -> Finished:
    """The callback (see the module): the workspace's one-time code, or ``SignInRefused``."""
    if not state or len(state) > MAX_PARAM or len(code or "") > MAX_PARAM:
        raise SignInRefused("SSO_STATE_INVALID", "this sign-in is unknown or was altered on "
                            "the way; start again")
    login = await claim_login(platform, provider_id, state)
    _check_binding(login, binding)
    if error or not code:
        raise _provider_error(error or "no code", error_description or "")
    provider = await sign_in_provider(platform, provider_id)
    oidc = _client(platform, provider)
    meta = await oidc.metadata()
    token = await oidc.exchange(meta, code=code, code_verifier=login.code_verifier,
                                redirect_uri=callback_url(platform, provider.id))
    claims = oidc.verify_id_token(meta, token, nonce=login.nonce)
    async with platform.db.system_session("sso: sign in") as session:
        user = await signed_in_user(platform, session, provider, claims)
        plaintext = hand_over(session, user.id, provider.id)
    await platform.authz.refresh()  # the memberships it may have changed, here at once
    return Finished(plaintext, login.locale)


def hand_over(session: AsyncSession, user_id: str, provider_id: str, *,
              saml_subject: str = "") -> str:
    """A one-time code of ``CODE_SECONDS`` for the workspace to collect the sign-in with
    (with the SAML subject the session will be linked to, for single logout)."""
    plaintext, digest = new_secret()
    session.add(SignInCode(code_hash=digest, user_id=user_id, provider_id=provider_id,
                           saml_subject=saml_subject,
                           expires_at=utcnow() + timedelta(seconds=CODE_SECONDS)))
    return plaintext


async def complete(platform: Platform, code: str, *, client: str) -> SignedIn:
    """Exchange the one-time code of a finished sign-in for a session (once)."""
    now = utcnow()
    async with platform.db.system_session("sso: complete sign-in") as session:
        claimed = (await session.execute(
            update(SignInCode).where(SignInCode.code_hash == hash_secret(code),
                                     SignInCode.used_at.is_(None), SignInCode.expires_at > now)
            .values(used_at=now).returning(SignInCode.user_id, SignInCode.provider_id,
                                           SignInCode.saml_subject))
        ).first()
        await session.execute(delete(SignInCode).where(
            SignInCode.expires_at < now - timedelta(hours=1)))
        user = await session.get(User, claimed.user_id) if claimed else None
        if claimed is None or user is None or not user.active:
            raise SignInRefused("SSO_CODE_INVALID", "this sign-in link was used already or "
                                "has expired; sign in again")
        provider = await session.get(IdentityProvider, claimed.provider_id)
        kind = provider.kind if provider is not None else "oidc"
        signed = await open_session(platform, session, user, client=client,
                                    how=f"{kind}:{claimed.provider_id}")
        if kind == "saml":
            remember_session(session, family_id=signed.session_id,
                             provider_id=claimed.provider_id, user_id=user.id,
                             subject_json=claimed.saml_subject)
        return signed


async def record_refusal(platform: Platform, refusal: SignInRefused, *, provider_id: str,
                         client: str) -> None:
    """Log a refusal and append it to the audit trail of the provider's tenant."""
    async with platform.db.system_session("sso: refused") as session:
        provider = (await session.get(IdentityProvider, provider_id)
                    if 0 < len(provider_id) <= 36 else None)
        tenant = provider.tenant_id if provider is not None else PLATFORM_TENANT_ID
        details: dict[str, Any] = {"code": refusal.code, "client": client[:64],
                                   **{k: str(v)[:200] for k, v in refusal.details.items()}}
        await platform.audit(session, tenant_id=tenant, actor="anonymous",
                             action="user.sso_refused", object_type="ipgov:identity_provider",
                             object_id=provider.id if provider is not None else "",
                             details=details)
    log.warning("single sign-on refused: %s (provider %s, client %s)", refusal.code,
                provider_id[:36], client[:64])

