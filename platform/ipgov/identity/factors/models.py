"""What second factors keep: each person's authenticators (TOTP and passkeys), their recovery
codes, the second-factor tickets of sign-ins halfway done, WebAuthn challenges in flight, and
when a session's person last confirmed it is them (step-up).

A TOTP secret is sealed (AES-GCM under a key derived from the audit key, which lives outside
the database); a passkey's public key is public by nature; recovery codes and tickets are long
random values stored as SHA-256 hashes (``onetime``). None of these tables is tenant-owned:
they belong to people, and only system sessions read them (``ipgov.db.access``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, new_id, utcnow

__all__ = ["MODELS", "PasskeyChallenge", "RecoveryCode", "SecondFactor",
           "SecondFactorTicket", "SessionConfirmation"]


class SecondFactor(Base):
    """One authenticator of a person: ``kind`` ``totp`` (an app's shared secret, sealed; not in
    force until ``confirmed_at``) or ``passkey`` (a WebAuthn credential).

    ``last_step`` is the TOTP time step last accepted: a code of that step or an earlier one is
    refused (no replay); ``sign_count`` is the passkey's counter, which must grow."""

    __tablename__ = "second_factors"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100), default="")
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    last_step: Mapped[int | None] = mapped_column(Integer)
    credential_id: Mapped[str | None] = mapped_column(String(1400), unique=True)
    public_key: Mapped[str | None] = mapped_column(Text)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()


class RecoveryCode(Base):
    """One of a person's ten one-time recovery codes (hashed); ``used_at`` once spent."""

    __tablename__ = "recovery_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


class SecondFactorTicket(Base):
    """A sign-in whose password was right and whose second step is pending (``purpose``
    ``verify``), or whose person must first enrol a second factor (``enrol``). The ticket
    (hashed here) lives minutes, works once, and dies after a few wrong codes."""

    __tablename__ = "second_factor_tickets"

    ticket_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10), default="verify")
    method: Mapped[str] = mapped_column(String(40), default="password")
    client: Mapped[str] = mapped_column(String(64), default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()


class PasskeyChallenge(Base):
    """A WebAuthn challenge handed to a browser (``register`` or ``authenticate``), answered
    once before ``expires_at``."""

    __tablename__ = "passkey_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(12))
    challenge: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()


class SessionConfirmation(Base):
    """When the person of a session (``family_id``, the ``sid`` of its tokens) last confirmed
    it is them, with their password or a current factor (``method``): changing second
    factors needs a confirmation (or the sign-in itself) of the last few minutes
    (``step_up``)."""

    __tablename__ = "session_confirmations"

    family_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


MODELS = [SecondFactor, RecoveryCode, SecondFactorTicket, PasskeyChallenge,
          SessionConfirmation]
"""The second-factor tables (registered by the core's built-in plugin)."""
