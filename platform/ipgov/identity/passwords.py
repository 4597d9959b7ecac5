"""Password hashing and password policy for local (non-SSO) accounts.

Passwords are hashed with argon2id, the memory-hard algorithm recommended by RFC 9106 and
OWASP, so that a leaked credentials table is expensive to brute-force. The parameters are
pinned explicitly (rather than relying on library defaults) so an argon2-cffi upgrade can never
silently change them; when they are raised deliberately, `needs_rehash` tells the login flow
to upgrade stored hashes transparently after a successful verification.

Passwords are NFKC-normalised before hashing and verifying (NIST SP 800-63B 5.1.1.2), so the
same password typed on keyboards/IMEs that emit different Unicode forms still matches.
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "hash_password",
    "needs_rehash",
    "validate_password_policy",
    "verify_password",
    "verify_password_or_dummy",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

# argon2id, RFC 9106 section 4 "second recommended option" (the low-memory profile):
#   time_cost=3 iterations, memory_cost=64 MiB, parallelism=4 lanes,
#   16-byte random salt, 32-byte tag.
# ~50-100 ms per hash on a server core; 64 MiB per concurrent login bounds memory use.
_HASHER = PasswordHasher(
    time_cost=3,
    memory_cost=64 * 1024,  # KiB
    parallelism=4,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)

# Verified against when the account does not exist, so "unknown user" and "wrong password"
# take the same time and cannot be told apart by an attacker (user enumeration). A constant
# made with _HASHER's parameters (verification costs what the parameters in the string say):
# hashing it at import cost every process start 0.1-0.6 s (tests check the parameters match).
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$g5T9YpapS4+HY3nr6QZoxw"
               "$+IdiFHrdC1Qv5RV4racKUqYvnqs9hM+IFP9+QMWMQc4")


def _normalise(password: str) -> str:
    """Return the canonical Unicode form that is actually hashed."""
    return unicodedata.normalize("NFKC", password)


def validate_password_policy(password: str) -> None:
    """Reject passwords that violate the length policy.

    Raises ValueError with a message that can be shown to the person choosing the password.
    Length is counted in characters after normalisation; the upper bound stops a
    denial-of-service through megabyte-sized "passwords".
    """
    if not isinstance(password, str):
        raise ValueError("The password must be text.")
    length = len(_normalise(password))
    if length < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if length > MAX_PASSWORD_LENGTH:
        raise ValueError(f"The password must be at most {MAX_PASSWORD_LENGTH} characters long.")


def hash_password(password: str) -> str:
    """Hash a new password for storage, enforcing the password policy first."""
    validate_password_policy(password)
    return _HASHER.hash(_normalise(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """Tell whether `password` matches `stored_hash`.

    Returns False (never raises) on mismatch, a corrupt/unsupported hash or bad input types,
    so callers can treat every failure uniformly as "wrong credentials".
    """
    if not isinstance(stored_hash, str) or not isinstance(password, str):
        return False
    if len(password) > MAX_PASSWORD_LENGTH * 4:  # cheap guard before normalising huge input
        return False
    try:
        return _HASHER.verify(stored_hash, _normalise(password))
    except (VerificationError, InvalidHashError, ValueError, TypeError):
        return False


def verify_password_or_dummy(stored_hash: str | None, password: str) -> bool:
    """Verify like `verify_password`, spending the same time when there is no stored hash.

    Use this in login flows where the account may not exist (`stored_hash=None`): it always
    returns False then, but only after a full argon2 verification against a dummy hash.
    """
    if stored_hash is None:
        verify_password(_DUMMY_HASH, password if isinstance(password, str) else "")
        return False
    return verify_password(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """Tell whether a stored hash was made with outdated parameters and should be replaced.

    Call after a successful `verify_password`, then store `hash_password(password)`.
    Unparseable hashes also report True, since they can never be kept as they are.
    """
    if not isinstance(stored_hash, str):
        return True
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError, TypeError):
        return True
