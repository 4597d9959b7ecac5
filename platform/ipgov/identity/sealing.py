"""Sealing secrets kept in the database (AES-256-GCM): identity providers' client secrets and
SAML service-provider keys, the RelayState a SAML sign-in sends through the browser, and (with
their own ``label``) the TOTP secrets of second factors.

The key is derived from the audit key, which lives outside the database (``IPGOV_AUDIT_KEY``
or the data directory's key file) and is shared by every replica: a database dump or backup
alone reveals no client secret. Each use has its own key (``label``); the row's id (and, for
other uses than the client secret, a ``purpose``) is the associated data, so a sealed secret
copied onto another row, or a RelayState carried to another provider, does not open there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["RELAY_PURPOSE", "SP_KEY_PURPOSE", "SealError", "seal", "unseal"]

RELAY_PURPOSE = "saml-relay-state"
SP_KEY_PURPOSE = "saml-sp-key"
_PREFIX = "v1."
_LABEL = b"ipgov identity provider client secret v1"


class SealError(ValueError):
    """A sealed value does not open with this platform's key (another key, or altered)."""


def _key(platform: Any, label: bytes) -> AESGCM:
    secret: bytes = platform.audit_key.secret
    return AESGCM(hmac.new(secret, label, hashlib.sha256).digest())


def _associated(row_id: str, purpose: str) -> bytes:
    return (f"{purpose}|{row_id}" if purpose else row_id).encode()


def seal(platform: Any, plaintext: str, *, provider_id: str, purpose: str = "",
         label: bytes = _LABEL) -> str:
    """``plaintext`` encrypted for storage on the row of ``provider_id`` (and ``purpose``)."""
    nonce = os.urandom(12)
    sealed = _key(platform, label).encrypt(nonce, plaintext.encode("utf-8"),
                                           _associated(provider_id, purpose))
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(platform: Any, stored: str, *, provider_id: str, purpose: str = "",
           label: bytes = _LABEL) -> str:
    """The plaintext of a value ``seal`` made for ``provider_id`` (and ``purpose``);
    ``SealError`` otherwise."""
    if not stored.startswith(_PREFIX):
        raise SealError("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(stored[len(_PREFIX):])
        opened = _key(platform, label).decrypt(raw[:12], raw[12:],
                                               _associated(provider_id, purpose))
    except (InvalidTag, ValueError) as exc:
        raise SealError("the sealed value does not open with this platform's key") from exc
    return opened.decode("utf-8")
