"""The policy store: Casbin rule rows in the database, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

__all__ = ["AuthzRule", "PolicyVersion"]


class AuthzRule(TenantScoped, Base):
    """One Casbin rule in the domain ``tenant_id``.

    ``ptype`` "p": v0=subject (role or user id), v1=object, v2=action, v3=effect.
    ``ptype`` "g": v0=user id, v1=role.
    ``origin`` says who owns the rule: ``default`` (role templates materialised at onboarding),
    ``group:<tenant id>`` (materialised from the group's baseline; a subsidiary cannot change it),
    ``local`` (added by the tenant's own administrators), ``membership`` (from a membership).
    ``template`` marks a group rule meant for its subsidiaries; inactive rules are kept but not
    enforced (e.g. local rules while the group is centralized).
    """

    __tablename__ = "authz_rules"
    __table_args__ = (Index("ix_authz_rules_lookup", "tenant_id", "ptype", "v0"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ptype: Mapped[str] = mapped_column(String(2))
    v0: Mapped[str] = mapped_column(String(200))
    v1: Mapped[str] = mapped_column(String(200))
    v2: Mapped[str] = mapped_column(String(80), default="")
    v3: Mapped[str] = mapped_column(String(10), default="")
    origin: Mapped[str] = mapped_column(String(60), default="local")
    template: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyVersion(Base):
    """A single-row counter bumped with every policy change; processes poll it to reload."""

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyChange(Base):
    """One rule added or removed (or the tenant tree changed) at a policy version.

    Writers take the version from ``PolicyVersion`` with a row lock, so versions commit in order
    and every process can replay the changes after the version it has loaded.
    """

    __tablename__ = "policy_changes"
    __table_args__ = (Index("ix_policy_changes_version", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(10))
    domain: Mapped[str] = mapped_column(String(36), default="")
    ptype: Mapped[str] = mapped_column(String(2), default="")
    v0: Mapped[str] = mapped_column(String(200), default="")
    v1: Mapped[str] = mapped_column(String(200), default="")
    v2: Mapped[str] = mapped_column(String(80), default="")
    v3: Mapped[str] = mapped_column(String(10), default="")
