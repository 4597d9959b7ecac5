"""Users, memberships (user × tenant × role), service accounts and their API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

__all__ = ["ApiKey", "Membership", "RevokedToken", "ServiceAccount", "User"]


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
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
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
    """A revoked bearer token, kept until it would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column()
