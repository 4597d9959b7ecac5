"""HTTP routes of the certification pack: the printable checklist and the evidence zip.

Authorized like the governance report: certification and review read access in the tenant
(401 anonymous, 404 unknown tenant, 403 another group's or a sibling's user). The language is
``?lang=``, else the user's preference, else ``Accept-Language``. Every export is audited.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response

from ipgov.api import (
    PlatformContext,
    authorize_request,
    negotiate_locale,
    record_audit,
    tenant_info,
    utcnow,
)

from .checklist import build_checklist, gather
from .export import EXPORT_ROWS, build_zip, render_html
from .graphql import OBJ, review_node
from .models import ManagementReview
from .outline import load_outline

__all__ = ["certification_evidence_zip", "certification_report"]

BASE = "/ip_governance/tenants/{tenant_id:str}/certification"


def _locale(request: Request[Any, Any, Any], principal: Any, explicit: str | None) -> str:
    return negotiate_locale(request, principal, explicit)


async def _authorize(request: Request[Any, Any, Any], tenant_id: str) -> Any:
    await authorize_request(request, tenant_id, "ipgov:review", "read")
    return await authorize_request(request, tenant_id, OBJ, "read")


async def _reviews(platform: PlatformContext, tenant_id: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    async with platform.read_session(tenant_id) as session:
        rows = (await session.execute(select(ManagementReview).order_by(
            ManagementReview.held_at.desc()).limit(100))).scalars()
        return [vars(review_node(r)) for r in rows]


async def _audit(platform: PlatformContext, tenant_id: str, actor: str, what: str,
                 locale: str) -> None:
    async with platform.tenant_session(tenant_id) as session:
        await record_audit(platform, session, tenant_id=tenant_id, actor=actor,
                           action=f"ip_governance.certification.{what}",
                           object_type=OBJ, object_id=tenant_id, details={"locale": locale})


def _slug(platform: Any, tenant_id: str) -> str:
    """The tenant's slug (its id if the directory does not know it yet)."""
    info = tenant_info(platform, tenant_id)
    return info.slug if info is not None else tenant_id


@get(f"{BASE}/report")
async def certification_report(request: Request[Any, Any, Any], tenant_id: str,
                               lang: str | None = None) -> Response[str]:
    """The GB/T 29490-2023 internal-audit checklist as printable HTML (``?lang=zh-CN``)."""
    principal = await _authorize(request, tenant_id)
    platform = request.app.state.platform
    locale = _locale(request, principal, lang)
    clauses = await build_checklist(platform, tenant_id, locale)
    html = render_html(load_outline(), clauses, tenant=_slug(platform, tenant_id), locale=locale,
                       generated_at=utcnow(), reviews=await _reviews(platform, tenant_id))
    await _audit(platform, tenant_id, principal.subject, "report_viewed", locale)
    return Response(html, media_type="text/html", headers={"Cache-Control": "no-store"})


@get(f"{BASE}/evidence.zip")
async def certification_evidence_zip(request: Request[Any, Any, Any], tenant_id: str,
                                     lang: str | None = None) -> Response[bytes]:
    """The evidence pack: checklist and every underlying record as CSV and JSON, plus the
    printable report in English and Chinese."""
    principal = await _authorize(request, tenant_id)
    platform = request.app.state.platform
    locale = _locale(request, principal, lang)
    outline, now, slug = load_outline(), utcnow(), _slug(platform, tenant_id)
    found = await gather(platform, tenant_id, limit=EXPORT_ROWS)
    by_locale = {loc: await build_checklist(platform, tenant_id, loc, found=found)
                 for loc in ("en", "zh-CN")}
    reviews = await _reviews(platform, tenant_id)
    reports = {loc: render_html(outline, clauses, tenant=slug, locale=loc,
                                generated_at=now, reviews=reviews)
               for loc, clauses in by_locale.items()}
    manifest = {"standard": outline.id, "tenant_id": tenant_id, "tenant": slug,
                "generated_at": now.isoformat(), "generated_by": principal.subject,
                "language": locale, "counts": {k: ev.count for k, ev in found.items()}}
    body = build_zip(outline, clauses_en=by_locale["en"], clauses_zh=by_locale["zh-CN"],
                     found=found, manifest=manifest, reports=reports)
    await _audit(platform, tenant_id, principal.subject, "evidence_exported", locale)
    filename = f"gbt29490-evidence-{slug}-{now.date().isoformat()}.zip"
    return Response(body, media_type="application/zip", headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{filename}"'})
