"""Who must sign in with a second factor: each group's policy names roles (e.g. its
administrators) and permissions (e.g. a clearance to read trade secrets) whose holders need one.

A person is bound when any group they are a member in (directly or in a subsidiary) names a
role they hold there, or a permission they hold in a tenant of that group. Only local accounts
are bound: people who sign in through an identity provider prove their second factor there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ipgov.authz.roles import TENANT_ROLES
from ipgov.errors import InvalidInput
from ipgov.tenancy.models import PLATFORM_TENANT_ID, Tenant
from ipgov.validation import FieldErrors

from ..models import Membership, User

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["FactorPolicy", "group_policy", "must_have_second_factor", "set_policy"]

MAX_ENTRIES = 50


@dataclass(frozen=True)
class FactorPolicy:
    """The roles and ``object:action`` permissions whose holders need a second factor."""

    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()


def _policy_of(group: Tenant | None) -> FactorPolicy:
    if group is None:
        return FactorPolicy()
    return FactorPolicy(tuple(group.second_factor_roles or ()),
                        tuple(group.second_factor_permissions or ()))


async def group_policy(session: AsyncSession, tenant_id: str) -> FactorPolicy:
    """The policy of the group ``tenant_id`` belongs to."""
    tenant = await session.get(Tenant, tenant_id)
    group = await session.get(Tenant, tenant.root_id) if tenant else None
    return _policy_of(group)


async def must_have_second_factor(platform: Platform, session: AsyncSession, user: User
                                  ) -> bool:
    """Whether some group's policy binds ``user`` (a local account) to a second factor."""
    if user.password_hash is None:
        return False
    group = aliased(Tenant)
    rows = (await session.execute(
        select(Membership.tenant_id, Membership.role, group)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .join(group, group.id == Tenant.root_id)
        .where(Membership.user_id == user.id))).all()
    for tenant_id, role, root in rows:
        policy = _policy_of(root)
        if role in policy.roles:
            return True
        if policy.permissions and any(
                f"{obj}:{act}" in policy.permissions
                for obj, act in platform.authz.permissions_of(user.id, tenant_id)):
            return True
    return False


def _validated(platform: Platform, roles: list[str], permissions: list[str]) -> FactorPolicy:
    errors = FieldErrors()
    declared = {f"{obj}:{act}" for obj, act in platform.authz.declared}
    if len(roles) > MAX_ENTRIES or len(permissions) > MAX_ENTRIES:
        errors.add(InvalidInput(f"at most {MAX_ENTRIES} roles and permissions",
                                code="SECOND_FACTOR_POLICY_TOO_LONG", field="roles"))
    for role in roles:
        if role not in TENANT_ROLES:
            errors.add(InvalidInput(f"{role[:80]!r} is not a role", field="roles",
                                    code="SECOND_FACTOR_POLICY_UNKNOWN",
                                    details={"value": role[:80]}))
    for permission in permissions:
        if permission not in declared:
            errors.add(InvalidInput(f"{permission[:120]!r} is not a declared permission",
                                    field="permissions", code="SECOND_FACTOR_POLICY_UNKNOWN",
                                    details={"value": permission[:120]}))
    errors.raise_if_any()
    return FactorPolicy(tuple(sorted(set(roles))), tuple(sorted(set(permissions))))


async def set_policy(platform: Platform, session: AsyncSession, *, group_id: str,
                     roles: list[str], permissions: list[str], actor: str) -> FactorPolicy:
    """Name the roles and permissions of a group whose holders need a second factor (empty
    lists: nobody), audited. Binds from each person's next sign-in or refresh."""
    group = await session.get(Tenant, group_id)
    if group is None or group.parent_id is not None or group.id == PLATFORM_TENANT_ID:
        raise InvalidInput("the second-factor policy is set by a group, for all its "
                           "subsidiaries", code="SECOND_FACTOR_POLICY_GROUP_ONLY",
                           field="tenantId")
    policy = _validated(platform, roles, permissions)
    group.second_factor_roles = list(policy.roles) or None
    group.second_factor_permissions = list(policy.permissions) or None
    await platform.audit(session, tenant_id=group.id, actor=actor,
                         action="tenant.second_factor_policy_set", object_type="ipgov:tenant",
                         object_id=group.id, details={"roles": list(policy.roles),
                                                      "permissions": list(policy.permissions)})
    return policy
