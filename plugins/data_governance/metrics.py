"""Figures data_governance adds to the supervision view (hook ``register_supervision_metrics``).

Each runs in a read-only session scoped to one tenant: how much of the tenant's IP data is
catalogued, and how many technical solutions no IP right or secret protects yet.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import SupervisionMetric

from .catalog.models import DataAsset
from .mapping.models import SolutionLink, TechnicalSolution

__all__ = ["METRICS"]


async def catalogued_assets(session: AsyncSession, tenant_id: str) -> int:
    """Data assets in the catalog that are not destroyed."""
    return int(await session.scalar(select(func.count()).select_from(DataAsset)
                                    .where(DataAsset.destroyed_at.is_(None))) or 0)


async def unprotected_solutions(session: AsyncSession, tenant_id: str) -> int:
    """Technical solutions that no patent, trade secret or other IP object covers."""
    linked = select(SolutionLink.solution_id)
    return int(await session.scalar(select(func.count()).select_from(TechnicalSolution)
                                    .where(TechnicalSolution.id.not_in(linked))) or 0)


METRICS = [
    SupervisionMetric("data_governance.catalogued_assets", "Catalogued data assets",
                      catalogued_assets, "IP data assets in the catalog (not destroyed)",
                      title_zh="已编目的数据资产"),
    SupervisionMetric("data_governance.unprotected_solutions", "Unprotected technical solutions",
                      unprotected_solutions,
                      "Technical solutions no patent, trade secret or other IP object covers",
                      title_zh="未受保护的技术方案"),
]
