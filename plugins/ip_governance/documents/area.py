"""The documents area of ip_governance: controlled documents (GB/T 29490-2023 7.5) with
versions, approval in sequence or by quorum, separation of duties, distribution and read
acknowledgements, and group documents imposed per governance mode."""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, Permission, TenantEvent

from ..evidence.targets import Target, register_target
from . import models
from .checks import CHECKS as _CHECKS
from .demo import demo
from .graphql import MUTATIONS as _MUTATIONS
from .graphql import OBJ
from .graphql import QUERIES as _QUERIES

__all__ = ["CHECKS", "MODELS", "MUTATIONS", "PERMISSIONS", "QUERIES", "demo", "provision"]


async def _version_exists(session: Any, object_id: str) -> bool:
    return await session.get(models.DocumentVersion, object_id) is not None


register_target(Target("ip_governance:document_version", (OBJ, "read"), _version_exists))

PERMISSIONS: list[Permission] = [
    Permission(OBJ, ("read", "create", "approve", "acknowledge"),
               "Controlled documents: versions, approvals and read acknowledgements"),
]
MODELS: list[type] = [getattr(models, name) for name in models.__all__]
CHECKS: list[Check] = list(_CHECKS)
QUERIES: list[type] = list(_QUERIES)
MUTATIONS: list[type] = list(_MUTATIONS)


async def provision(event: TenantEvent) -> Any:
    """Nothing to seed: a subsidiary sees its group's imposed documents at once."""
    return None
