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
import re
import threading
import time
from dataclasses import dataclass, field
from html import escape
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

EXPIRED_HOLD_SECONDS = 3.5
"""How long the IdP holds an ``expired`` answer back (the wall clock, which both sides read)."""
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
    slo_url: str = "https://idp.acme.example/slo"
    published_certs: list[str] = field(default_factory=list)  # empty: its own certificate

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
                "endpoints": {
                    "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(self.slo_url, BINDING_HTTP_REDIRECT)]},
                "want_authn_requests_signed": True,
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {"default": {"lifetime": self.lifetime, "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_URI}}}}})
        return config

    def metadata(self) -> str:
        """The IdP's metadata, as an administrator exports it: with the signing certificates
        of ``published_certs`` when set (a key rotation's overlap publishes two)."""
        xml = str(entity_descriptor(self._config()))
        if not self.published_certs:
            return xml
        found = re.search(r'<ns0:KeyDescriptor use="signing">.*?</ns0:KeyDescriptor>', xml)
        assert found, xml[:400]
        own = _base64_of(self.cert_pem)
        blocks = "".join(found.group(0).replace(own, _base64_of(pem))
                         for pem in self.published_certs)
        return xml.replace(found.group(0), blocks)

    def rotate(self) -> tuple[str, str]:
        """Sign with a new key from now on; the old ``(key, certificate)``."""
        old = (self.key_pem, self.cert_pem)
        self.key_pem, self.cert_pem = new_keypair("test IdP, rotated")
        return old

    def logout_request_url(self, sp_slo_url: str, sp_entity_id: str, name_id: str,
                           session_index: str | None = None, *, sign: bool = True) -> str:
        """An IdP-initiated LogoutRequest for ``name_id`` over HTTP-Redirect."""
        server = self.server()
        _id, request = server.create_logout_request(
            sp_slo_url, sp_entity_id, name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS,
                                                     text=name_id),
            session_indexes=[session_index] if session_index else None, sign=False)
        info = server.apply_binding(BINDING_HTTP_REDIRECT, str(request), sp_slo_url, "idp-relay",
                                    sign=sign, sigalg=SIG_RSA_SHA256 if sign else None)
        return str(dict(info["headers"])["Location"])

    def answer_logout(self, location: str) -> tuple[Any, str]:
        """The SP's LogoutRequest of a redirect to ``location`` (its signature verified), and
        the URL of the IdP's signed LogoutResponse to it."""
        assert location.startswith(self.slo_url + "?"), location
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        server = self.server()
        request = server.parse_logout_request(
            query["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=query.get("RelayState"),
            sigalg=query["SigAlg"], signature=query["Signature"])
        info = server.response_args(request.message, [BINDING_HTTP_REDIRECT])
        response = server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT],
                                                 sign=False)
        sent = server.apply_binding(info["binding"], str(response), info["destination"],
                                    query.get("RelayState", ""), response=True, sign=True,
                                    sigalg=SIG_RSA_SHA256)
        return request.message, str(dict(sent["headers"])["Location"])

    def read_logout_response(self, location: str) -> Any:
        """The SP's LogoutResponse of a redirect to ``location``."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return self.server().parse_logout_request_response(query["SAMLResponse"],
                                                           BINDING_HTTP_REDIRECT)

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


def _base64_of(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if "-----" not in line)


class MetadataServer:
    """The IdP's metadata published over HTTP on 127.0.0.1 (where IdPs publish it); ``xml``
    may change (a key rotation), ``reads`` counts the requests."""

    def __init__(self, xml: str) -> None:
        self.xml, self.reads = xml, 0
        published = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                published.reads += 1
                body = published.xml.encode()
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


class IdentityProviderPages:
    """``SamlIdentityProvider`` behind its own pages on 127.0.0.1, for a browser: ``/sso``
    takes the HTTP-Redirect AuthnRequest (its signature verified) and shows a login form;
    signing in there answers with the page an IdP sends back, a form that posts the Response
    to the assertion consumer service by itself (HTTP-POST binding, with a button when
    scripts are off). That page has its own address (``/continue/<n>``): visiting it again
    posts the same Response again, as a browser's history or a stolen copy would. ``/slo``
    answers ipgov's LogoutRequest (verified) with a signed LogoutResponse back to ipgov.

    ``accounts`` maps a login to the person's attributes; an account may carry a ``fault``
    the IdP's answer has (what the refusal journeys need a real IdP to send): ``tampered``
    (a group changed after signing), ``wrong-audience`` (issued to another service
    provider), ``expired`` (a lifetime of one second, held back until it is over)."""

    def __init__(self, idp: SamlIdentityProvider, accounts: dict[str, dict[str, Any]]) -> None:
        self.idp, self.accounts = idp, accounts
        self.answers: list[tuple[str, str, str]] = []  # (acs url, SAMLResponse, RelayState)
        self.logouts = 0  # LogoutRequests of ipgov answered
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        idp.sso_url, idp.slo_url = f"{self.base}/sso", f"{self.base}/slo"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, request: AuthnRequest, login: str) -> int:
        """The Response for ``login`` (with its account's fault), kept: its number."""
        account = dict(self.accounts[login])
        fault = account.pop("fault", "")
        extra: dict[str, Any] = {}
        if fault == "wrong-audience":
            extra["audience"] = "https://another.example/sp"
        lifetime = self.idp.lifetime
        if fault == "expired":
            self.idp.lifetime = {"seconds": 1}
        try:
            signed = self.idp.response(request, account, **extra)
        finally:
            self.idp.lifetime = lifetime
        if fault == "expired":  # held back past NotOnOrAfter and the SP's second of skew
            deadline = time.time() + EXPIRED_HOLD_SECONDS
            while time.time() < deadline:
                time.sleep(0.1)
        if fault == "tampered":
            signed = altered(signed, ">staff<", ">ip-managers<")
        self.answers.append((request.acs_url, signed, request.relay_state))
        return len(self.answers) - 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def _page(self, status: int, title: str, body: str) -> None:
                html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                        f"<title>{escape(title)}</title></head><body><main>"
                        f"<h1>{escape(title)}</h1>{body}</main></body></html>").encode()
                self.send_response(status)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(html)))
                self.send_header("cache-control", "no-store")
                self.end_headers()
                self.wfile.write(html)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = urlsplit(self.path).path
                if path == "/sso":
                    self._login_form()
                elif path == "/slo":  # ipgov's LogoutRequest: signed out here, and back
                    _request, back = pages.idp.answer_logout(pages.base + self.path)
                    pages.logouts += 1
                    self.send_response(303)
                    self.send_header("location", back)
                    self.send_header("content-length", "0")
                    self.end_headers()
                elif path.startswith("/continue/") and path[10:].isdigit() \
                        and int(path[10:]) < len(pages.answers):
                    self._post_back(int(path[10:]))
                else:
                    self._page(404, "Not found", "")

            def _login_form(self) -> None:
                try:
                    pages.idp.read_request(pages.base + self.path)
                except Exception as exc:  # noqa: BLE001 - a bad request is a page here
                    self._page(400, "Bad request", f"<p>{escape(type(exc).__name__)}</p>")
                    return
                self._page(200, "Acme identity provider", (
                    f'<form method="post" action="/login?{escape(urlsplit(self.path).query)}">'
                    '<label>Login <input name="login" autocomplete="username"></label>'
                    '<label>Password <input name="password" type="password"></label>'
                    '<button type="submit">Sign in at Acme IdP</button></form>'))

            def do_POST(self) -> None:  # noqa: N802
                size = min(int(self.headers.get("content-length") or 0), 65536)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(size).decode()).items()}
                login = form.get("login", "")
                if login not in pages.accounts or not form.get("password"):
                    self._page(401, "Unknown login", "<p>No such person here.</p>")
                    return
                request = pages.idp.read_request(f"{pages.idp.sso_url}?"
                                                 f"{urlsplit(self.path).query}")
                number = pages.answer(request, login)
                self.send_response(303)
                self.send_header("location", f"/continue/{number}")
                self.send_header("content-length", "0")
                self.end_headers()

            def _post_back(self, number: int) -> None:
                acs, response, relay = pages.answers[number]
                self._page(200, "Signing you in", (
                    f'<form id="back" method="post" action="{escape(acs)}">'
                    f'<input type="hidden" name="SAMLResponse" value="{escape(response)}">'
                    f'<input type="hidden" name="RelayState" value="{escape(relay)}">'
                    '<noscript><button type="submit">Continue</button></noscript></form>'
                    '<script>document.getElementById("back").submit()</script>'))

        return Handler


__all__ = ["BINDING_HTTP_POST", "AuthnRequest", "IdentityProviderPages", "MetadataServer",
           "SamlIdentityProvider", "altered", "post_form"]
