"""The docketing area of ip_governance: deadlines and official fees computed from rules kept
as data (docs/docketing.md), tenant rule overrides, exchange rates and the cost forecast."""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, Permission, TenantEvent

from . import models
from .checks import CHECKS as _CHECKS
from .demo import demo
from .graphql import DocketMutation, DocketQuery

__all__ = ["CHECKS", "MODELS", "MUTATIONS", "PERMISSIONS", "QUERIES", "demo", "provision"]

PERMISSIONS: list[Permission] = [
    Permission("ip_governance:docket", ("read", "override", "recompute", "set_rates"),
               "Docketing rules, overrides, exchange rates and the cost forecast"),
]
MODELS: list[type] = [models.DocketRuleOverride, models.ExchangeRate]
CHECKS: list[Check] = _CHECKS
QUERIES: list[type] = [DocketQuery]
MUTATIONS: list[type] = [DocketMutation]


async def provision(event: TenantEvent) -> Any:
    """Nothing to seed: a new subsidiary takes up its group's overrides at the next override
    change above it, or at once with ``recomputeDocket``."""
    return None
