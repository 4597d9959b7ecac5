"""HTTP route for the governance report (for a board meeting: print it, or save as PDF)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response

from ipgov.api import authorize_request, negotiate_locale

from .data import collect
from .render import render_report

__all__ = ["governance_report"]


@get("/ip_governance/tenants/{tenant_id:str}/report")
async def governance_report(request: Request[Any, Any, Any], tenant_id: str,
                            lang: str | None = None) -> Response[str]:
    """The tenant's governance report as printable HTML (``?lang=zh-CN`` or Accept-Language).

    Needs read access to the tenant's profile and reviews.
    """
    await authorize_request(request, tenant_id, "ip_governance:profile", "read")
    principal = await authorize_request(request, tenant_id, "ipgov:review", "read")
    locale = negotiate_locale(request, principal, lang)
    data = await collect(request.app.state.platform, tenant_id)
    return Response(render_report(data, locale), media_type="text/html",
                    headers={"Cache-Control": "no-store"})
