"""The policy store: Casbin rule rows in the database, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

__all__ = ["AuthzRule", "AuthzRuleSet", "AuthzRuleSetRule", "PolicyChange", "PolicyVersion"]


class AuthzRule(TenantScoped, Base):
    """One Casbin rule in the domain ``tenant_id``.

    ``ptype`` "p": v0=subject (role or user id), v1=object, v2=action, v3=effect.
    ``ptype`` "g": v0=user id, v1=role.
    ``ptype`` "s": v0=the id of a rule set (``AuthzRuleSet``) whose rules apply in this domain as
    if copied here: the tenant *references* rules stored once for every tenant that holds them.
    ``origin`` says who owns the rule: ``default`` (role templates, referenced at onboarding and
    when a plugin comes into effect),
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


class AuthzRuleSet(Base):
    """An immutable bundle of ``p`` rules stored once, referenced by any number of tenants.

    The id is the SHA-256 of the sorted rules (``ipgov.authz.store.rule_set_id``), so tenants
    holding the same rules share one set, and a tenant that changes one of them (removes a
    default grant) references another set, its own when no other tenant holds the same rules
    (copy-on-write). Platform data, not tenant-owned: no tenant id, never read by the app role
    (``ipgov.db.access``); a tenant sees the rules of the sets it references only.
    """

    __tablename__ = "authz_rule_sets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthzRuleSetRule(Base):
    """One rule of a rule set: ``v0`` may (``v3`` allow) or may not (deny) ``v2`` on ``v1``."""

    __tablename__ = "authz_rule_set_rules"

    set_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("authz_rule_sets.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    v0: Mapped[str] = mapped_column(String(200))
    v1: Mapped[str] = mapped_column(String(200))
    v2: Mapped[str] = mapped_column(String(80))
    v3: Mapped[str] = mapped_column(String(10))
