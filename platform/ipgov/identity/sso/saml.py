"""SAML 2.0 service provider, with pysaml2's protocol code (and the ``xmlsec1`` it drives).

Each ``saml`` provider is its own service provider: entity id ``/auth/saml/<id>/metadata``
(where its metadata is served), assertion consumer ``/auth/saml/<id>/acs`` (HTTP-POST), and
its own RSA keypair (``new_keypair``: the key sealed on the row, the certificate published),
single logout ``/auth/saml/<id>/slo`` (HTTP-Redirect and HTTP-POST: ``saml_logout``),
with which it signs its AuthnRequests (HTTP-Redirect, RSA-SHA256) and decrypts encrypted
assertions. ``verify_response`` accepts a Response only when: it is at most
``MAX_RESPONSE_BYTES`` and parses without DTD or entities (defusedxml, also inside pysaml2);
no signature or digest in it uses SHA-1; the assertion, or the whole response, is signed by
a certificate of the imported IdP metadata (never one the message carries) and the
signature covers the element it is checked on (xmlsec1 with the ID attribute named: no
signature wrapping); its issuer is the provider's entity id; it answers the AuthnRequest
this browser's sign-in sent (``InResponseTo``: unsolicited responses are refused); its
audience is this service provider; and ``NotBefore``/``NotOnOrAfter`` hold within
``IPGOV_SSO_CLOCK_SKEW_SECONDS``. Each failure is a ``SignInRefused`` naming the reason. The
replay cache and the rest of the sign-in are ``flow_saml``'s.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError, time_util
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import IncorrectlySigned, StatusError, UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_TRANSIENT
from saml2.sigver import SignatureError, SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from .mapping import claim_values
from .models import IdentityProvider
from .refusals import SignInRefused
from .saml_subject import SamlSubject, subject_of

__all__ = ["KEY_BITS", "MAX_RESPONSE_BYTES", "XMLSEC", "Assertion", "ServiceProvider",
           "certificate_expires", "new_keypair", "service_provider", "sign_in_claims"]

# pysaml2 logs each person's NameID and attributes at INFO: personal data stays out of logs.
logging.getLogger("saml2").setLevel(logging.WARNING)

KEY_BITS = 3072
CERT_DAYS = 3650
MAX_RESPONSE_BYTES = 524_288
XMLSEC = "/usr/bin/xmlsec1"
SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
SIG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
WEAK_ALGORITHMS = frozenset({"http://www.w3.org/2000/09/xmldsig#rsa-sha1",
                             "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
                             "http://www.w3.org/2000/09/xmldsig#sha1"})
"""SHA-1 signatures and digests (collisions are practical): refused wherever they appear."""


def new_keypair(common_name: str) -> tuple[str, str]:
    """A fresh RSA key and its self-signed certificate, PEM: ``(key, certificate)``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=CERT_DAYS)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem.decode("ascii"), cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certificate_expires(pem: str) -> datetime | None:
    """When a PEM certificate stops being valid (None when there is none)."""
    return x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc if pem else None


@dataclass(frozen=True)
class Assertion:
    """What a verified assertion says: its id and lifetime (for the replay cache), the
    subject and the attributes as claims (``sub``, and each attribute by its Name and
    FriendlyName), and the subject as single logout names it."""

    id: str
    not_on_or_after: datetime
    claims: dict[str, Any]
    subject: SamlSubject


def _misconfigured(detail: str) -> SignInRefused:
    return SignInRefused("SSO_PROVIDER_MISCONFIGURED",
                         f"the identity provider is not configured correctly: {detail}",
                         details={"detail": detail})


class ServiceProvider:
    """One provider's service-provider side, over a pysaml2 client (see the module)."""

    def __init__(self, provider: IdentityProvider, client: Saml2Client, skew: int) -> None:
        self.provider, self.client, self.skew = provider, client, skew

    def metadata(self) -> str:
        """This service provider's metadata (entity id, ACS, signing and encryption key)."""
        return str(entity_descriptor(self.client.config))

    def authn_request(self, relay_state: str) -> tuple[str, str]:
        """A signed AuthnRequest for the IdP over HTTP-Redirect: ``(request id, URL)``."""
        request_id, info = self.client.prepare_for_authenticate(
            entityid=self.provider.issuer, relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT, sign=True, sigalg=SIG_RSA_SHA256)
        return str(request_id), str(dict(info["headers"])["Location"])

    def verify_response(self, encoded: str, request_id: str) -> Assertion:
        """The assertion of a base64 Response answering ``request_id`` (see the module)."""
        encrypted = _shape(encoded)
        if self.provider.saml_require_encryption and not encrypted:
            raise SignInRefused("SSO_SAML_NOT_ENCRYPTED", "the identity provider sent the "
                                "assertion unencrypted, and this provider requires encryption")
        try:
            response = self.client.parse_authn_request_response(
                encoded, BINDING_HTTP_POST, outstanding={request_id: "/"})
        except Exception as exc:  # noqa: BLE001 - pysaml2 raises bare Exception too
            raise _refusal(exc) from None
        if response is None or response.assertion is None:
            raise SignInRefused("SSO_SAML_INVALID", "the SAML response holds no assertion")
        if response.issuer() != self.provider.issuer:
            raise SignInRefused("SSO_SAML_WRONG_ISSUER", "the SAML response comes from another "
                                "identity provider", details={"issuer": response.issuer()})
        return _assertion(response, self.skew)


def _shape(encoded: str) -> bool:
    """Whether the Response's one assertion is encrypted; refuses what is not one Response."""
    if len(encoded) > MAX_RESPONSE_BYTES * 4 // 3 + 4:
        raise SignInRefused("SSO_SAML_INVALID", "the SAML response is too large")
    try:
        root = fromstring(base64.b64decode(encoded, validate=False), forbid_dtd=True)
    except (binascii.Error, ValueError, ParseError, DefusedXmlException):
        raise SignInRefused("SSO_SAML_INVALID", "the SAML response is not base64 XML without "
                            "a DTD") from None
    if root.tag != f"{SAMLP}Response":
        raise SignInRefused("SSO_SAML_INVALID", "the message is not a SAML Response")
    weak = {node.get("Algorithm", "") for tag in ("SignatureMethod", "DigestMethod")
            for node in root.iter(f"{DS}{tag}")} & WEAK_ALGORITHMS
    if weak:
        raise SignInRefused("SSO_SAML_WEAK_ALGORITHM", "the SAML response is signed with "
                            "SHA-1, which is refused; the IdP must sign with SHA-256",
                            details={"algorithm": sorted(weak)[0]})
    plain = len(root.findall(f"{SAML}Assertion"))
    hidden = len(root.findall(f"{SAML}EncryptedAssertion"))
    if plain + hidden != 1:
        raise SignInRefused("SSO_SAML_INVALID", "a SAML response must hold exactly one "
                            "assertion")
    return hidden == 1


_REFUSALS: list[tuple[Any, str, str, str]] = [
    (UnsolicitedResponse, "", "SSO_SAML_UNSOLICITED",
     "the SAML response does not answer the sign-in this browser started"),
    (SigverError, "Neither the response nor the assertions are signed", "SSO_SAML_UNSIGNED",
     "the SAML response is not signed; the identity provider must sign the assertion or "
     "the response"),
    (SignatureError, "Signature missing", "SSO_SAML_UNSIGNED",
     "the SAML response is not signed; the identity provider must sign the assertion or "
     "the response"),
    (SigverError | IncorrectlySigned, "", "SSO_SAML_SIGNATURE",
     "the SAML response's signature does not verify with the identity provider's "
     "certificate (altered on the way, or signed by someone else)"),
    (ResponseLifetimeExceed, "", "SSO_SAML_EXPIRED",
     "the SAML assertion has expired; sign in again"),
    (ToEarly, "", "SSO_SAML_NOT_YET_VALID",
     "the SAML assertion is not valid yet (are the clocks set?)"),
    (StatusError, "", "SSO_PROVIDER_ERROR", "the identity provider did not sign you in"),
    (Exception, "AudienceRestrictions", "SSO_SAML_WRONG_AUDIENCE",
     "the SAML assertion was issued to another service provider"),
]


def _refusal(exc: BaseException) -> SignInRefused:
    text = str(exc)
    for kind, contains, code, message in _REFUSALS:
        if isinstance(exc, kind) and contains in text:
            return SignInRefused(code, message, details={"error": type(exc).__name__})
    known = isinstance(exc, SAMLError | ValueError | AttributeError)
    return SignInRefused("SSO_SAML_INVALID", "the SAML response is not valid",
                         details={"error": type(exc).__name__ if known else "error"})


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(time_util.str_to_time(value)), UTC)


def _not_on_or_after(assertion: Any) -> datetime:
    times = [_when(assertion.conditions.not_on_or_after if assertion.conditions else None)]
    for confirmation in assertion.subject.subject_confirmation or []:
        data = confirmation.subject_confirmation_data
        times.append(_when(data.not_on_or_after if data is not None else None))
    found = [t for t in times if t is not None]
    return min(found) if found else datetime.now(UTC) + timedelta(hours=1)


def _claims(response: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    for statement in response.assertion.attribute_statement:
        for attribute in statement.attribute:
            values = [v.text.strip() for v in attribute.attribute_value if v.text][:500]
            for key in {attribute.name, attribute.friendly_name} - {None, ""}:
                claims.setdefault(key, []).extend(values)
    name_id = response.name_id
    text = (name_id.text or "").strip() if name_id is not None else ""
    if not text or len(text) > 255:
        raise SignInRefused("SSO_SAML_INVALID", "the SAML assertion names no subject")
    claims["sub"] = text
    claims["name_id_format"] = getattr(name_id, "format", None) or ""
    return claims


def sign_in_claims(provider: IdentityProvider, claims: dict[str, Any]) -> dict[str, Any]:
    """An assertion's claims as the sign-in reads them: the NameID is the e-mail address when
    its format says so and no attribute gives one; a transient NameID (new at every sign-in)
    is no subject to link, so the e-mail address is."""
    out = dict(claims)
    fmt = out.get("name_id_format")
    if fmt == NAMEID_FORMAT_EMAILADDRESS and not claim_values(out, provider.email_claim):
        out[provider.email_claim] = [out["sub"]]
    if fmt == NAMEID_FORMAT_TRANSIENT:
        emails = claim_values(out, provider.email_claim)
        out["sub"] = f"email:{emails[0].strip().lower()}"[:255] if emails else ""
    return out


def _assertion(response: Any, skew: int) -> Assertion:
    assertion = response.assertion
    if not assertion.id or len(assertion.id) > 256:
        raise SignInRefused("SSO_SAML_INVALID", "the SAML assertion has no valid ID")
    claims = _claims(response)
    expires = _not_on_or_after(assertion) + timedelta(seconds=skew)
    return Assertion(assertion.id, min(expires, datetime.now(UTC) + timedelta(days=1)), claims,
                     subject_of(response))


def _config(provider: IdentityProvider, folder: str, base: str, skew: int) -> SPConfig:
    key, cert = os.path.join(folder, "sp.key"), os.path.join(folder, "sp.crt")
    pair = {"key_file": key, "cert_file": cert}
    prefix = f"{base}/auth/saml/{provider.id}"
    config = SPConfig()
    config.load({
        "entityid": f"{prefix}/metadata", "xmlsec_binary": XMLSEC, **pair,
        "encryption_keypairs": [pair], "accepted_time_diff": skew,
        "only_use_keys_in_metadata": True, "allow_unknown_attributes": True,
        "metadata": {"inline": [provider.saml_idp_metadata]},
        "service": {"sp": {
            "endpoints": {
                "assertion_consumer_service": [(f"{prefix}/acs", BINDING_HTTP_POST)],
                "single_logout_service": [(f"{prefix}/slo", BINDING_HTTP_REDIRECT),
                                          (f"{prefix}/slo", BINDING_HTTP_POST)]},
            "allow_unsolicited": False, "authn_requests_signed": True,
            "want_assertions_signed": False, "want_response_signed": False,
            "want_assertions_or_response_signed": True,
            "signing_algorithm": SIG_RSA_SHA256}}})
    return config


@contextmanager
def service_provider(provider: IdentityProvider, key_pem: str, *, base: str, skew: int
                     ) -> Iterator[ServiceProvider]:
    """The provider's service provider while the block runs: its key lives in a private
    temporary folder (pysaml2 hands xmlsec1 files) and is removed after."""
    if not os.access(XMLSEC, os.X_OK):
        raise _misconfigured("xmlsec1 is not installed on this server")
    folder = tempfile.mkdtemp(prefix="ipgov-saml-")
    try:
        for name, content in (("sp.key", key_pem), ("sp.crt", provider.saml_sp_cert)):
            handle = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_CREAT, 0o600)
            with os.fdopen(handle, "w") as out:
                out.write(content)
        try:
            config = _config(provider, folder, base, max(0, min(skew, 300)))
            client = Saml2Client(config=config)
        except (SAMLError, ValueError, KeyError) as exc:
            raise _misconfigured(f"its metadata does not load ({type(exc).__name__})") from None
        yield ServiceProvider(provider, client, max(0, min(skew, 300)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
