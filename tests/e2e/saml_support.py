"""A real SAML identity provider for the single sign-on tests: pysaml2's IdP side.

``SamlIdentityProvider`` is ``saml2.server.Server`` with its own RSA key and certificate. It
publishes its metadata (what an administrator pastes into ipgov), imports ipgov's service
provider metadata from its URL, and answers a real AuthnRequest (the HTTP-Redirect URL
ipgov's login route sent the browser to; its signature is verified against that metadata)
with a real Response for a person, signed as asked (assertion, whole response, or neither;
RSA-SHA256, or SHA-1 to show it refused),
encrypted to the service provider's certificate when asked, and with the lifetime, audience
and ``InResponseTo`` a test chooses. ``post_form`` is what the IdP's page makes the browser
POST to the assertion consumer service.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

from ipgov.identity.sso.saml import XMLSEC, new_keypair

PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@dataclass
class AuthnRequest:
    """What the IdP read from the browser's redirect."""

    id: str
    acs_url: str
    sp_entity_id: str
    relay_state: str


@dataclass
class SamlIdentityProvider:
    """pysaml2's IdP with a keypair of its own (see the module)."""

    folder: Path
    key_pem: str
    cert_pem: str
    entity_id: str = "https://idp.acme.example/saml"
    sso_url: str = "https://idp.acme.example/sso"
    trusted: list[str] = field(default_factory=list)
    lifetime: dict[str, int] = field(default_factory=lambda: {"minutes": 5})

    @classmethod
    def generated(cls, folder: Path, **extra: Any) -> SamlIdentityProvider:
        key, cert = new_keypair("test IdP")
        return cls(folder, key, cert, **extra)

    def _config(self) -> IdPConfig:
        (self.folder / "idp.key").write_text(self.key_pem)
        (self.folder / "idp.crt").write_text(self.cert_pem)
        config = IdPConfig()
        config.load({
            "entityid": self.entity_id, "xmlsec_binary": XMLSEC,
            "key_file": str(self.folder / "idp.key"), "cert_file": str(self.folder / "idp.crt"),
            "metadata": {"inline": list(self.trusted)} if self.trusted else {},
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]},
                "want_authn_requests_signed": True,
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {"default": {"lifetime": self.lifetime, "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_URI}}}}})
        return config

    def metadata(self) -> str:
        """The IdP's metadata, as an administrator exports it."""
        return str(entity_descriptor(self._config()))

    def trust(self, sp_metadata: str) -> None:
        """Import a service provider's metadata."""
        self.trusted.append(sp_metadata)

    def server(self) -> Server:
        config = self._config()
        server = Server(config=config)
        server.config.setattr("idp", "policy", Policy(
            {"default": {"lifetime": self.lifetime, "attribute_restrictions": None,
                         "name_form": NAME_FORMAT_URI}}, server.metadata))
        return server

    def read_request(self, location: str) -> AuthnRequest:
        """The AuthnRequest of the redirect to ``location`` (its signature verified)."""
        assert location.startswith(self.sso_url + "?"), location
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        parsed = self.server().parse_authn_request(
            query["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=query.get("RelayState"),
            sigalg=query["SigAlg"], signature=query["Signature"])
        message = parsed.message
        return AuthnRequest(message.id, message.assertion_consumer_service_url,
                            message.issuer.text, query.get("RelayState", ""))

    def response(self, request: AuthnRequest, person: dict[str, list[str]], *,
                 in_response_to: str | None = "", audience: str | None = None,
                 sign_assertion: bool = True, sign_response: bool = False,
                 encrypt_to: str | None = None, sha1: bool = False) -> str:
        """A Response for ``person`` (attributes) answering ``request``, base64."""
        extra: dict[str, Any] = {"sign_alg": SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
                                 "digest_alg": DIGEST_SHA1 if sha1 else DIGEST_SHA256}
        if encrypt_to:
            extra.update(encrypt_assertion=True, encrypt_cert_assertion=encrypt_to)
        answer = self.server().create_authn_response(
            person, in_response_to=request.id if in_response_to == "" else in_response_to,
            destination=request.acs_url, sp_entity_id=audience or request.sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=person["mail"][0]),
            sign_assertion=sign_assertion, sign_response=sign_response,
            authn={"class_ref": PASSWORD}, **extra)
        return base64.b64encode(str(answer).encode()).decode()


class MetadataServer:
    """The IdP's metadata published over HTTP on 127.0.0.1 (where IdPs publish it)."""

    def __init__(self, xml: str) -> None:
        body = xml.encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("content-type", "application/samlmetadata+xml")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/metadata"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def post_form(saml_response: str, relay_state: str) -> dict[str, str]:
    """The form the IdP's page posts to the assertion consumer service."""
    return {"SAMLResponse": saml_response, "RelayState": relay_state}


def altered(saml_response: str, old: str, new: str) -> str:
    """The Response with ``old`` replaced by ``new`` after signing (a tampered assertion)."""
    xml = base64.b64decode(saml_response).decode()
    assert old in xml
    return base64.b64encode(xml.replace(old, new).encode()).decode()


__all__ = ["BINDING_HTTP_POST", "AuthnRequest", "MetadataServer", "SamlIdentityProvider", "altered",
           "post_form"]
