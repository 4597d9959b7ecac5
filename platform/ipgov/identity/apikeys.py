"""Service-account API keys and log redaction of credentials.

An API key looks like `ipgov_<key_id>_<secret>`: `key_id` (12 hex chars) is a public lookup
handle stored in clear, `secret` is 32 random bytes (urlsafe base64) shown to the user once.
Only the SHA-256 of the secret is stored. A fast hash is the standard choice here (as for
GitHub/Stripe tokens): slow password hashes such as argon2 exist to stretch low-entropy,
human-chosen passwords, whereas a 256-bit random secret cannot be brute-forced from its hash
at any hashing speed, and a fast hash keeps per-request authentication cheap.

The recognisable `ipgov_` prefix lets secret scanners find leaked keys, and lets `redact`
scrub keys and bearer tokens from log lines.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from ipgov.identity.tokens import AuthenticationError

__all__ = [
    "API_KEY_PREFIX",
    "NewApiKey",
    "generate_api_key",
    "hash_api_key_secret",
    "parse_api_key",
    "redact",
    "verify_api_key_secret",
]

API_KEY_PREFIX = "ipgov_"
_KEY_ID_BYTES = 6  # 12 hex chars
_SECRET_BYTES = 32  # 43 urlsafe-base64 chars
_API_KEY_RE = re.compile(r"ipgov_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_MAX_API_KEY_LENGTH = 256

REDACTED = "[REDACTED]"
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Authorization: Bearer <anything token-shaped>" (RFC 6750 b64token charset).
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*"), rf"\1 {REDACTED}"),
    # ipgov API keys and SCIM tokens, including truncated or slightly malformed ones.
    (re.compile(r"ipgov(?:scim)?_[0-9A-Fa-f]{12}_[A-Za-z0-9_-]*"), REDACTED),
    # Bare JWTs/JWSs (the header always starts with base64url of '{"').
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"), REDACTED),
)


@dataclass(frozen=True)
class NewApiKey:
    """A newly generated API key: show `plaintext` once, persist `key_id` and `secret_hash`."""

    key_id: str
    plaintext: str = field(repr=False)
    secret_hash: str


def hash_api_key_secret(secret: str) -> str:
    """Return the value stored for a secret: SHA-256, lowercase hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate_api_key() -> NewApiKey:
    """Create a new service-account API key from the OS CSPRNG."""
    key_id = secrets.token_hex(_KEY_ID_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    return NewApiKey(
        key_id=key_id,
        plaintext=f"{API_KEY_PREFIX}{key_id}_{secret}",
        secret_hash=hash_api_key_secret(secret),
    )


def parse_api_key(text: str) -> tuple[str, str]:
    """Split a presented API key into `(key_id, secret)`.

    Raises AuthenticationError("API_KEY_MALFORMED") for anything not shaped like a key; the
    message never repeats the presented text.
    """
    if not isinstance(text, str) or len(text) > _MAX_API_KEY_LENGTH:
        raise _malformed()
    match = _API_KEY_RE.fullmatch(text.strip())
    if match is None:
        raise _malformed()
    return match.group(1), match.group(2)


def _malformed() -> AuthenticationError:
    """Build the error for a presented value that is not an API key."""
    return AuthenticationError("API_KEY_MALFORMED", "The API key is not in the expected format.")


def verify_api_key_secret(secret: str, stored_hash: str) -> bool:
    """Tell whether `secret` matches the stored hash, in constant time."""
    if not isinstance(secret, str) or not isinstance(stored_hash, str):
        return False
    candidate = hash_api_key_secret(secret).encode("ascii")
    return hmac.compare_digest(candidate, stored_hash.lower().encode("utf-8"))


def redact(text: str) -> str:
    """Replace bearer tokens, JWTs and API keys in `text` with "[REDACTED]" (for logs)."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text
