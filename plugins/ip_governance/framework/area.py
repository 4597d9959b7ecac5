"""The framework area of ip_governance: what it contributes to the plugin's hooks."""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, DemoContext, Permission, TenantEvent

from .checks import CHECKS as _CHECKS
from .demo import load_demo
from .graphql import FrameworkMutation, FrameworkQuery
from .models import LoadedFramework, Profile, ProfileEntry

PERMISSIONS: list[Permission] = [
    Permission("ip_governance:framework", ("read", "update"), "Framework catalogs"),
    Permission("ip_governance:profile", ("read", "update"), "Current and target profiles"),
]
MODELS: list[type] = [LoadedFramework, Profile, ProfileEntry]
CHECKS: list[Check] = list(_CHECKS)
QUERIES: list[type] = [FrameworkQuery]
MUTATIONS: list[type] = [FrameworkMutation]


async def provision(event: TenantEvent) -> Any:
    """Nothing to seed: the built-in IP-CSF is file data every tenant sees, and profiles
    start empty (the ``current_profile_missing`` check asks for the first assessment)."""
    return None


async def demo(demo: DemoContext) -> None:
    """Current and target profiles for the demo group (group targets set at HQ)."""
    await load_demo(demo)
