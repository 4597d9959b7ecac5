"""SAML single logout: the sessions SAML sign-ins opened, ended here or by the IdP.

``saml_subject.remember_session`` links a session opened by an assertion to its subject
(``SamlSession``). Signing out of such a session (``begin_logout``, called by ``signOut``
before the session is revoked as always) removes the link and gives the workspace the IdP's
address with a signed LogoutRequest, so the person is signed out there too; the request's id
travels sealed in the RelayState and the IdP's LogoutResponse must answer it
(``finish_logout``). A LogoutRequest the IdP sends (``idp_logout``: the person signed out at
the IdP or at another service of it) ends every session of that subject opened through this
provider (only those of the SessionIndex it names, when it names one) on every API process
at once (the revocation list), is audited in the provider's tenant, and is answered with a
signed LogoutResponse.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from saml2 import SAMLError
from sqlalchemy import delete, select

from ipgov.db.base import utcnow

from ..sealing import SealError, seal, unseal
from ..sessions import revoke_family
from .flow import sign_in_provider
from .flow_saml import MAX_RELAY_STATE, with_sp
from .models import IdentityProvider, SamlSession
from .refusals import SignInRefused
from .saml_logout import logout_request, logout_response, read_logout_request, read_logout_response
from .saml_subject import SamlSubject, subject_hash

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["LOGOUT_PURPOSE", "begin_logout", "finish_logout", "idp_logout"]

LOGOUT_PURPOSE = "saml-logout-relay"

log = logging.getLogger("ipgov.sso")


async def begin_logout(platform: Platform, family_id: str | None) -> str | None:
    """Where to send the browser so the IdP signs the person out too, or None (the session
    was not opened by SAML, or the IdP offers no single logout)."""
    if not family_id:
        return None
    async with platform.db.system_session("sso: SAML sign-out") as session:
        link = await session.get(SamlSession, family_id)
        if link is None:
            return None
        await session.delete(link)
        provider = await session.get(IdentityProvider, link.provider_id)
        subject = SamlSubject.from_json(link.subject)
    if provider is None or provider.kind != "saml" or not provider.enabled or subject is None:
        return None
    request_id = f"id-{secrets.token_hex(16)}"
    relay = seal(platform, request_id, provider_id=provider.id, purpose=LOGOUT_PURPOSE)
    try:
        return await with_sp(platform, provider,
                             lambda sp: logout_request(sp, subject, request_id, relay))
    except (SAMLError, ValueError, KeyError, SignInRefused) as exc:  # sign-out goes on here
        log.warning("SAML single logout not offered (provider %s): %s", provider.id,
                    type(exc).__name__)
        return None


async def finish_logout(platform: Platform, provider_id: str, fields: dict[str, str],
                        binding: str) -> None:
    """Check the IdP's LogoutResponse to this browser's sign-out (see the module)."""
    provider = await sign_in_provider(platform, provider_id[:36], "saml")
    try:
        request_id = unseal(platform, fields.get("RelayState", "")[:MAX_RELAY_STATE * 2],
                            provider_id=provider.id, purpose=LOGOUT_PURPOSE)
    except SealError:
        raise SignInRefused("SSO_SAML_LOGOUT_INVALID", "the single logout message does not "
                            "answer a sign-out started here",
                            details={"detail": "relay state"}) from None
    await with_sp(platform, provider,
                  lambda sp: read_logout_response(sp, fields, binding, request_id))


async def idp_logout(platform: Platform, provider_id: str, fields: dict[str, str],
                     binding: str) -> str:
    """End the sessions the IdP's LogoutRequest names (see the module): the URL of the
    LogoutResponse to send the browser back to the IdP with."""
    provider = await sign_in_provider(platform, provider_id[:36], "saml")
    request = await with_sp(platform, provider,
                            lambda sp: read_logout_request(sp, fields, binding))
    name_id = (request.message.name_id.text or "").strip()
    indexes = {(i.text or "").strip() for i in request.message.session_index or []} - {""}
    ended = await _end_sessions(platform, provider, subject_hash(provider.id, name_id),
                                indexes)
    relay = fields.get("RelayState", "")[:MAX_RELAY_STATE * 2]
    async with platform.db.system_session("sso: audit SAML logout") as session:
        await platform.audit(session, tenant_id=provider.tenant_id, actor="anonymous",
                             action="user.saml_logged_out", object_type="ipgov:identity_provider",
                             object_id=provider.id,
                             details={"sessions": len(ended), "initiated_by": "idp"})
    return await with_sp(platform, provider, lambda sp: logout_response(sp, request, relay))


async def _end_sessions(platform: Platform, provider: IdentityProvider, digest: str,
                        indexes: set[str]) -> list[str]:
    async with platform.db.system_session("sso: SAML logout from the IdP") as session:
        links = list((await session.execute(select(SamlSession).where(
            SamlSession.provider_id == provider.id, SamlSession.subject_hash == digest)
        )).scalars())
        ended = [link.family_id for link in links
                 if not indexes or link.session_index in indexes]
        for family in ended:
            await revoke_family(platform, session, family, reason="SAML single logout")
        if ended:
            await session.execute(delete(SamlSession).where(SamlSession.family_id.in_(ended)))
        await session.execute(delete(SamlSession).where(SamlSession.expires_at < utcnow()))
    return ended
