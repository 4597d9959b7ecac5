"""The evidence area of ip_governance: evidence files uploaded once, stored by content hash
(local disk or an S3-compatible store), attached to any record, verified against the audit
chain (GB/T 29490-2023 7.5, documented information)."""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, Permission, TenantEvent

from . import models
from .checks import CHECKS as _CHECKS
from .graphql import MUTATIONS as _MUTATIONS
from .graphql import QUERIES as _QUERIES
from .services import OBJ

__all__ = ["CHECKS", "MODELS", "MUTATIONS", "PERMISSIONS", "QUERIES", "provision"]

PERMISSIONS: list[Permission] = [
    Permission(OBJ, ("read", "upload", "attach"),
               "Evidence files: upload, attach to records, download and verify"),
]
MODELS: list[type] = [getattr(models, name) for name in models.__all__]
CHECKS: list[Check] = list(_CHECKS)
QUERIES: list[type] = list(_QUERIES)
MUTATIONS: list[type] = list(_MUTATIONS)


async def provision(event: TenantEvent) -> Any:
    """Nothing to seed."""
    return None
