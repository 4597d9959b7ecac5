"""JWT access tokens: the platform's own Ed25519 signing key, issuing, and verification.

ipgov signs its own access tokens with an Ed25519 key (EdDSA) kept on local disk and publishes
the public half as a JWK set, so other services can verify them. It can additionally accept
tokens from an external OIDC identity provider, whose keys are fetched from its JWKS URL.

Verification is deliberately strict: the algorithm allow-list is enforced before any key is
used (no `alg: none`, no HMAC-with-public-key confusion), the standard claims are mandatory,
tokens are size-capped, and every failure surfaces as a single `AuthenticationError` with a
stable machine-readable code and a person-readable message that never echoes the token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "DEFAULT_LEEWAY_SECONDS",
    "DEFAULT_OIDC_ALGORITHMS",
    "MAX_TOKEN_BYTES",
    "AuthenticationError",
    "Claims",
    "CompositeVerifier",
    "IssuedToken",
    "SigningKey",
    "TokenIssuer",
    "TokenVerifier",
    "jwk_thumbprint",
    "load_or_create_signing_key",
]

logger = logging.getLogger(__name__)

MAX_TOKEN_BYTES = 8 * 1024
DEFAULT_LEEWAY_SECONDS = 30
DEFAULT_OIDC_ALGORITHMS: tuple[str, ...] = ("RS256", "ES256", "EdDSA")
LOCAL_ALGORITHM = "EdDSA"
KEY_FILE_RELATIVE = Path("keys") / "jwt-ed25519.pem"

# Asymmetric algorithms a verifier may be configured with. Symmetric (HS*) and "none" are never
# acceptable: a verifier only ever holds public keys.
_ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")
_RESERVED_CLAIMS = frozenset({"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "tid", "sid",
                              "gen"})
# NumericDate claims must name an instant a datetime can hold (year 1970..9999): a validly
# signed `exp` of 10**12 is refused as malformed instead of overflowing later.
MAX_NUMERIC_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z
MAX_GENERATION = 2**31 - 1


class AuthenticationError(Exception):
    """A credential was refused.

    `code` is a stable identifier for API clients and metrics (e.g. "TOKEN_EXPIRED");
    `message` is safe to show to people and never contains the credential itself.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# ---------------------------------------------------------------------------------------------
# Signing key
# ---------------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    """Encode bytes as unpadded base64url, the encoding used throughout JOSE."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _public_raw(public_key: Ed25519PublicKey) -> bytes:
    """Return the 32 raw bytes of an Ed25519 public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def jwk_thumbprint(public_key: Ed25519PublicKey) -> str:
    """Compute the RFC 7638 SHA-256 thumbprint of an Ed25519 public key, used as its `kid`.

    The thumbprint depends only on the key, so the kid is stable across restarts and
    identical on every replica sharing the key file.
    """
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_public_raw(public_key))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@dataclass(frozen=True)
class SigningKey:
    """The platform's Ed25519 token-signing key together with its key id."""

    private_key: Ed25519PrivateKey = field(repr=False)
    kid: str
    path: Path | None = None

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half, for local verification."""
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 8037), suitable for publishing in a JWKS."""
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64url(_public_raw(self.public_key)),
            "kid": self.kid,
            "alg": LOCAL_ALGORITHM,
            "use": "sig",
        }

    @classmethod
    def from_private_key(
        cls, private_key: Ed25519PrivateKey, path: Path | None = None
    ) -> SigningKey:
        """Wrap an existing private key, deriving its kid."""
        return cls(private_key=private_key, kid=jwk_thumbprint(private_key.public_key()), path=path)

    @classmethod
    def generate(cls) -> SigningKey:
        """Create an ephemeral in-memory key (tests, one-off tools)."""
        return cls.from_private_key(Ed25519PrivateKey.generate())


def load_or_create_signing_key(data_dir: Path) -> SigningKey:
    """Load the platform signing key from `data_dir/keys/`, creating it on first start.

    The PEM (unencrypted PKCS#8; confidentiality comes from file permissions) is created with
    mode 0600 inside a 0700 directory. Creation is atomic, so replicas starting concurrently
    on a shared volume end up with the same key rather than overwriting each other.
    """
    path = Path(data_dir) / KEY_FILE_RELATIVE
    _ensure_private_dir(path.parent)
    if not path.exists():
        _create_key_file(path)
    return _read_key_file(path)


def _ensure_private_dir(directory: Path) -> None:
    """Create the key directory owner-only (mkdir's mode is subject to umask, hence chmod)."""
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)


def _create_key_file(path: Path) -> None:
    """Write a fresh key to a temporary file, then publish it only if no key exists yet."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails if another process won the race: keep theirs
            logger.info("Created JWT signing key at %s", path)
        except FileExistsError:
            pass
        except OSError:  # filesystem without hard links: best-effort rename instead
            if not path.exists():
                os.replace(tmp, path)
                logger.info("Created JWT signing key at %s", path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_key_file(path: Path) -> SigningKey:
    """Load and check the key file; warn when its permissions are too open."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        logger.warning(
            "JWT signing key %s is accessible by group/others (mode %o); expected 0600",
            path,
            mode,
        )
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not contain an Ed25519 private key")
    return SigningKey.from_private_key(private_key, path=path)


# ---------------------------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A freshly signed access token with the facts callers need to track it."""

    token: str = field(repr=False)
    jti: str
    expires_at: datetime


class TokenIssuer:
    """Signs ipgov access tokens (EdDSA) and publishes the matching public JWK set."""

    def __init__(
        self,
        key: SigningKey,
        issuer: str,
        audience: str,
        ttl_seconds: int,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Configure the issuer; `clock` returns Unix seconds and exists for tests."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def issue(
        self,
        subject: str,
        *,
        tenant_id: str | None = None,
        session_id: str | None = None,
        generation: int = 0,
        extra: Mapping[str, Any] | None = None,
        ttl_seconds: int | None = None,
    ) -> IssuedToken:
        """Sign an access token for `subject`, optionally bound to a tenant (`tid` claim).

        `session_id` (`sid`) names the sign-in session the token belongs to, so signing out
        revokes every token of the session; `generation` (`gen`) is the user's token
        generation, bumped when a password changes, which voids every older token.
        `extra` adds non-registered claims; it may not override the registered ones, so a
        caller cannot accidentally mint a token for another issuer, audience or lifetime.
        """
        if not subject:
            raise ValueError("subject must be a non-empty string")
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        if ttl <= 0:
            raise ValueError("ttl_seconds must be positive")
        claims = self._base_claims(subject, ttl)
        if tenant_id is not None:
            claims["tid"] = tenant_id
        if session_id is not None:
            claims["sid"] = session_id
        if generation:
            claims["gen"] = generation
        claims.update(_checked_extra(extra))
        token = jwt.encode(
            claims,
            self.key.private_key,
            algorithm=LOCAL_ALGORITHM,
            headers={"kid": self.key.kid, "typ": "JWT"},
        )
        return IssuedToken(
            token=token,
            jti=claims["jti"],
            expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC),
        )

    def _base_claims(self, subject: str, ttl: int) -> dict[str, Any]:
        """Build the registered claims every ipgov token carries."""
        now = int(self._clock())
        return {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": secrets.token_urlsafe(16),
        }

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWK set, served at `/.well-known/jwks.json`."""
        return {"keys": [self.key.public_jwk()]}

    def local_verifier(self, **options: Any) -> TokenVerifier:
        """A verifier accepting exactly the tokens this issuer signs (options as TokenVerifier)."""
        return TokenVerifier(
            issuer=self.issuer,
            audience=self.audience,
            public_key=self.key.public_key,
            key_id=self.key.kid,
            **options,
        )


def _checked_extra(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the extra claims, refusing any that would shadow a registered claim."""
    if not extra:
        return {}
    clash = _RESERVED_CLAIMS.intersection(extra)
    if clash:
        raise ValueError(f"extra claims may not override: {', '.join(sorted(clash))}")
    return dict(extra)


# ---------------------------------------------------------------------------------------------
# Verifying
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claims:
    """The verified identity asserted by a token."""

    subject: str
    issuer: str
    tenant_id: str | None
    jti: str | None
    expires_at: datetime
    raw: dict[str, Any]
    session_id: str | None = None
    generation: int = 0


# Checked in order: subclasses before their bases (InvalidSignatureError < DecodeError).
_JWT_ERRORS: tuple[tuple[type[Exception], str, str], ...] = (
    (jwt.ExpiredSignatureError, "TOKEN_EXPIRED", "The token has expired."),
    (jwt.ImmatureSignatureError, "TOKEN_NOT_YET_VALID", "The token is not valid yet."),
    (jwt.InvalidAudienceError, "TOKEN_WRONG_AUDIENCE", "The token is not meant for this service."),
    (jwt.InvalidIssuerError, "TOKEN_WRONG_ISSUER", "The token was issued by an untrusted issuer."),
    (jwt.InvalidAlgorithmError, "TOKEN_ALGORITHM_REFUSED", "The token's algorithm is not allowed."),
    (jwt.InvalidSignatureError, "TOKEN_INVALID_SIGNATURE", "The token's signature is invalid."),
    (jwt.InvalidKeyError, "TOKEN_UNKNOWN_KEY", "The token's signing key cannot be used."),
    (jwt.MissingRequiredClaimError, "TOKEN_MALFORMED", "The token lacks a required claim."),
    (jwt.InvalidTokenError, "TOKEN_MALFORMED", "The token is malformed."),
)


def _malformed(message: str = "The token is malformed.") -> AuthenticationError:
    """Build the error for structurally broken tokens."""
    return AuthenticationError("TOKEN_MALFORMED", message)


def _check_size(token: object, max_bytes: int) -> str:
    """Refuse non-string and oversized tokens before any parsing work is done."""
    if isinstance(token, bytes):
        token = token.decode("ascii", errors="replace")
    if not isinstance(token, str) or not token:
        raise _malformed("No token was provided.")
    if len(token.encode("utf-8")) > max_bytes:
        raise _malformed(f"The token exceeds the maximum size of {max_bytes} bytes.")
    return token


def _unverified_header(token: str) -> dict[str, Any]:
    """Read the JOSE header without trusting it, only to pick algorithm and key."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _malformed() from None
    if not isinstance(header, dict):
        raise _malformed()
    return header


def _unverified_issuer(token: str) -> str | None:
    """Read the `iss` claim without verification, only to route to the right verifier."""
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _malformed() from None
    issuer = payload.get("iss")
    return issuer if isinstance(issuer, str) else None


class TokenVerifier:
    """Verifies JWTs from one issuer: either ipgov itself (public key) or an OIDC provider (JWKS).

    Exactly one of `public_key` or `jwks_url` must be given. The JWKS is cached for
    `jwks_cache_seconds`; an unknown `kid` triggers at most one refetch per cooldown period so
    that key rotation is picked up without letting forged kids hammer the provider. Note that
    JWKS fetching is blocking I/O: from async code, call `verify` in a worker thread when an
    OIDC verifier is used.

    `is_revoked(jti)` lets callers plug in a revocation list; if it raises, the exception
    propagates (an unavailable revocation store is an outage, not a bad credential). When it is
    set, tokens without a `jti` are refused (fail closed).
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str | Sequence[str],
        public_key: Ed25519PublicKey | None = None,
        key_id: str | None = None,
        jwks_url: str | None = None,
        algorithms: Sequence[str] | None = None,
        leeway_seconds: float = DEFAULT_LEEWAY_SECONDS,
        is_revoked: Callable[[str], bool] | None = None,
        require_jti: bool | None = None,
        max_token_bytes: int = MAX_TOKEN_BYTES,
        jwks_cache_seconds: float = 300,
        jwks_timeout_seconds: float = 5.0,
        jwks_refresh_cooldown_seconds: float = 30,
    ) -> None:
        """Configure the trusted issuer, audience(s), key source and validation policy."""
        if (public_key is None) == (jwks_url is None):
            raise ValueError("exactly one of public_key or jwks_url is required")
        self.issuer = issuer
        self.audience = audience if isinstance(audience, str) else list(audience)
        self.algorithms = _checked_algorithms(algorithms, local=public_key is not None)
        self.leeway_seconds = leeway_seconds
        self.max_token_bytes = max_token_bytes
        self._public_key = public_key
        self._key_id = key_id
        self._is_revoked = is_revoked
        local = public_key is not None
        self._require_jti = (local if require_jti is None else require_jti) or bool(is_revoked)
        self._jwks_client = (
            None
            if jwks_url is None
            else jwt.PyJWKClient(
                jwks_url,
                cache_jwk_set=True,
                lifespan=jwks_cache_seconds,
                timeout=jwks_timeout_seconds,
                cooldown_duration=jwks_refresh_cooldown_seconds,
            )
        )

    def verify(self, token: str) -> Claims:
        """Verify signature and claims of `token` and return the identity it asserts.

        Raises AuthenticationError for every kind of refusal.
        """
        token = _check_size(token, self.max_token_bytes)
        header = _unverified_header(token)
        self._check_algorithm(header)
        key = self._resolve_key(token, header)
        payload = self._decode(token, key)
        claims = _to_claims(payload)
        self._check_revocation(claims)
        return claims

    def _check_algorithm(self, header: Mapping[str, Any]) -> None:
        """Enforce the allow-list before any key material is touched."""
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise AuthenticationError(
                "TOKEN_ALGORITHM_REFUSED", "The token's algorithm is not allowed."
            )

    def _resolve_key(self, token: str, header: Mapping[str, Any]) -> Any:
        """Pick the verification key: the local public key or the JWKS entry for `kid`."""
        if self._jwks_client is None:
            kid = header.get("kid")
            if kid is not None and self._key_id is not None and kid != self._key_id:
                raise AuthenticationError(
                    "TOKEN_UNKNOWN_KEY", "The token was signed with an unknown key."
                )
            return self._public_key
        return self._jwks_key(header)

    def _jwks_key(self, header: Mapping[str, Any]) -> jwt.PyJWK:
        """Look up the provider key for the token's `kid`, mapping fetch and lookup failures."""
        assert self._jwks_client is not None
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("TOKEN_UNKNOWN_KEY", "The token does not name its key.")
        try:
            # Fetch (or reuse the cached) key set first so availability problems are reported
            # as such; afterwards a lookup failure can only mean an unknown kid.
            self._jwks_client.get_signing_keys()
        except (jwt.PyJWTError, ValueError, OSError) as exc:
            raise _jwks_unavailable() from exc
        try:
            return self._jwks_client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise _jwks_unavailable() from exc
        except jwt.PyJWKClientError:
            raise AuthenticationError(
                "TOKEN_UNKNOWN_KEY", "The token was signed with an unknown key."
            ) from None
        except (jwt.PyJWTError, ValueError, OSError) as exc:
            raise _jwks_unavailable() from exc

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        """Verify signature and registered claims, translating library errors to stable codes."""
        required = [*_REQUIRED_CLAIMS, *(["jti"] if self._require_jti else [])]
        try:
            return jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": required, "verify_signature": True},
            )
        except jwt.PyJWTError as exc:
            raise _translate(exc) from None

    def _check_revocation(self, claims: Claims) -> None:
        """Refuse tokens whose jti, or whose session (`sid`), is on the revocation list."""
        if self._is_revoked is None:
            return
        for token_id in (claims.jti, claims.session_id):
            if token_id is not None and self._is_revoked(token_id):
                raise AuthenticationError("TOKEN_REVOKED", "The token has been revoked.")


def _checked_algorithms(algorithms: Sequence[str] | None, *, local: bool) -> list[str]:
    """Validate the configured allow-list; only asymmetric algorithms are acceptable."""
    if algorithms is None:
        return [LOCAL_ALGORITHM] if local else list(DEFAULT_OIDC_ALGORITHMS)
    chosen = list(algorithms)
    refused = [alg for alg in chosen if alg not in _ASYMMETRIC_ALGORITHMS]
    if not chosen or refused:
        raise ValueError(f"unsupported or insecure token algorithms: {refused or 'none given'}")
    if local and chosen != [LOCAL_ALGORITHM]:
        raise ValueError("local ipgov tokens are always EdDSA")
    return chosen


def _jwks_unavailable() -> AuthenticationError:
    """Build the error for an unreachable or unusable JWKS endpoint."""
    return AuthenticationError(
        "JWKS_UNAVAILABLE", "The identity provider's signing keys could not be retrieved."
    )


def _translate(exc: jwt.PyJWTError) -> AuthenticationError:
    """Map a PyJWT exception to the stable AuthenticationError codes."""
    for exc_type, code, message in _JWT_ERRORS:
        if isinstance(exc, exc_type):
            return AuthenticationError(code, message)
    return _malformed()


def _numeric_date(payload: Mapping[str, Any], name: str) -> float | None:
    """A NumericDate claim as a number within what a datetime can hold, or None if absent.

    PyJWT only checks that it converts to an integer; a signed but absurd value (10**12, a
    boolean, a 400-digit integer) would overflow or mislead the code that reads it."""
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            0 <= value <= MAX_NUMERIC_DATE):  # NaN fails the comparison too
        raise _malformed(f"The token's {name} claim is out of range.")
    return float(value)


def _optional_text(payload: Mapping[str, Any], name: str, what: str) -> str | None:
    value = payload.get(name)
    if value is not None and (not isinstance(value, str) or not value or len(value) > 255):
        raise _malformed(f"The token's {what} is invalid.")
    return value


def _generation(payload: Mapping[str, Any]) -> int:
    value = payload.get("gen", 0)
    if isinstance(value, bool) or not isinstance(value, int) or not (
            0 <= value <= MAX_GENERATION):
        raise _malformed("The token's generation is invalid.")
    return value


def _to_claims(payload: dict[str, Any]) -> Claims:
    """Build `Claims` from a verified payload, checking the type and range of every claim we
    read, so that no validly signed value can fail later than here (never a 500)."""
    subject, issuer = payload.get("sub"), payload.get("iss")
    if not isinstance(subject, str) or not subject or not isinstance(issuer, str):
        raise _malformed("The token's subject or issuer is invalid.")
    for name in ("iat", "nbf"):
        _numeric_date(payload, name)
    expires = _numeric_date(payload, "exp")
    if expires is None:
        raise _malformed("The token lacks a required claim.")
    return Claims(
        subject=subject,
        issuer=issuer,
        tenant_id=_optional_text(payload, "tid", "tenant"),
        jti=_optional_text(payload, "jti", "identifier"),
        expires_at=datetime.fromtimestamp(expires, tz=UTC),
        raw=payload,
        session_id=_optional_text(payload, "sid", "session"),
        generation=_generation(payload),
    )


class CompositeVerifier:
    """Routes a token to the local verifier or the OIDC verifier by its (unverified) issuer.

    Tokens claiming the local issuer are only ever checked against the local key; everything
    else goes to the OIDC verifier when one is configured, and is refused otherwise.
    """

    def __init__(self, local: TokenVerifier, oidc: TokenVerifier | None = None) -> None:
        """Combine the local verifier with an optional external OIDC verifier."""
        if oidc is not None and oidc.issuer == local.issuer:
            raise ValueError("the OIDC issuer must differ from the local issuer")
        self.local = local
        self.oidc = oidc

    def verify(self, token: str) -> Claims:
        """Verify `token` with the verifier responsible for its issuer."""
        token = _check_size(token, self.local.max_token_bytes)
        issuer = _unverified_issuer(token)
        if issuer == self.local.issuer:
            return self.local.verify(token)
        if self.oidc is not None:
            return self.oidc.verify(token)
        raise AuthenticationError(
            "TOKEN_WRONG_ISSUER", "The token was issued by an untrusted issuer."
        )
