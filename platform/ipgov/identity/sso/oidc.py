"""OpenID Connect, authorization code flow with PKCE and a nonce, through Authlib.

``ProviderClient`` holds one provider's configuration and talks to it: discovery (the
metadata's ``issuer`` must equal the configured one, OpenID Connect Discovery 4.3), the
authorization URL (``code`` response, S256 challenge, ``state`` and ``nonce``), the code
exchange at the token endpoint (client secret by HTTP Basic, or in the body when that is all
the provider supports), and the ID token's verification: signature by a key of the provider's
JWKS with an asymmetric algorithm it announces (never ``none`` or HMAC), ``iss``, ``aud``
(and ``azp``), ``exp``, ``iat`` and ``nbf`` within ``IPGOV_SSO_CLOCK_SKEW_SECONDS``, and the
nonce of this sign-in. Each failure is a ``SignInRefused`` naming the reason. Every outbound
call goes through ``outbound.client_options`` (SSRF guard, timeouts).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
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

with warnings.catch_warnings():  # Authlib 1.9 runs on httpx and announces httpx2 at import
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

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

    def _client(self, meta: ProviderMetadata, redirect_uri: str) -> AsyncOAuth2Client:
        method = ("client_secret_basic" if "client_secret_basic" in meta.auth_methods
                  else "client_secret_post")
        return AsyncOAuth2Client(
            client_id=self.provider.client_id, client_secret=self.secret,
            token_endpoint_auth_method=method, scope=" ".join(self.provider.scopes),
            redirect_uri=redirect_uri, code_challenge_method="S256",
            **client_options(self.settings))

    async def authorization_url(self, meta: ProviderMetadata, *, redirect_uri: str, state: str,
                                nonce: str, code_verifier: str, locale: str) -> str:
        """Where to send the browser: the provider's sign-in for this flow."""
        async with self._client(meta, redirect_uri) as client:
            url, _state = client.create_authorization_url(
                meta.authorization_endpoint, state=state, nonce=nonce,
                code_verifier=code_verifier, ui_locales=locale or None)
        return str(url)

    async def exchange(self, meta: ProviderMetadata, *, code: str, code_verifier: str,
                       redirect_uri: str) -> dict[str, Any]:
        """The token endpoint's answer for ``code`` (with the PKCE verifier)."""
        try:
            async with self._client(meta, redirect_uri) as client:
                token = await client.fetch_token(meta.token_endpoint, code=code,
                                                 code_verifier=code_verifier,
                                                 grant_type="authorization_code")
        except OAuthError as exc:
            raise SignInRefused("SSO_CODE_REJECTED",
                                "the identity provider refused the sign-in code (expired, used "
                                "already, or issued to someone else); sign in again",
                                details={"error": str(exc.error)[:80]}) from None
        except OutboundError as exc:
            raise _unreachable(exc.detail) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise _unreachable(f"token endpoint: {type(exc).__name__}") from None
        return dict(token)

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
