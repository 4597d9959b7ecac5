"""The risk_assets area of ip_governance: what it contributes to the plugin's hooks."""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, Permission, TenantEvent

PERMISSIONS: list[Permission] = [
    Permission("ip_governance:risk", ("read", "create", "update", "accept"), "IP risks"),
    Permission("ip_governance:asset", ("read", "create", "update", "delete"), "IP assets"),
]
MODELS: list[type] = []
CHECKS: list[Check] = []
QUERIES: list[type] = []
MUTATIONS: list[type] = []


async def provision(event: TenantEvent) -> Any:
    """Seed the area's defaults for a new tenant (nothing yet)."""
    return None
