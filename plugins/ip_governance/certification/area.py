"""The certification area of ip_governance: what it contributes to the plugin's hooks.

GB/T 29490-2023 (enterprise IP compliance management): the clause outline with the platform
evidence behind each clause, the internal-audit checklist (present, stale or missing per
clause), management-review records and the evidence export for a certification body.
"""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, Permission, TenantEvent

from . import models
from .graphql import MUTATIONS as _MUTATIONS
from .graphql import QUERIES as _QUERIES

__all__ = ["CHECKS", "MODELS", "MUTATIONS", "PERMISSIONS", "QUERIES", "provision"]

PERMISSIONS: list[Permission] = [
    Permission("ip_governance:certification", ("read", "record"),
               "GB/T 29490-2023 checklist, evidence export and management-review records"),
]
MODELS: list[type] = [getattr(models, name) for name in models.__all__]
CHECKS: list[Check] = []
QUERIES: list[type] = list(_QUERIES)
MUTATIONS: list[type] = list(_MUTATIONS)


async def provision(event: TenantEvent) -> Any:
    """Nothing to seed: the checklist reads the evidence the other areas hold."""
    return None
