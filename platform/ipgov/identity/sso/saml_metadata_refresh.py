"""A SAML identity provider's metadata read again from the URL it is published at.

IdPs rotate their signing key by publishing the new certificate beside the old one for a
while (the overlap: responses signed by either are accepted, pysaml2 tries every signing
certificate of the metadata), then the new one alone (a response signed by the removed key
is refused from then on). The metadata of a provider registered with ``idpMetadataUrl`` is
therefore read again: by the scheduler once ``IPGOV_SSO_SAML_METADATA_REFRESH_SECONDS`` have
passed since the last read (``refresh_due``), and at once when a response's signature does not
verify and the response carries a certificate the stored metadata does not name
(``unknown_signing_key``; at most once per ``MIN_REFRESH_SECONDS``, so that forged responses
cannot make ipgov hammer the IdP). Each read goes through the same guard as the first one
(``fetch_idp_metadata``: https unless allowed, public addresses unless allowed, no
redirects, bounded time and size) and the same checks (``parse_idp_metadata``); metadata
that names another entity id, or does not parse, is refused and the stored one kept. A
change is audited in the provider's tenant.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from sqlalchemy import or_, select

from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput

from ..onetime import aware
from .models import IdentityProvider
from .saml_metadata import fetch_idp_metadata, parse_idp_metadata

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["MIN_REFRESH_SECONDS", "refresh_due", "refresh_metadata", "unknown_signing_key"]

log = logging.getLogger("ipgov.sso")

MIN_REFRESH_SECONDS = 60
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def _certificates(xml: str | bytes) -> set[str]:
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        return set()
    return {"".join((node.text or "").split()) for node in root.iter(f"{DS}X509Certificate")}


def unknown_signing_key(provider: IdentityProvider, encoded_response: str) -> bool:
    """Whether the response carries a signing certificate the stored metadata does not name
    (the IdP may have rotated its key), and the metadata may be read again now."""
    if not provider.saml_metadata_url:
        return False
    fetched = provider.saml_metadata_fetched_at
    if fetched and aware(fetched) > utcnow() - timedelta(seconds=MIN_REFRESH_SECONDS):
        return False
    try:
        carried = _certificates(base64.b64decode(encoded_response, validate=False))
    except (binascii.Error, ValueError):
        return False
    return bool(carried - _certificates(provider.saml_idp_metadata))


async def refresh_metadata(platform: Platform, provider_id: str, *, reason: str) -> bool:
    """Read the provider's metadata again from its URL (see the module); whether it changed."""
    async with platform.db.system_session("sso: SAML metadata to refresh") as session:
        provider = await session.get(IdentityProvider, provider_id)
        url = provider.saml_metadata_url if provider is not None else ""
        if provider is None or provider.kind != "saml" or not url:
            return False
        provider.saml_metadata_fetched_at = utcnow()  # a failed read waits its turn too
        issuer = provider.issuer
    try:
        xml = (await fetch_idp_metadata(platform.settings, url)).strip()
        parsed = parse_idp_metadata(xml, allow_http=platform.settings.sso_allow_http)
        if parsed.entity_id != issuer:
            raise InvalidInput("the metadata names another entity id",
                               code="SSO_SAML_METADATA_INVALID")
    except InvalidInput as exc:
        log.warning("SAML metadata of provider %s not refreshed (%s): %s", provider_id,
                    reason, exc.code)
        return False
    async with platform.db.system_session("sso: SAML metadata refreshed") as session:
        provider = await session.get(IdentityProvider, provider_id)
        if provider is None or provider.saml_idp_metadata == xml:
            return False
        provider.saml_idp_metadata = xml
        await platform.audit(session, tenant_id=provider.tenant_id, actor="system",
                             action="ipgov.identity_provider.metadata_refreshed",
                             object_type="ipgov:identity_provider", object_id=provider.id,
                             details={"reason": reason,
                                      "certificates": len(parsed.certificates_expire)})
    log.info("SAML metadata of provider %s refreshed (%s)", provider_id, reason)
    return True


async def refresh_due(platform: Platform) -> int:
    """Refresh every SAML provider's metadata read from a URL longer ago than the setting
    (the scheduler's pass); returns how many changed."""
    every = max(MIN_REFRESH_SECONDS, platform.settings.sso_saml_metadata_refresh_seconds)
    before = utcnow() - timedelta(seconds=every)
    async with platform.db.system_session("sso: SAML metadata due") as session:
        due = list((await session.execute(select(IdentityProvider.id).where(
            IdentityProvider.kind == "saml", IdentityProvider.saml_metadata_url != "",
            or_(IdentityProvider.saml_metadata_fetched_at.is_(None),
                IdentityProvider.saml_metadata_fetched_at < before))
            .order_by(IdentityProvider.id).limit(500))).scalars())
    changed = 0
    for provider_id in due:
        changed += await refresh_metadata(platform, provider_id, reason="schedule")
    return changed
