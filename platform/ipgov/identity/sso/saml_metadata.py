"""A SAML identity provider's metadata as an administrator imports it, checked before saving.

The XML is pasted or uploaded, or read once from a URL the administrator gives
(``fetch_idp_metadata``: through single sign-on's outbound guard, like discovery: https,
public addresses unless allowed, no redirects, bounded time), at most ``MAX_METADATA_BYTES``,
and parsed with ``defusedxml`` (no DTD, no entity, no external reference: XXE and entity
expansion are refused). It must be one ``EntityDescriptor`` with an
``IDPSSODescriptor`` that offers single sign-on over HTTP-Redirect at an ``https`` address
(``http`` only when ``IPGOV_SSO_ALLOW_HTTP``; its single logout addresses, if any, too) and at
least one signing certificate that parses. The entity id becomes the provider's ``issuer``;
pysaml2 later reads the same text.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import httpx
from cryptography import x509
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from ipgov.errors import InvalidInput
from ipgov.notify.channels.outbound import OutboundError
from ipgov.settings import Settings

from .outbound import client_options

__all__ = ["MAX_METADATA_BYTES", "IdpMetadata", "fetch_idp_metadata", "parse_idp_metadata"]

MAX_METADATA_BYTES = 262_144
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


@dataclass(frozen=True)
class IdpMetadata:
    """What the metadata says of the identity provider."""

    entity_id: str
    sso_url: str
    certificates_expire: tuple[datetime, ...]


def _refused(detail: str, **details: object) -> InvalidInput:
    return InvalidInput(f"the identity provider's metadata is not usable: {detail}",
                        code="SSO_SAML_METADATA_INVALID", field="idpMetadataXml",
                        details={"detail": detail, **details})


def _root(xml: str) -> Element:
    if not xml.strip():
        raise _refused("it is empty")
    if len(xml.encode("utf-8")) > MAX_METADATA_BYTES:
        raise _refused(f"it is larger than {MAX_METADATA_BYTES // 1024} KiB")
    try:
        root: Element = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refused("it declares a DTD or entities, which are not accepted") from None
    except ParseError as exc:
        raise _refused(f"it is not well-formed XML ({str(exc)[:120]})") from None
    if root.tag != f"{MD}EntityDescriptor":
        raise _refused("its root is not one md:EntityDescriptor (export the metadata of "
                       "this one identity provider, not a federation's)")
    found: Element = root
    return found


def _sso_url(idp: Element, allow_http: bool) -> str:
    for service in idp.findall(f"{MD}SingleSignOnService"):
        location = (service.get("Location") or "").strip()
        if service.get("Binding") == REDIRECT and location:
            scheme = urlsplit(location).scheme
            if scheme == "https" or (allow_http and scheme == "http"):
                if len(location) > 500:
                    raise _refused("its single sign-on address is too long")
                return location
            raise _refused("its single sign-on address is not https")
    raise _refused("it offers no single sign-on over HTTP-Redirect")


def _check_logout_urls(idp: Element, allow_http: bool) -> None:
    """Single logout addresses (where sign-outs send the browser) must be https too."""
    for service in idp.findall(f"{MD}SingleLogoutService"):
        for name in ("Location", "ResponseLocation"):
            location = (service.get(name) or "").strip()
            scheme = urlsplit(location).scheme if location else "https"
            if not (scheme == "https" or (allow_http and scheme == "http")) \
                    or len(location) > 500:
                raise _refused("its single logout address is not an https address")


def _certificates(idp: Element) -> tuple[datetime, ...]:
    found = []
    for key in idp.findall(f"{MD}KeyDescriptor"):
        if key.get("use", "signing") != "signing":
            continue
        for node in key.iter(f"{DS}X509Certificate"):
            try:
                der = base64.b64decode("".join((node.text or "").split()), validate=True)
                found.append(x509.load_der_x509_certificate(der).not_valid_after_utc)
            except (binascii.Error, ValueError):
                raise _refused("a signing certificate does not parse") from None
    if not found:
        raise _refused("it names no signing certificate")
    return tuple(found)


def parse_idp_metadata(xml: str, *, allow_http: bool) -> IdpMetadata:
    """The checked metadata (see the module); ``InvalidInput`` saying what is wrong."""
    root = _root(xml)
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id or len(entity_id) > 500:
        raise _refused("its entityID is missing or longer than 500 characters")
    idp = root.find(f"{MD}IDPSSODescriptor")
    if idp is None:
        raise _refused("it describes no identity provider (no IDPSSODescriptor)")
    _check_logout_urls(idp, allow_http)
    return IdpMetadata(entity_id, _sso_url(idp, allow_http), _certificates(idp))


async def fetch_idp_metadata(settings: Settings, url: str) -> str:
    """The metadata at ``url``, read once through the outbound guard; ``InvalidInput``
    (``SSO_URL_REFUSED`` or ``SSO_SAML_METADATA_UNREACHABLE``) when it cannot be."""
    try:
        async with httpx.AsyncClient(**client_options(settings)) as client:
            response = await client.get(url, headers={
                "Accept": "application/samlmetadata+xml, application/xml, text/xml"})
    except OutboundError as exc:
        raise InvalidInput(f"idpMetadataUrl: {exc.detail}", code="SSO_URL_REFUSED",
                           field="idpMetadataUrl", details={"reason": exc.detail}) from None
    except httpx.HTTPError as exc:
        raise _unreachable(type(exc).__name__) from None
    if response.status_code != 200:
        raise _unreachable(f"it answered {response.status_code}")
    if len(response.content) > MAX_METADATA_BYTES:
        raise _refused(f"it is larger than {MAX_METADATA_BYTES // 1024} KiB")
    return response.content.decode("utf-8", errors="replace")


def _unreachable(detail: str) -> InvalidInput:
    return InvalidInput(f"the metadata could not be read: {detail}",
                        code="SSO_SAML_METADATA_UNREACHABLE", field="idpMetadataUrl",
                        details={"detail": detail})
