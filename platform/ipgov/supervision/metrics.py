"""Plugin figures in the supervision view: each tenant's ``SupervisionMetric`` values.

The metrics come from the plugin catalog (hook ``register_supervision_metrics``); a tenant
shows those of the plugins it enables. Each tenant's metrics are computed in one read-only
session scoped to that tenant alone, so a plugin's figure can never count another tenant's
rows. A metric that fails is reported as not measured (``value`` None, ``failed`` True) and
logged; it never hides the rest of the overview.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipgov.db import TenantScope

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["MetricValue", "tenant_metrics"]

log = logging.getLogger("ipgov.supervision")


@dataclass(frozen=True)
class MetricValue:
    """One plugin figure of one tenant."""

    plugin: str
    key: str
    title: str
    title_zh: str
    description: str
    value: float | None
    failed: bool = False


async def tenant_metrics(platform: Platform, tenant_id: str) -> list[MetricValue]:
    """The metrics of the plugins ``tenant_id`` enables, by key (none: an empty list)."""
    info = platform.authz.tenant_info(tenant_id)
    metrics = platform.catalog.metrics_for(info.enabled_plugins if info else ())
    if not metrics:
        return []
    found = []
    scope = TenantScope.tenant(tenant_id)
    async with platform.db.session(scope, readonly=True) as session:
        for plugin, metric in metrics:
            value, failed = None, False
            try:
                result = metric.compute(session, tenant_id)
                value = await result if inspect.isawaitable(result) else result
            except Exception:
                log.exception("supervision metric %s of tenant %s failed", metric.key, tenant_id)
                failed = True
            found.append(MetricValue(plugin, metric.key, metric.title, metric.title_zh,
                                     metric.description,
                                     None if value is None else float(value), failed))
    return found
