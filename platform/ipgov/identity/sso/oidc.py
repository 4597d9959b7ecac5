"""OpenID Connect, authorization code flow with PKCE and a nonce, with Authlib's protocol code.

``ProviderClient`` holds one provider's configuration and talks to it: discovery (the
metadata's ``issuer`` must equal the configured one, OpenID Connect Discovery 4.3), the
authorization URL (``code`` response, S256 challenge, ``state`` and ``nonce``), the code
exchange at the token endpoint (client secret by HTTP Basic, or in the body when that is all
the provider supports), and the ID token's verification: signature by a key of the provider's
JWKS with an asymmetric algorithm it announces (never ``none`` or HMAC), ``iss``, ``aud``
(and ``azp``), ``exp``, ``iat`` and ``nbf`` within ``IPGOV_SSO_CLOCK_SKEW_SECONDS``, and the
nonce of this sign-in. Each failure is a ``SignInRefused`` naming the reason. Every outbound
call goes through ``outbound.client_options`` (SSRF guard, timeouts): Authlib builds the
requests (grant URI, S256 challenge, token request, client authentication) and validates the
ID token's claims; the HTTP client is ours, so Authlib's own (httpx or httpx2, whichever is
installed) never carries a request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.urls import url_decode
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet

from ipgov.notify.channels.outbound import OutboundError
from ipgov.settings import Settings

from .models import IdentityProvider
from .outbound import MAX_ANSWER_BYTES, client_options
from .refusals import SignInRefused

__all__ = ["ASYMMETRIC_ALGORITHMS", "ProviderClient", "ProviderMetadata", "forget_metadata"]

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
METADATA_SECONDS = 300.0
"""How long discovery and keys are reused before they are read again."""


@dataclass(frozen=True)
class ProviderMetadata:
    """What discovery says of a provider (the parts the code flow uses)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    auth_methods: tuple[str, ...]
    jwks: dict[str, Any]


_cache: dict[tuple[str, str], tuple[float, ProviderMetadata]] = {}


def forget_metadata(provider_id: str | None = None) -> None:
    """Drop cached discovery (one provider's, or every one)."""
    for key in [k for k in _cache if provider_id is None or k[0] == provider_id]:
        _cache.pop(key, None)


def _unreachable(detail: str) -> SignInRefused:
    return SignInRefused("SSO_PROVIDER_UNREACHABLE",
                         f"the identity provider could not be reached: {detail}",
                         details={"detail": detail})


def _misconfigured(detail: str) -> SignInRefused:
    return SignInRefused("SSO_PROVIDER_MISCONFIGURED",
                         f"the identity provider is not configured correctly: {detail}",
                         details={"detail": detail})


class ProviderClient:
    """One provider's side of the code flow (see the module)."""

    def __init__(self, settings: Settings, provider: IdentityProvider, secret: str) -> None:
        self.settings, self.provider, self.secret = settings, provider, secret

    # -- discovery ---------------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        """Where the provider's metadata is read."""
        return (self.provider.discovery_url
                or self.provider.issuer.rstrip("/") + "/.well-known/openid-configuration")

    async def metadata(self) -> ProviderMetadata:
        """The provider's metadata and keys (cached for ``METADATA_SECONDS``)."""
        key = (self.provider.id, f"{self.discovery_url}|{self.provider.updated_at}")
        cached = _cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < METADATA_SECONDS:
            return cached[1]
        found = await self._discover()
        forget_metadata(self.provider.id)
        _cache[key] = (time.monotonic(), found)
        return found

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(**client_options(self.settings)) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
        except OutboundError as exc:
            raise _unreachable(exc.detail) from None
        except httpx.HTTPError as exc:
            raise _unreachable(type(exc).__name__) from None
        if response.status_code != 200 or len(response.content) > MAX_ANSWER_BYTES:
            raise _unreachable(f"{url.split('?')[0]} answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise _misconfigured(f"{url.split('?')[0]} is not JSON") from None
        if not isinstance(body, dict):
            raise _misconfigured(f"{url.split('?')[0]} is not a JSON object")
        return body

    async def _discover(self) -> ProviderMetadata:
        doc = await self._get_json(self.discovery_url)
        if doc.get("issuer") != self.provider.issuer:
            raise _misconfigured(f"discovery names the issuer {str(doc.get('issuer'))[:200]!r}, "
                                 f"not {self.provider.issuer!r}")
        urls = [doc.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
        if not all(isinstance(u, str) and u for u in urls):
            raise _misconfigured("discovery lacks an authorization, token or jwks endpoint")
        announced = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = tuple(a for a in announced if a in ASYMMETRIC_ALGORITHMS)
        if not algorithms:
            raise _misconfigured("the provider signs ID tokens with no asymmetric algorithm")
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        jwks = await self._get_json(str(urls[2]))
        return ProviderMetadata(self.provider.issuer, str(urls[0]), str(urls[1]), str(urls[2]),
                                algorithms, tuple(str(m) for m in methods), jwks)

    # -- the code flow -----------------------------------------------------------------------

    def _auth_method(self, meta: ProviderMetadata) -> str:
        return ("client_secret_basic" if "client_secret_basic" in meta.auth_methods
                else "client_secret_post")

    def authorization_url(self, meta: ProviderMetadata, *, redirect_uri: str, state: str,
                          nonce: str, code_verifier: str, locale: str) -> str:
        """Where to send the browser: the provider's sign-in for this flow."""
        extra = {"ui_locales": locale} if locale else {}
        return str(prepare_grant_uri(
            meta.authorization_endpoint, self.provider.client_id, "code",
            redirect_uri=redirect_uri, scope=" ".join(self.provider.scopes), state=state,
            nonce=nonce, code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256", **extra))

    def _token_request(self, meta: ProviderMetadata, code: str, code_verifier: str,
                       redirect_uri: str) -> tuple[dict[str, str], dict[str, str]]:
        body = prepare_token_request("authorization_code", code=code,
                                     redirect_uri=redirect_uri, code_verifier=code_verifier)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json"}
        auth = ClientAuth(self.provider.client_id, self.secret, self._auth_method(meta))
        _uri, headers, body = auth.prepare("POST", meta.token_endpoint, headers, body)
        return dict(headers), dict(url_decode(body))

    async def exchange(self, meta: ProviderMetadata, *, code: str, code_verifier: str,
                       redirect_uri: str) -> dict[str, Any]:
        """The token endpoint's answer for ``code`` (with the PKCE verifier)."""
        headers, form = self._token_request(meta, code, code_verifier, redirect_uri)
        try:
            async with httpx.AsyncClient(**client_options(self.settings)) as client:
                response = await client.post(meta.token_endpoint, data=form, headers=headers)
            answer = response.json() if len(response.content) <= MAX_ANSWER_BYTES else None
        except OutboundError as exc:
            raise _unreachable(exc.detail) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise _unreachable(f"token endpoint: {type(exc).__name__}") from None
        if not isinstance(answer, dict) or response.status_code != 200 or "error" in answer:
            error = answer.get("error", "") if isinstance(answer, dict) else ""
            raise SignInRefused("SSO_CODE_REJECTED",
                                "the identity provider refused the sign-in code (expired, used "
                                "already, or issued to someone else); sign in again",
                                details={"error": str(error or response.status_code)[:80]})
        return answer

    # -- the ID token ------------------------------------------------------------------------

    def verify_id_token(self, meta: ProviderMetadata, token: dict[str, Any], *, nonce: str
                        ) -> dict[str, Any]:
        """The verified claims of the answer's ID token (see the module)."""
        raw = token.get("id_token")
        if not isinstance(raw, str) or not raw or len(raw) > 16_384:
            raise SignInRefused("SSO_TOKEN_INVALID", "the identity provider sent no ID token")
        decoded = self._decode(meta, raw)
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": meta.issuer},
            "aud": {"essential": True, "value": self.provider.client_id},
            "sub": {"essential": True}, "exp": {"essential": True}}
        params = {"nonce": nonce, "client_id": self.provider.client_id,
                  "access_token": token.get("access_token")}
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        try:
            claims.validate(leeway=max(0, min(self.settings.sso_clock_skew_seconds, 300)))
        except ClaimError as exc:
            raise _claim_refusal(exc) from None
        if not nonce or claims.get("nonce") != nonce:
            raise _claim_refusal(None)
        return dict(claims)

    def _decode(self, meta: ProviderMetadata, raw: str) -> Any:
        try:
            return jwt.decode(raw, KeySet.import_key_set(meta.jwks),  # type: ignore[arg-type]
                              algorithms=list(meta.algorithms))
        except (BadSignatureError, InvalidKeyIdError) as exc:
            forget_metadata(self.provider.id)  # keys may have rotated: read them next time
            raise SignInRefused("SSO_TOKEN_SIGNATURE",
                                "the ID token is not signed by a key of the identity provider",
                                details={"error": type(exc).__name__}) from None
        except (JoseError, ValueError) as exc:
            raise SignInRefused("SSO_TOKEN_INVALID", "the ID token is malformed or uses an "
                                "algorithm that is not allowed",
                                details={"error": type(exc).__name__}) from None


_CLAIM_CODES = {
    "aud": ("SSO_WRONG_AUDIENCE", "the ID token was issued to another application"),
    "azp": ("SSO_WRONG_AUDIENCE", "the ID token was issued to another application"),
    "iss": ("SSO_WRONG_ISSUER", "the ID token comes from another issuer"),
    "nonce": ("SSO_NONCE_MISMATCH", "the ID token belongs to another sign-in (nonce)"),
}


def _claim_refusal(exc: ClaimError | None) -> SignInRefused:
    if isinstance(exc, ExpiredTokenError):
        return SignInRefused("SSO_TOKEN_EXPIRED", "the ID token has expired; sign in again")
    claim = "nonce" if exc is None else exc.claim
    code, message = _CLAIM_CODES.get(claim, ("SSO_TOKEN_INVALID",
                                             f"the ID token's {claim} claim is not valid"))
    return SignInRefused(code, message, details={"claim": claim})
