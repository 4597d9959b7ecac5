"""WebAuthn passkeys (with Duo's ``webauthn``): the registration and authentication ceremonies.

The relying party is the platform as people reach it: its origin is the one of
``IPGOV_PUBLIC_URL`` (default ``http://<host>:<port>``) and its id that origin's host name
(browsers refuse IP addresses as RP ids, so serve on a name, ``localhost`` included). A
challenge is 32 random bytes, kept for five minutes and answered once (claimed with an atomic
``UPDATE``). A passkey's signature counter must grow at each use: a counter that stands still
or goes back means a cloned authenticator, and the assertion is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput

from ..models import User
from .models import PasskeyChallenge, SecondFactor

__all__ = ["Ceremony", "RelyingParty", "begin_authentication", "begin_registration",
           "finish_authentication", "finish_registration", "relying_party"]

CHALLENGE_SECONDS = 300
MAX_CREDENTIAL_JSON = 16_384
MAX_PASSKEYS = 20


@dataclass(frozen=True)
class RelyingParty:
    """The WebAuthn relying party: its id (a host name) and the origin ceremonies come from."""

    id: str
    origin: str
    name: str = "ipgov"


@dataclass(frozen=True)
class Ceremony:
    """A challenge handed to the browser: its id and the options (JSON for the browser)."""

    challenge_id: str
    options: str


def relying_party(platform: Any) -> RelyingParty:
    """The relying party from the public URL (``IPGOV_PUBLIC_URL``)."""
    settings = platform.settings
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    parts = urlsplit(base)
    return RelyingParty(parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}")


def _refused(message: str, code: str = "PASSKEY_INVALID") -> InvalidInput:
    return InvalidInput(message, code=code, field="credential")


async def _passkeys(session: AsyncSession, user_id: str) -> list[SecondFactor]:
    return list((await session.execute(select(SecondFactor).where(
        SecondFactor.user_id == user_id, SecondFactor.kind == "passkey")
        .order_by(SecondFactor.created_at))).scalars())


def _descriptors(passkeys: list[SecondFactor]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id or ""))
            for p in passkeys]


async def _challenge(session: AsyncSession, user_id: str, purpose: str, challenge: bytes
                     ) -> str:
    await session.execute(delete(PasskeyChallenge).where(  # bounded: a person's dead ones go
        PasskeyChallenge.user_id == user_id, PasskeyChallenge.expires_at <= utcnow()))
    row = PasskeyChallenge(user_id=user_id, purpose=purpose,
                           challenge=bytes_to_base64url(challenge),
                           expires_at=utcnow() + timedelta(seconds=CHALLENGE_SECONDS))
    session.add(row)
    await session.flush()
    return row.id


async def _claim(session: AsyncSession, challenge_id: str, user_id: str, purpose: str
                 ) -> bytes:
    """The challenge's bytes, used up now; ``PASSKEY_CHALLENGE_INVALID`` when unknown,
    expired, used, or another person's."""
    value = (await session.execute(
        update(PasskeyChallenge).where(
            PasskeyChallenge.id == (challenge_id or "")[:36],
            PasskeyChallenge.user_id == user_id, PasskeyChallenge.purpose == purpose,
            PasskeyChallenge.used_at.is_(None), PasskeyChallenge.expires_at > utcnow())
        .values(used_at=utcnow()).returning(PasskeyChallenge.challenge))).scalar_one_or_none()
    if value is None:
        raise _refused("the passkey request expired or was answered already: try again",
                       "PASSKEY_CHALLENGE_INVALID")
    return base64url_to_bytes(value)


def _credential(raw: str) -> dict[str, Any]:
    if len(raw or "") > MAX_CREDENTIAL_JSON:
        raise _refused("the passkey's answer is too long")
    try:
        parsed = json.loads(raw or "")
    except ValueError:
        raise _refused("the passkey's answer is not JSON") from None
    if not isinstance(parsed, dict):
        raise _refused("the passkey's answer is not a credential")
    return parsed


async def begin_registration(platform: Any, session: AsyncSession, user: User) -> Ceremony:
    """Options for ``navigator.credentials.create`` (existing passkeys excluded)."""
    rp, existing = relying_party(platform), await _passkeys(session, user.id)
    if len(existing) >= MAX_PASSKEYS:
        raise InvalidInput(f"at most {MAX_PASSKEYS} passkeys per person",
                           code="PASSKEY_LIMIT", details={"limit": MAX_PASSKEYS})
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_name=user.email, user_id=user.id.encode(),
        user_display_name=user.display_name, exclude_credentials=_descriptors(existing),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED))
    challenge_id = await _challenge(session, user.id, "register", options.challenge)
    return Ceremony(challenge_id, options_to_json(options))


async def finish_registration(platform: Any, session: AsyncSession, user: User, *,
                              challenge_id: str, credential: str, name: str) -> SecondFactor:
    """Verify the browser's answer and keep the new passkey under ``name``."""
    label = (name or "").strip()[:100]
    if not label:
        raise InvalidInput("name the passkey (e.g. 'laptop')", code="PASSKEY_NAME_REQUIRED",
                           field="name")
    expected = await _claim(session, challenge_id, user.id, "register")
    rp = relying_party(platform)
    try:
        verified = verify_registration_response(
            credential=_credential(credential), expected_challenge=expected,
            expected_rp_id=rp.id, expected_origin=rp.origin)
    except WebAuthnException as exc:
        raise _refused(f"the passkey could not be verified: {str(exc)[:200]}") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if (await session.execute(select(SecondFactor.id).where(
            SecondFactor.credential_id == credential_id))).first():
        raise _refused("this passkey is registered already", "PASSKEY_DUPLICATE")
    factor = SecondFactor(user_id=user.id, kind="passkey", name=label,
                          credential_id=credential_id,
                          public_key=bytes_to_base64url(verified.credential_public_key),
                          sign_count=verified.sign_count, confirmed_at=utcnow())
    session.add(factor)
    await session.flush()
    return factor


async def begin_authentication(platform: Any, session: AsyncSession, user: User) -> Ceremony:
    """Options for ``navigator.credentials.get`` naming the user's passkeys."""
    passkeys = await _passkeys(session, user.id)
    if not passkeys:
        raise InvalidInput("you have no passkey", code="PASSKEY_NONE")
    options = generate_authentication_options(
        rp_id=relying_party(platform).id, allow_credentials=_descriptors(passkeys),
        user_verification=UserVerificationRequirement.PREFERRED)
    challenge_id = await _challenge(session, user.id, "authenticate", options.challenge)
    return Ceremony(challenge_id, options_to_json(options))


async def finish_authentication(platform: Any, session: AsyncSession, user: User, *,
                                challenge_id: str, credential: str) -> SecondFactor:
    """Verify an assertion of one of the user's passkeys; its counter moves on."""
    expected = await _claim(session, challenge_id, user.id, "authenticate")
    answer = _credential(credential)
    raw_id = str(answer.get("rawId") or answer.get("id") or "")[:1400]
    factor = (await session.execute(select(SecondFactor).where(
        SecondFactor.user_id == user.id, SecondFactor.kind == "passkey",
        SecondFactor.credential_id == raw_id))).scalar_one_or_none()
    if factor is None:
        raise _refused("this passkey is not one of yours")
    rp = relying_party(platform)
    try:
        verified = verify_authentication_response(
            credential=answer, expected_challenge=expected, expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=base64url_to_bytes(
                factor.public_key or ""), credential_current_sign_count=factor.sign_count)
    except WebAuthnException as exc:
        if "sign count" in str(exc).lower():
            raise _refused("this passkey's counter went back: it may have been copied, so it "
                           "is refused", "PASSKEY_SIGN_COUNT") from None
        raise _refused(f"the passkey could not be verified: {str(exc)[:200]}") from None
    factor.sign_count, factor.last_used_at = verified.new_sign_count, utcnow()
    return factor
