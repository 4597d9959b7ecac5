"""The organization area of ip_governance: what it contributes to the plugin's hooks.

Governance subjects and their Evaluate-Direct-Monitor records, the IP strategy, the IP
management organization and the nine management systems (seed §3, §5.1, §5.2, §6).
"""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, Permission, TenantEvent

from . import models
from .checks import CHECKS as _CHECKS
from .demo import demo
from .graphql import MUTATIONS as _MUTATIONS
from .graphql import QUERIES as _QUERIES
from .services import ensure_management_systems

__all__ = ["CHECKS", "MODELS", "MUTATIONS", "PERMISSIONS", "QUERIES", "demo", "provision"]

PERMISSIONS: list[Permission] = [
    Permission("ip_governance:strategy", ("read", "create", "update", "approve"),
               "IP strategy, objectives, SWOT"),
    Permission("ip_governance:governance", ("read", "create", "update", "decide"),
               "Governing bodies, their evaluations, directives, monitoring and decisions"),
    Permission("ip_governance:organization", ("read", "create", "update", "delete"),
               "IP management organization: members, RACI, training"),
    Permission("ip_governance:management_system", ("read", "create", "update"),
               "Management systems, PDCA cycles and judgements"),
]
MODELS: list[type] = [getattr(models, name) for name in models.__all__]
CHECKS: list[Check] = list(_CHECKS)
QUERIES: list[type] = list(_QUERIES)
MUTATIONS: list[type] = list(_MUTATIONS)


async def provision(event: TenantEvent) -> Any:
    """Seed the nine management systems of a new tenant (seed §6.1), each with the default
    PDCA cadence; reviews then flag those without a completed cycle in time."""
    return await ensure_management_systems(event.session, event.tenant_id)


async def merge(event: TenantEvent) -> None:
    """Before an absorption: re-point the absorbed tenant's PDCA cycles and judgements to the
    absorbing tenant's management system of the same kind (the absorbed systems stay as
    history), so the combined evidence counts for the absorbing tenant."""
    from .services import merge_management_systems

    await merge_management_systems(event.session, keep=event.tenant_id,
                                   gone=event.other_tenant_id or "")
