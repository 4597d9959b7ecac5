"""Which tenants a provisioning tenant's token reaches, and what a SCIM Group name means.

A token belongs to a *provisioning tenant*: a group (a root), or a subsidiary whose parent
governs it decentralized (it administers itself, so it provisions itself). Its **reach** is
that tenant and every tenant below it, stopping at decentralized boundaries: a subsidiary
governed decentralized provisions itself, with its own token, and its parent's token does
not reach into it. A Group named ``ipgov:<tenant slug>:<role>`` (``ipgov.identity.role_names``)
maps to that role in that tenant when the tenant is within reach; a name of that form naming
any other tenant is refused (the same answer for a tenant of another group and for a slug
that names nothing). Any other name is the directory's own (``Sales:Team`` too): a plain group.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipgov.authz.roles import GROUP_ROLES, TENANT_ROLES
from ipgov.errors import InvalidInput
from ipgov.tenancy.directory import TenantDirectory, TenantInfo
from ipgov.tenancy.models import PLATFORM_TENANT_ID, TenantStatus
from ipgov.tenancy.modes import GovernanceMode

from ..role_names import RoleNameMalformed, parse_role_name

__all__ = ["GroupTarget", "Reach", "may_provision", "parse_group_name", "reach_of"]

def may_provision(directory: TenantDirectory, tenant_id: str) -> bool:
    """Whether ``tenant_id`` may hold SCIM tokens: a group root, or a subsidiary whose parent
    governs it decentralized; never the platform's tenant, nor an inactive one."""
    info = directory.info(tenant_id)
    if info is None or info.id == PLATFORM_TENANT_ID or info.status != TenantStatus.ACTIVE:
        return False
    parent = directory.parent(tenant_id)
    if parent is None:
        return info.id == info.root_id
    return GovernanceMode.governing(parent.governance_mode) is GovernanceMode.DECENTRALIZED


@dataclass(frozen=True)
class GroupTarget:
    """What a Group name maps to: a role in a tenant (both ``None``: a plain group)."""

    tenant_id: str | None
    role: str | None


@dataclass(frozen=True)
class Reach:
    """The tenants a provisioning tenant's token acts in, by id and by slug."""

    provisioner: str
    tenants: dict[str, TenantInfo]

    @property
    def ids(self) -> frozenset[str]:
        """Every tenant id within reach (the provisioning tenant included)."""
        return frozenset(self.tenants)

    def roles_in(self, tenant_id: str) -> tuple[str, ...]:
        """Roles a directory group may confer in ``tenant_id``: the tenant roles, and the
        group roles only in a group's own tenant (as ``ipgov.authz.ceiling`` rules)."""
        info = self.tenants[tenant_id]
        is_root = info.parent_id is None and info.id == info.root_id
        return tuple(r for r in TENANT_ROLES if is_root or r not in GROUP_ROLES)

    def by_slug(self, slug: str) -> TenantInfo | None:
        """The tenant within reach with this slug, if any."""
        return next((t for t in self.tenants.values() if t.slug == slug), None)


def reach_of(directory: TenantDirectory, provisioner: str) -> Reach:
    """The tenants ``provisioner``'s tokens reach: it and its subtree, stopping below parents
    that govern decentralized (absorbed tenants are history, not reached)."""
    ids = directory.subtree([provisioner], follow=lambda info: info.mode.imposes_baseline)
    found = {t: directory[t] for t in ids if directory[t].status != TenantStatus.ABSORBED}
    return Reach(provisioner, found)


def parse_group_name(reach: Reach, display_name: str) -> GroupTarget:
    """The role a Group name confers; ``InvalidInput`` for an ``ipgov:<slug>:<role>`` name
    whose tenant is not within reach or whose role is not one that may be conferred there,
    and for one with the prefix that is not of that form."""
    try:
        named = parse_role_name(display_name or "")
    except RoleNameMalformed as exc:
        raise InvalidInput(f"{exc.message}: a group that gives a role is named "
                           "ipgov:<tenant slug>:<role>; any other name may not begin with "
                           "ipgov:", code="SCIM_GROUP_NAME_MALFORMED",
                           field="displayName", details=exc.details) from None
    if named is None:
        return GroupTarget(None, None)
    slug, role = named.tenant_slug, named.role
    tenant = reach.by_slug(slug)
    if tenant is None:
        raise InvalidInput(f"'{slug}' is not a tenant this token provisions: name a group "
                           "'ipgov:<tenant slug>:<role>' with a tenant of this group",
                           code="SCIM_TENANT_OUT_OF_REACH", field="displayName")
    allowed = reach.roles_in(tenant.id)
    if role not in allowed:
        raise InvalidInput(f"'{role}' is not a role that may be given in {slug}: one of "
                           f"{', '.join(allowed)}", code="SCIM_ROLE_UNKNOWN",
                           field="displayName")
    return GroupTarget(tenant.id, role)
