"""CSV and JSON export of a tenant's filtered audit trail, with its verification status.

``GET /audit/<tenant id>/export.csv`` and ``.../export.json`` take the filters of
``auditEvents`` as query parameters (``actor`` and ``action`` repeatable, ``objectType``,
``objectId``, ``since``, ``until``), ``limit`` (at most 20,000 events a file) and ``afterSeq``
to continue. They are authorized like the other exports: ``ipgov:audit read`` in the tenant
(``ipgov.web.guards.authorize_request``), or the tenant inside the caller's supervision scope
(then recorded as a supervision read). Every export is itself audited.

The chain is verified in the same read-only snapshot the events are read from, against the
witness read just before it, so the status printed beside the events is the status of exactly
those events. CSV cells that a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from litestar import Request, get
from litestar.exceptions import PermissionDeniedException
from litestar.response import Response

from ipgov.db.scope import TenantScope
from ipgov.errors import InvalidInput

from .actors import Actor, resolve_actors
from .models import AuditEvent
from .trail import TrailFilter, trail_page
from .verify import VerifyResult, read_anchors, verify_chains

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["TrailExport", "audit_export_routes", "export_trail", "trail_csv", "trail_json"]

DEFAULT_LIMIT = 5_000
MAX_LIMIT = 20_000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("seq", "occurred_at", "actor", "actor_name", "actor_kind", "actor_roles", "action",
           "object_type", "object_id", "change", "changes", "details", "request_id", "hash",
           "prev_hash", "chain_status", "chain_first_bad_seq", "chain_problem")


@dataclass(frozen=True)
class TrailExport:
    """The events of one export, their actors, and the chain's verification."""

    tenant_id: str
    filter: TrailFilter
    verification: VerifyResult
    events: list[AuditEvent]
    actors: dict[tuple[str, str], Actor]
    next_after_seq: int | None


async def export_trail(platform: Platform, tenant_id: str, flt: TrailFilter, *,
                       limit: int = DEFAULT_LIMIT, after_seq: int | None = None,
                       ) -> TrailExport:
    """Read ``limit`` filtered events and verify the chain, in one snapshot."""
    verifier = await read_anchors(platform, [tenant_id])  # before the snapshot begins
    async with platform.db.session(TenantScope.tenant(tenant_id), readonly=True) as session:
        verification = (await verify_chains(session, verifier, [tenant_id]))[tenant_id]
        rows, more = await trail_page(session, tenant_id, flt, first=limit,
                                      after_seq=after_seq)
    actors = await resolve_actors(platform, [(e.actor, tenant_id) for e in rows])
    return TrailExport(tenant_id, flt, verification, rows, actors,
                       rows[-1].seq if more and rows else None)


def _verification(v: VerifyResult) -> dict[str, Any]:
    return {"ok": v.ok, "status": v.status, "events": v.events, "firstBadSeq": v.first_bad_seq,
            "firstBadId": v.first_bad_id, "problem": v.problem,
            "witnessedSeq": v.witnessed_seq, "witnessedAt": v.witnessed_at}


def _event(e: AuditEvent, actor: Actor) -> dict[str, Any]:
    changes = (e.details or {}).get("changes") if isinstance(e.details, dict) else None
    return {"seq": e.seq, "occurredAt": _iso(e.occurred_at), "actor": e.actor,
            "actorName": actor.name, "actorKind": actor.kind, "actorRoles": list(actor.roles),
            "action": e.action, "objectType": e.object_type, "objectId": e.object_id,
            "change": (changes or {}).get("change"),
            "changes": (changes or {}).get("fields", []),
            "details": e.details or {}, "requestId": e.request_id, "hash": e.hash,
            "prevHash": e.prev_hash}


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def trail_json(export: TrailExport) -> str:
    """The export as one JSON document."""
    return json.dumps({
        "tenantId": export.tenant_id, "generatedAt": datetime.now(UTC).isoformat(),
        "filter": export.filter.as_details(), "verification": _verification(export.verification),
        "events": [_event(e, export.actors[(e.actor, export.tenant_id)]) for e in export.events],
        "nextAfterSeq": export.next_after_seq,
    }, ensure_ascii=False, default=str)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return "'" + text if text.startswith(_FORMULA) else text


def trail_csv(export: TrailExport) -> str:
    """One row per event; every row carries the chain's verification status."""
    v = export.verification
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in export.events:
        row = _event(e, export.actors[(e.actor, export.tenant_id)])
        writer.writerow([_cell(x) for x in (
            str(row["seq"]), row["occurredAt"], row["actor"], row["actorName"] or "",
            row["actorKind"], " ".join(row["actorRoles"]), row["action"], row["objectType"],
            row["objectId"], row["change"] or "", row["changes"], row["details"],
            row["requestId"], row["hash"], row["prevHash"], v.status,
            "" if v.first_bad_seq is None else str(v.first_bad_seq), v.problem)])
    return out.getvalue()


def _int(raw: str | None, name: str, default: int | None, low: int, high: int) -> int | None:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, got {raw[:40]!r}",
                           field=name) from None
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}, got {value}", field=name)
    return value


def _moment(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 date and time, got {raw[:40]!r}",
                           field=name) from None


def _query(request: Request[Any, Any, Any]) -> tuple[TrailFilter, int, int | None]:
    q = request.query_params
    flt = TrailFilter.of(q.getall("actor", []), q.getall("action", []),
                         q.get("objectType"), q.get("objectId"),
                         _moment(q.get("since"), "since"), _moment(q.get("until"), "until"))
    limit = _int(q.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    return flt, limit or DEFAULT_LIMIT, _int(q.get("afterSeq"), "afterSeq", None, 0, 2**62)


async def _authorize(request: Request[Any, Any, Any], tenant_id: str,
                     flt: TrailFilter, fmt: str) -> None:
    """Audit readers of the tenant, else its supervisors; the export is recorded either way."""
    from ipgov.web.guards import authorize_request

    platform = request.app.state.platform
    try:
        principal = await authorize_request(request, tenant_id, "ipgov:audit", "read")
    except PermissionDeniedException:
        from ipgov.supervision.exports import _caller  # the supervision exports' sign-in
        from ipgov.supervision.scope import audit_read

        _platform, scope = await _caller(request)
        if tenant_id not in scope:
            raise
        await audit_read(platform, scope, field=f"audit export.{fmt}", size=1,
                         filters={"tenantId": tenant_id, **flt.as_details()})
        return
    async with platform.db.tenant_session(tenant_id) as session:
        await platform.audit(session, tenant_id=tenant_id, actor=principal.subject,
                             action="audit.exported", object_type="ipgov:audit",
                             object_id=tenant_id, details={"format": fmt,
                                                           "filter": flt.as_details()})


def _bad_input(exc: InvalidInput) -> Response[dict[str, Any]]:
    return Response({"errors": [{"code": exc.code, "message": exc.message,
                                 "field": exc.field}]}, status_code=400)


async def _export(request: Request[Any, Any, Any], tenant_id: str, fmt: str) -> Response[Any]:
    try:
        flt, limit, after_seq = _query(request)
    except InvalidInput as exc:
        return _bad_input(exc)
    await _authorize(request, tenant_id, flt, fmt)
    export = await export_trail(request.app.state.platform, tenant_id, flt, limit=limit,
                                after_seq=after_seq)
    headers = {"x-ipgov-audit-status": export.verification.status,
               "content-disposition": f'attachment; filename="audit-{tenant_id}.{fmt}"'}
    if export.next_after_seq is not None:
        headers["x-ipgov-next-after-seq"] = str(export.next_after_seq)
    if fmt == "csv":
        return Response(trail_csv(export), media_type="text/csv; charset=utf-8",
                        headers=headers)
    return Response(trail_json(export), media_type="application/json", headers=headers)


def audit_export_routes() -> list[Any]:
    """The ``/audit/<tenant id>/export.(csv|json)`` HTTP handlers."""

    @get("/audit/{tenant_id:str}/export.csv", include_in_schema=False)
    async def audit_csv(request: Request[Any, Any, Any], tenant_id: str) -> Response[Any]:
        return await _export(request, tenant_id, "csv")

    @get("/audit/{tenant_id:str}/export.json", include_in_schema=False)
    async def audit_json(request: Request[Any, Any, Any], tenant_id: str) -> Response[Any]:
        return await _export(request, tenant_id, "json")

    return [audit_csv, audit_json]
