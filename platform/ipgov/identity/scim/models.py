"""The SCIM tables: tokens, provisioned users (with their e-mail index), groups and members.

Every row belongs to the *provisioning tenant* (``tenant_id``: the group, or a decentralized
subsidiary, that holds the token): a token sees only its own tenant's rows, and PostgreSQL
row-level security applies to them like to every ``TenantScoped`` table. The rows never move on
an absorption (``__movable_on_absorption__``): an absorbed tenant's tokens stop with it.

A provisioned person is a platform ``User`` (global) linked by ``ScimUser`` to the tenant that
provisioned it; the SCIM id of the user is the user's id. ``resource`` keeps the attributes the
directory wrote (never a password), so a read returns what was written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

__all__ = ["MODELS", "ScimGroup", "ScimGroupMember", "ScimToken", "ScimUser", "ScimUserEmail"]


class ScimToken(TenantScoped, Base):
    """A bearer token of one provisioning tenant; only the SHA-256 of its secret is kept.

    The token reads ``ipgovscim_<id>_<secret>``: ``id`` (12 hex) finds the row, the secret is
    compared with the stored hash in constant time (``ipgov.identity.apikeys``)."""

    __tablename__ = "scim_tokens"
    __movable_on_absorption__ = False

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    last_used_at: Mapped[datetime | None] = mapped_column()


class ScimUser(TenantScoped, Base):
    """A platform user provisioned by the tenant ``tenant_id`` (at most one tenant per user)."""

    __tablename__ = "scim_users"
    __movable_on_absorption__ = False
    __table_args__ = (UniqueConstraint("tenant_id", "user_name_key"),
                      Index("ix_scim_users_tenant_external", "tenant_id", "external_id"))

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(300))
    #: case-folded: userName is not case-exact (RFC 7643 §4.1.1)
    user_name_key: Mapped[str] = mapped_column(String(300))
    external_id: Mapped[str | None] = mapped_column(String(300))
    resource: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScimUserEmail(TenantScoped, Base):
    """One e-mail address of a provisioned user, case-folded, for ``emails.value`` filters."""

    __tablename__ = "scim_user_emails"
    __movable_on_absorption__ = False
    __table_args__ = (Index("ix_scim_user_emails_tenant_value", "tenant_id", "value_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("scim_users.user_id", ondelete="CASCADE"), index=True)
    value_key: Mapped[str] = mapped_column(String(320))


class ScimGroup(TenantScoped, Base):
    """A directory group; when its name reads ``<tenant slug>:<role>`` (a tenant the token
    reaches) its members hold that role there (``target_tenant_id`` and ``role``)."""

    __tablename__ = "scim_groups"
    __movable_on_absorption__ = False

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    display_name: Mapped[str] = mapped_column(String(300))
    display_name_key: Mapped[str] = mapped_column(String(300), index=True)
    external_id: Mapped[str | None] = mapped_column(String(300))
    target_tenant_id: Mapped[str | None] = mapped_column(String(36))
    role: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScimGroupMember(TenantScoped, Base):
    """A provisioned user in a directory group (the group's tenant provisioned both)."""

    __tablename__ = "scim_group_members"
    __movable_on_absorption__ = False

    group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("scim_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("scim_users.user_id", ondelete="CASCADE"), primary_key=True,
        index=True)
    display: Mapped[str | None] = mapped_column(String(300))  # as the directory wrote it


MODELS = [ScimToken, ScimUser, ScimUserEmail, ScimGroup, ScimGroupMember]
