"""The SAML sign-in around the service provider: start, assertion consumer, hand-over.

1. ``begin``: a random relay token is kept server-side (``SsoLogin``, keyed by its hash, with
   the AuthnRequest's id in ``nonce``), a random binding goes into an HttpOnly cookie of the
   browser, and the browser is sent to the IdP with a signed AuthnRequest and, as
   RelayState, the relay token sealed for this provider (``sealing``, 71 characters: the
   binding's limit is 80).
2. ``consume`` (the IdP's HTTP-POST to the ACS): the RelayState must open for this provider
   and name a sign-in in flight; the Response must answer that sign-in's AuthnRequest and
   pass ``saml.ServiceProvider.verify_response``; its assertion id is written to the replay
   cache (``SamlAssertionSeen``, a primary key: a second use is refused in every process
   until the assertion would have expired anyway); the sign-in is then used up and the
   claims become a user and memberships (``mapping``, as for OpenID Connect). A signature
   that does not verify, on a response carrying a certificate the stored metadata does not
   name, first reads the metadata again from its URL (``saml_metadata_refresh``: the IdP
   may have rotated its key) and is verified once more.
3. ``collect``: the IdP's POST is cross-site, so the browser's ``SameSite=Lax`` cookie only
   comes back on the redirect that follows (a top-level GET): there the binding is checked
   (a response carried to another browser, login CSRF, is refused) and the one-time code
   for the workspace is made, as the OpenID Connect callback does.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from ipgov.db import TenantScope
from ipgov.db.base import utcnow

from ..onetime import aware, hash_secret
from ..sealing import RELAY_PURPOSE, SP_KEY_PURPOSE, SealError, seal, unseal
from .flow import Finished, Started, claim_login, hand_over, public_base, sign_in_provider
from .mapping import signed_in_user
from .models import IdentityProvider, SamlAssertionSeen, SsoLogin
from .refusals import SignInRefused
from .saml import Assertion, ServiceProvider, service_provider, sign_in_claims
from .saml_metadata_refresh import refresh_metadata, unknown_signing_key

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from ipgov.runtime import Platform

__all__ = ["begin", "collect", "consume", "open_sp", "sp_key", "sp_metadata", "with_sp"]

T = TypeVar("T")

MAX_RELAY_STATE = 200


def sp_key(platform: Platform, provider: IdentityProvider) -> str:
    """The provider's service-provider private key (PEM), unsealed."""
    try:
        return unseal(platform, provider.saml_sp_key_sealed, provider_id=provider.id,
                      purpose=SP_KEY_PURPOSE)
    except SealError:
        raise SignInRefused("SSO_PROVIDER_MISCONFIGURED", "the service provider's key cannot "
                            "be read with this platform's key; rotate it",
                            details={"detail": "service-provider key"}) from None


def open_sp(platform: Platform, provider: IdentityProvider
            ) -> AbstractContextManager[ServiceProvider]:
    """The provider's service provider (``saml.service_provider``) for this platform."""
    return service_provider(provider, sp_key(platform, provider), base=public_base(platform),
                            skew=platform.settings.sso_clock_skew_seconds)


async def with_sp(platform: Platform, provider: IdentityProvider,
                  work: Callable[[ServiceProvider], T]) -> T:
    """``work(sp)`` in a worker thread: pysaml2 parses XML and waits for xmlsec1, which must
    not hold up the event loop (other requests go on meanwhile)."""
    def run() -> T:
        with open_sp(platform, provider) as sp:
            return work(sp)

    return await asyncio.to_thread(run)


async def sp_metadata(platform: Platform, provider: IdentityProvider) -> str:
    """The metadata an administrator gives the IdP for this provider."""
    return await with_sp(platform, provider, lambda sp: sp.metadata())


async def begin(platform: Platform, provider_id: str, *, locale: str, client: str
                ) -> Started:
    """Start a SAML sign-in (see the module)."""
    provider = await sign_in_provider(platform, provider_id, "saml")
    relay, binding = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
    relay_state = seal(platform, relay, provider_id=provider.id, purpose=RELAY_PURPOSE)
    request_id, url = await with_sp(platform, provider,
                                    lambda sp: sp.authn_request(relay_state))
    ttl = max(60, platform.settings.sso_login_ttl_seconds)
    now = utcnow()
    async with platform.db.system_session("sso: begin SAML sign-in") as session:
        await session.execute(delete(SsoLogin).where(SsoLogin.expires_at < now))
        session.add(SsoLogin(id=hash_secret(relay), provider_id=provider.id,
                             binding_hash=hash_secret(binding), nonce=request_id,
                             code_verifier="", locale=locale[:10], client=client[:64],
                             expires_at=now + timedelta(seconds=ttl)))
    return Started(url, binding, ttl)


def _relay(platform: Platform, provider_id: str, relay_state: str | None) -> str:
    if not relay_state:
        raise SignInRefused("SSO_SAML_UNSOLICITED", "the SAML response does not answer a "
                            "sign-in started here (sign-ins begin on this platform)")
    try:
        return unseal(platform, relay_state[:MAX_RELAY_STATE], provider_id=provider_id,
                      purpose=RELAY_PURPOSE)
    except SealError:
        raise SignInRefused("SSO_STATE_INVALID", "this sign-in is unknown or was altered on "
                            "the way; start again") from None


async def _request_id(platform: Platform, provider_id: str, relay: str) -> str:
    async with platform.db.session(TenantScope.system("sso: read SAML sign-in"),
                                   readonly=True) as session:
        login = await session.get(SsoLogin, hash_secret(relay))
        if login is None or login.provider_id != provider_id:
            raise SignInRefused("SSO_STATE_INVALID", "this sign-in is unknown or was altered "
                                "on the way; start again")
        return str(login.nonce)


async def _remember(platform: Platform, provider_id: str, assertion: Assertion) -> None:
    """Write the assertion to the replay cache; refused when it is there already."""
    now = utcnow()
    digest = hash_secret(f"{provider_id}|{assertion.id}")
    async with platform.db.system_session("sso: SAML replay cache") as session:
        await session.execute(delete(SamlAssertionSeen).where(
            SamlAssertionSeen.expires_at < now))
        session.add(SamlAssertionSeen(id=digest, provider_id=provider_id,
                                      expires_at=assertion.not_on_or_after))
        try:
            await session.flush()  # the primary key refuses a second use, in any process
        except IntegrityError:
            raise SignInRefused("SSO_SAML_REPLAYED", "this SAML assertion was used already "
                                "(replayed); sign in again") from None


async def consume(platform: Platform, provider_id: str, *, saml_response: str | None,
                  relay_state: str | None) -> str:
    """The ACS (see the module): the relay token for ``collect``, or ``SignInRefused``."""
    provider_id = provider_id[:36]
    if not saml_response:
        raise SignInRefused("SSO_SAML_INVALID", "the identity provider sent no SAML response")
    relay = _relay(platform, provider_id, relay_state)
    request_id = await _request_id(platform, provider_id, relay)
    provider = await sign_in_provider(platform, provider_id, "saml")
    encoded: str = saml_response
    try:
        assertion = await with_sp(platform, provider,
                                  lambda sp: sp.verify_response(encoded, request_id))
    except SignInRefused as refusal:  # the IdP may have rotated its key: read it once more
        if refusal.code != "SSO_SAML_SIGNATURE" or not unknown_signing_key(provider, encoded) \
                or not await refresh_metadata(platform, provider.id,
                                              reason="unknown signing key"):
            raise
        provider = await sign_in_provider(platform, provider_id, "saml")
        assertion = await with_sp(platform, provider,
                                  lambda sp: sp.verify_response(encoded, request_id))
    await _remember(platform, provider.id, assertion)
    login = await claim_login(platform, provider.id, relay)
    async with platform.db.system_session("sso: SAML sign in") as session:
        user = await signed_in_user(platform, session, provider,
                                    sign_in_claims(provider, assertion.claims))
        await session.execute(update(SsoLogin).where(SsoLogin.id == login.id)
                              .values(user_id=user.id,
                                      saml_subject=assertion.subject.to_json()))
    await platform.authz.refresh()  # the memberships it may have changed, here at once
    return relay


async def _take_user(platform: Platform, provider_id: str, relay: str) -> tuple[SsoLogin, str]:
    """The sign-in ``relay`` names and the user its response signed in, taken once."""
    async with platform.db.system_session("sso: collect SAML sign-in") as session:
        login = await session.get(SsoLogin, hash_secret(relay))
        user_id = login.user_id if login is not None else None
        taken = user_id is not None and login is not None and login.provider_id == provider_id
        if taken:
            result = await session.execute(
                update(SsoLogin).where(SsoLogin.id == hash_secret(relay),
                                       SsoLogin.user_id == user_id).values(user_id=None))
            taken = result.rowcount == 1
        if login is not None:
            session.expunge(login)
    if not taken or login is None or user_id is None:
        raise SignInRefused("SSO_STATE_USED", "this sign-in was completed or refused "
                            "already; start again")
    return login, user_id


async def collect(platform: Platform, provider_id: str, *, relay: str | None,
                  binding: str | None) -> Finished:
    """The redirect after the ACS: this browser's one-time code (see the module)."""
    if not relay or len(relay) > MAX_RELAY_STATE:
        raise SignInRefused("SSO_STATE_INVALID", "this sign-in is unknown or was altered on "
                            "the way; start again")
    login, user_id = await _take_user(platform, provider_id[:36], relay)
    if not binding or not hmac.compare_digest(hash_secret(binding), login.binding_hash):
        raise SignInRefused("SSO_BROWSER_MISMATCH", "this sign-in was started in another "
                            "browser (or its cookie was lost); start again here")
    if aware(login.expires_at) <= utcnow():
        raise SignInRefused("SSO_STATE_EXPIRED", "this sign-in took too long; start again")
    async with platform.db.system_session("sso: hand over SAML sign-in") as session:
        code = hand_over(session, user_id, login.provider_id,
                         saml_subject=login.saml_subject)
    return Finished(code, login.locale)
