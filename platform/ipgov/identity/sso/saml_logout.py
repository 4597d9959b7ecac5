"""SAML 2.0 single logout, the service provider's side of the messages (pysaml2's code).

A session opened by a SAML assertion remembers its subject (``SamlSubject``: the NameID and
the assertion's SessionIndex). Signing out here sends the IdP a LogoutRequest for it
(``logout_request``: HTTP-Redirect, signed RSA-SHA256, to the IdP's SingleLogoutService
named in its metadata; none when the metadata names none). The IdP's LogoutResponse
(``read_logout_response``) and its own LogoutRequests (``read_logout_request``, when the
person signs out at the IdP or at another of its services) are accepted only when signed by
a certificate of the IdP's metadata (never SHA-1), issued by the provider's entity id,
addressed to this service provider and issued within a day (pysaml2's bounds) — and a
response only when it answers the request this browser's sign-out sent. ``logout_response``
answers the IdP. Every failure is a ``SignInRefused`` (``SSO_SAML_LOGOUT_INVALID``, or
``SSO_SAML_SIGNATURE`` / ``SSO_SAML_UNSIGNED`` / ``SSO_SAML_WEAK_ALGORITHM``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.request import LogoutRequest
from saml2.response import LogoutResponse
from saml2.samlp import STATUS_SUCCESS
from saml2.sigver import verify_redirect_signature

from .refusals import SignInRefused
from .saml import SIG_RSA_SHA256, WEAK_ALGORITHMS, ServiceProvider
from .saml_subject import SamlSubject

__all__ = ["BINDINGS", "logout_request", "logout_response",
           "read_logout_request", "read_logout_response"]

BINDINGS = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}
MAX_MESSAGE_CHARS = 65_536


def _invalid(detail: str) -> SignInRefused:
    return SignInRefused("SSO_SAML_LOGOUT_INVALID", f"the single logout message is not "
                         f"valid: {detail}", details={"detail": detail})


def _slo_location(sp: ServiceProvider) -> str | None:
    found = sp.client.metadata.single_logout_service(sp.provider.issuer,
                                                     BINDING_HTTP_REDIRECT, "idpsso")
    locations = [e.get("location") for e in found or [] if e.get("location")]
    return str(locations[0]) if locations else None


def _location(info: Mapping[str, Any]) -> str:
    return str(dict(info["headers"])["Location"])


def logout_request(sp: ServiceProvider, subject: SamlSubject, request_id: str,
                   relay_state: str) -> str | None:
    """The URL of a signed LogoutRequest ``request_id`` for ``subject`` over HTTP-Redirect,
    or None when the IdP offers no single logout over HTTP-Redirect."""
    destination = _slo_location(sp)
    if destination is None:
        return None
    _id, request = sp.client.create_logout_request(
        destination, sp.provider.issuer, name_id=subject.name(), message_id=request_id,
        session_indexes=[subject.session_index] if subject.session_index else None,
        sign=False)
    info = sp.client.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination,
                                   relay_state, sign=True, sigalg=SIG_RSA_SHA256)
    return _location(info)


def _check_signature_fields(fields: Mapping[str, str], binding: str) -> None:
    if len(fields.get("SAMLRequest", fields.get("SAMLResponse", ""))) > MAX_MESSAGE_CHARS:
        raise _invalid("it is too large")
    if fields.get("SigAlg", "") in WEAK_ALGORITHMS:
        raise SignInRefused("SSO_SAML_WEAK_ALGORITHM", "the single logout message is signed "
                            "with SHA-1, which is refused")
    if binding == BINDING_HTTP_REDIRECT and not (fields.get("Signature")
                                                 and fields.get("SigAlg")):
        raise SignInRefused("SSO_SAML_UNSIGNED", "the single logout message is not signed")


def read_logout_request(sp: ServiceProvider, fields: Mapping[str, str], binding: str
                        ) -> LogoutRequest:
    """The IdP's LogoutRequest of a redirect's query or a form, verified (see the module)."""
    _check_signature_fields(fields, binding)
    encoded = fields.get("SAMLRequest", "")
    receivers = sp.client.config.endpoint("single_logout_service", binding, "sp")
    request = LogoutRequest(sp.client.sec, receivers, sp.client.config.attribute_converters,
                            timeslack=sp.skew)
    try:
        xml = sp.client.unravel(encoded, binding, LogoutRequest.msgtype)
        request.loads(xml, binding, origdoc=encoded, must=True,
                      relay_state=fields.get("RelayState"), sigalg=fields.get("SigAlg"),
                      signature=fields.get("Signature"))
        valid = request.verify()
    except (SAMLError, ValueError, TypeError, AttributeError) as exc:
        raise _signature_or_invalid(exc) from None
    if not valid:
        raise _invalid("it was issued too long ago, or not for this service provider")
    if request.sender() != sp.provider.issuer:
        raise _invalid("it comes from another identity provider")
    if request.message.name_id is None or not (request.message.name_id.text or "").strip():
        raise _invalid("it names no subject")
    return request


def _signature_or_invalid(exc: BaseException) -> SignInRefused:
    if "signed" in str(exc).lower():
        return SignInRefused("SSO_SAML_SIGNATURE", "the single logout message's signature "
                             "does not verify with the identity provider's certificate")
    return _invalid(type(exc).__name__)


def logout_response(sp: ServiceProvider, request: LogoutRequest, relay_state: str) -> str:
    """The signed LogoutResponse (success) for ``request``: the URL to send the browser to."""
    info = sp.client.response_args(request.message, [BINDING_HTTP_REDIRECT])
    response = sp.client.create_logout_response(request.message, [BINDING_HTTP_REDIRECT],
                                                sign=False)
    sent = sp.client.apply_binding(info["binding"], str(response), info["destination"],
                                   relay_state, response=True, sign=True,
                                   sigalg=SIG_RSA_SHA256)
    return _location(sent)


def _redirect_signed(sp: ServiceProvider, fields: Mapping[str, str]) -> bool:
    message = {k: fields[k] for k in ("SAMLResponse", "RelayState", "SigAlg", "Signature")
               if k in fields}
    certs = sp.client.metadata.certs(sp.provider.issuer, "any", "signing")
    try:
        return any(verify_redirect_signature(message, sp.client.sec.sec_backend, cert)
                   for _name, cert in certs)
    except (SAMLError, ValueError):
        return False


def read_logout_response(sp: ServiceProvider, fields: Mapping[str, str], binding: str,
                         request_id: str) -> None:
    """Check the IdP's LogoutResponse to ``request_id`` (see the module)."""
    _check_signature_fields(fields, binding)
    if binding == BINDING_HTTP_REDIRECT and not _redirect_signed(sp, fields):
        raise SignInRefused("SSO_SAML_SIGNATURE", "the single logout message's signature "
                            "does not verify with the identity provider's certificate")
    try:
        response: LogoutResponse | None = sp.client.parse_logout_request_response(
            fields.get("SAMLResponse", ""), binding)
    except (SAMLError, ValueError, TypeError, AttributeError) as exc:
        raise _signature_or_invalid(exc) from None
    if response is None:
        raise _invalid("it holds no LogoutResponse")
    if response.in_response_to != request_id:
        raise _invalid("it does not answer this browser's sign-out")
    if response.issuer() != sp.provider.issuer:
        raise _invalid("it comes from another identity provider")
    if response.response.status.status_code.value != STATUS_SUCCESS:
        raise _invalid("the identity provider did not sign you out")
