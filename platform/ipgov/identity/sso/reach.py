"""Which tenants a provider answers for: its tenant and the subtree that tenant governs.

A provider registered in a tenant reaches that tenant and every tenant below it whose
parents govern centrally or in hybrid mode (their roles act below: the same walk as the role
cascade). A decentralized parent's subsidiaries are not reached: they register their own.
A platform-wide provider (the platform tenant) reaches the platform tenant alone. Absorbed
tenants are reached by nobody. Mappings, claims and existing accounts are all judged against
this set, at saving and again at every sign-in (the tree may have changed since).
"""

from __future__ import annotations

from ipgov.tenancy.directory import TenantDirectory, TenantInfo
from ipgov.tenancy.models import PLATFORM_TENANT_ID, TenantStatus

__all__ = ["applies_to", "reach"]


def _governs_below(tenant: TenantInfo) -> bool:
    return tenant.status != TenantStatus.ABSORBED and tenant.mode.group_roles_act_below


def reach(directory: TenantDirectory, tenant_id: str) -> frozenset[str]:
    """The tenants a provider registered in ``tenant_id`` answers for."""
    if tenant_id == PLATFORM_TENANT_ID:
        return frozenset({PLATFORM_TENANT_ID})
    found = directory.subtree([tenant_id], follow=_governs_below)
    return frozenset(t for t in found if directory[t].status != TenantStatus.ABSORBED)


def applies_to(directory: TenantDirectory, tenant_id: str) -> list[str]:
    """The tenants whose providers a person of ``tenant_id`` may sign in with: the tenant
    itself and each ancestor whose reach includes it, nearest first."""
    return [t.id for t in directory.lineage(tenant_id) if tenant_id in reach(directory, t.id)]
