"""HTTP routes of evidence files: the upload (raw body, streamed) and the download.

``PUT /plugins/ip_governance/tenants/{tenant}/evidence?filename=minutes.pdf&kind=record`` with
the file as the body stores it (``ip_governance:evidence`` ``upload``) and answers 201 with
its id and hash (200 with ``deduplicated: true`` when the tenant held those bytes already).
Refusals are JSON ``{"code", "message"}`` in the caller's language: 413 past the size limit,
400 for a bad name, type or scan, 404 for a tenant that is not the caller's.

``GET .../evidence/{id}/content`` streams the stored file as an attachment (read permission,
bearer header or a signed link from ``evidenceFile.downloadUrl``); every download is audited.
Another tenant's file is 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from litestar import Request, get, put
from litestar.response import Response, Stream

from ipgov.api import (
    DomainError,
    NotFound,
    PlatformContext,
    authorize_request,
    message_in,
    negotiate_locale,
    record_audit,
)

from . import services
from .services import OBJ, TooLarge
from .storage import object_key, store_for

__all__ = ["download_evidence", "upload_evidence"]

BASE = "/ip_governance/tenants/{tenant_id:str}/evidence"


def _refusal(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = 413 if isinstance(exc, TooLarge) else 404 if isinstance(exc, NotFound) else 400
    locale = negotiate_locale(request)
    return Response({"code": exc.code, "field": exc.field,
                     "message": message_in(locale, exc.code, exc.message, exc.details),
                     "messageEn": exc.message}, status_code=status)


def _date(raw: str | None, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        from ipgov.api import InvalidInput

        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", field=field) from None


@put(BASE, request_max_body_size=None)
async def upload_evidence(request: Request[Any, Any, Any], tenant_id: str, filename: str,
                          kind: str = "record", title: str = "", valid_from: str | None = None,
                          valid_until: str | None = None) -> Response[dict[str, Any]]:
    """Store the body as an evidence file of the tenant."""
    principal = await authorize_request(request, tenant_id, OBJ, "upload")
    platform: PlatformContext = request.app.state.platform
    declared = int(request.headers.get("content-length") or 0)
    try:
        if declared > services.limit_of(platform):
            raise TooLarge(services.limit_of(platform))
        got = await services.receive(
            platform, tenant_id, request.stream(), filename=filename, kind=kind,
            actor=principal.subject, title=title, valid_from=_date(valid_from, "validFrom"),
            valid_until_on=_date(valid_until, "validUntil"))
    except DomainError as exc:
        return _refusal(request, exc)
    row = got.file
    return Response({"id": row.id, "sha256": row.sha256, "size": row.size,
                     "mediaType": row.media_type, "scanStatus": row.scan_status,
                     "deduplicated": got.deduplicated},
                    status_code=200 if got.deduplicated else 201)


@get(f"{BASE}/{{evidence_id:str}}/content")
async def download_evidence(request: Request[Any, Any, Any], tenant_id: str,
                            evidence_id: str) -> Response[Any]:
    """One evidence file's content (a download, audited)."""
    principal = await authorize_request(request, tenant_id, OBJ, "read")
    platform: PlatformContext = request.app.state.platform
    async with platform.tenant_session(tenant_id) as session:
        try:
            row = await services.file_in(session, evidence_id)
        except DomainError as exc:
            return _refusal(request, exc)
        await record_audit(platform, session, tenant_id=tenant_id, actor=principal.subject,
                           action="ip_governance.evidence.downloaded", object_type=OBJ,
                           object_id=row.id, details={"sha256": row.sha256})
        sha, media_type, name, size = row.sha256, row.media_type, row.filename, row.size
        if not await store_for(platform).exists(object_key(tenant_id, sha)):
            return _refusal(request, NotFound("the stored content of this file is missing "
                                              "(verify reports it)",
                                              code="EVIDENCE_CONTENT_MISSING"))

    async def body() -> AsyncIterator[bytes]:
        async for chunk in store_for(platform).read(object_key(tenant_id, sha)):
            yield chunk

    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:120]
    return Stream(body(), media_type=media_type, headers={
        "Content-Length": str(size), "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="{safe}"'})
