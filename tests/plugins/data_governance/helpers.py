"""Running one data_governance check as the review engine would."""

from __future__ import annotations

from ipgov.api import CheckContext, TenantScope, utcnow
from ipgov.reviews.runner import tenant_view


async def run_check(platform, tenant_id: str, fn) -> list:  # type: ignore[no-untyped-def]
    """The findings of check function ``fn`` for ``tenant_id``."""
    view = await tenant_view(platform, tenant_id)

    def open_session(ids):  # type: ignore[no-untyped-def]
        return platform.db.session(TenantScope.tenants(ids, "test: lineage"))

    async with platform.db.tenant_session(tenant_id) as session:
        ctx = CheckContext(session=session, tenant=view, now=utcnow(), run_id="test",
                           lineage=view.lineage, open_session=open_session)
        return await fn(ctx)
