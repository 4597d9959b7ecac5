"""Users, memberships (user × tenant × role), service accounts and their API keys, and the
state of sign-in: throttles, sessions (refresh tokens), revocations, invitations, resets.

Secrets (refresh tokens, invitation and reset links) are stored as SHA-256 hashes only: they
are long random values, so a fast hash is enough and a database dump reveals none of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

__all__ = ["ApiKey", "Invitation", "LoginThrottle", "Membership", "PasswordReset",
           "RefreshToken", "RevocationVersion", "RevokedToken", "ServiceAccount", "User"]


class User(Base):
    """A person; belongs to tenants through memberships. Global, not tenant-owned."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    external_subject: Mapped[str | None] = mapped_column(String(300), unique=True)
    locale: Mapped[str] = mapped_column(String(10), default="")  # "": no preference
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped when the password changes or is reset: every token of an older generation
    #: (the ``gen`` claim) is refused at once, on every process (the row is read per request).
    token_generation: Mapped[int] = mapped_column(Integer, default=0)
    password_changed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(TenantScoped, Base):
    """A user holds a role in a tenant (the Casbin ``g`` rule is derived from it)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "role"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceAccount(TenantScoped, Base):
    """A non-human principal (partner integration, CI) acting in one tenant with one role.

    ``scopes`` (``object:action`` strings) limit it below its role; ``None`` only for
    accounts created before scopes existed (their role alone limits them). ``owner_user_id``
    is the person accountable for it; ``disabled_at`` ends it (keys revoked, role removed).
    """

    __tablename__ = "service_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(80))
    scopes: Mapped[list | None] = mapped_column()
    owner_user_id: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column()


class ApiKey(TenantScoped, Base):
    """An API key of a service account; only a hash of its secret is stored.

    A key is valid while ``revoked_at`` is empty and ``expires_at`` (empty: never, for keys
    made before expiry existed) is in the future; rotation gives the old key an
    ``expires_at`` at the end of the overlap and names its successor in ``replaced_by``.
    ``last_used_at`` is written at most once a minute per key.
    """

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    service_account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("service_accounts.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    replaced_by: Mapped[str | None] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None] = mapped_column()


class RevokedToken(Base):
    """A revoked bearer token (its ``jti``) or sign-in session (its ``sid``), kept until the
    token or session would have expired anyway.

    ``seq`` comes from ``RevocationVersion`` under a row lock, so revocations commit in
    sequence order and every process follows them by reading ``seq`` above what it has seen.
    """

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0, index=True)
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevocationVersion(Base):
    """A single-row counter numbering revocations (like ``PolicyVersion`` for policies)."""

    __tablename__ = "revocation_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    version: Mapped[int] = mapped_column(Integer, default=0)


class LoginThrottle(Base):
    """Failed sign-ins of one account name from one client address.

    ``account`` is a hash of the normalised email, whether or not such a user exists, so an
    unknown address is throttled exactly like a real one (no existence oracle). ``failures``
    counts attempts claimed since the last success; ``blocked_until`` is when the next attempt
    may be verified. Only this (account, client) pair is slowed down: the owner elsewhere is not.
    """

    __tablename__ = "login_throttles"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RefreshToken(Base):
    """One refresh token of a sign-in session (``family_id``, the ``sid`` of its tokens).

    Refreshing uses a token once (``used_at``) and issues the next of the family; presenting a
    used token again means it was copied, and revokes the whole family.
    """

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_family", "family_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client: Mapped[str] = mapped_column(String(64), default="")
    session_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class Invitation(TenantScoped, Base):
    """An invitation to hold ``role`` in a tenant, accepted once through a link (hashed here)."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(200))
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    accepted_user_id: Mapped[str | None] = mapped_column(String(36))
    revoked_at: Mapped[datetime | None] = mapped_column()


class PasswordReset(Base):
    """A one-time password-reset link of a user (hashed), valid until ``expires_at``."""

    __tablename__ = "password_resets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()
