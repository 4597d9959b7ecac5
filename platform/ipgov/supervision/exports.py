"""CSV export and printable HTML report of the supervision overview (audited like reads).

Both are authorized by the one decision of GraphQL fields and routes
(``ipgov.web.guards.authorize_any_request``, as the ``requires_any`` of the supervision fields; a
bearer header or a signed download link from a browser), then narrowed to the caller's
supervision scope: 401 without credentials, 403 without any supervision entitlement or for a
``rootId`` outside the scope.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from litestar import Request, get
from litestar.response import Response

from ipgov.audit.verify import read_anchors
from ipgov.db import TenantScope
from ipgov.i18n.labels import label
from ipgov.i18n.scores import score_summary
from ipgov.reviews.checks import Function
from ipgov.reviews.scoring import dimensions
from ipgov.web.guards import authorize_any_request, http_refusal

from . import queries
from .scope import ACTION, OBJECT, SupervisionScope, audit_read, entitlement, narrow

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["export_routes", "overview_csv", "report_html"]

FUNCTIONS = tuple(f.value for f in Function)
_TEXT = {
    "en": {"title": "Supervision report", "generated": "Generated (UTC)", "scope": "Scope",
           "tenants": "tenants", "tenant": "Tenant", "overall": "Overall",
           "findings": "Open findings", "overdue": "Overdue directives",
           "audit": "Audit trail", "ok": "verified", "bad": "BROKEN",
           "not_assessed": "not assessed",
           "legend": "Each score is followed by the checks it rests on (assessed/applicable)."},
    "zh-CN": {"title": "监督报告", "generated": "生成时间 (UTC)", "scope": "范围",
              "tenants": "个租户", "tenant": "租户", "overall": "总分",
              "findings": "未结发现", "overdue": "逾期指令", "audit": "审计轨迹",
              "ok": "已验证", "bad": "已损坏", "not_assessed": "未评估",
              "legend": "每个得分下方注明其依据的检查数（已评估/适用）。"},
}


async def _caller(request: Request[Any, Any, Any]) -> tuple[Platform, SupervisionScope]:
    platform = request.app.state.platform
    principal = await authorize_any_request(request, OBJECT, ACTION)
    with http_refusal():
        return platform, entitlement(platform, principal.subject)


async def _rows(request: Request[Any, Any, Any], field: str,
                extra: dict[str, Any]) -> tuple[set[str], list[queries.OverviewRow]]:
    platform, scope = await _caller(request)
    root = request.query_params.get("rootId") or None
    with http_refusal():
        ids = narrow(platform, scope, root)
    await audit_read(platform, scope, field=field, size=len(ids), filters={"rootId": root,
                                                                          **extra})
    verifier = await read_anchors(platform, ids)  # witness first, then the snapshot
    async with platform.db.session(TenantScope.tenants(frozenset(ids), f"supervision: {field}"),
                                   readonly=True) as session:
        rows = await queries.overview_all(session, verifier, ids)
    return ids, rows


def _functions(rows: list[queries.OverviewRow]) -> list[str]:
    """Every framework function (scored or not), then any other function a plugin scored."""
    seen = {f for r in rows for f in (r.scores.get("functions") or {})}
    return list(FUNCTIONS) + sorted(seen - set(FUNCTIONS))


def overview_csv(rows: list[queries.OverviewRow]) -> str:
    """One line per tenant x function with its score and what it rests on (assessment,
    assessed and applicable checks; an empty score is "not assessed"), then the tenant's
    counts."""
    out = io.StringIO()
    writer = csv.writer(out)
    sev = queries.SEVERITIES
    writer.writerow(["tenant_id", "slug", "name", "function", "score", "assessment",
                     "assessed_checks", "applicable_checks", "overall",
                     "latest_run_id", "latest_finished_at", *[f"findings_{s}" for s in sev],
                     "overdue_directives", "risks_above_tolerance", "escalations_awaiting",
                     "audit_ok"])
    functions = _functions(rows)
    for r in rows:
        views = {v.key: v for v in dimensions(r.scores, "functions")}
        for f in functions:
            v = views.get(f)
            writer.writerow([
                r.tenant.id, r.tenant.slug, r.tenant.name, f,
                "" if v is None or v.score is None else v.score,
                v.assessment if v else "not_assessed",
                "" if v is None or v.assessed is None else v.assessed,
                "" if v is None or v.applicable is None else v.applicable,
                r.scores.get("overall", "") if r.scores.get("overall") is not None else "",
                r.latest_run_id or "",
                r.latest_finished_at.isoformat() if r.latest_finished_at else "",
                *[r.open_findings.get(s, 0) for s in sev], r.overdue_directives,
                r.risks_above_tolerance, r.escalations_awaiting,
                "true" if r.audit_trail.ok else "false"])
    return out.getvalue()


def report_html(rows: list[queries.OverviewRow], *, scope_size: int, generated: datetime,
                lang: str = "en") -> str:
    """A printable, self-contained HTML page of the overview."""
    t = _TEXT.get(lang, _TEXT["en"])
    e = html.escape
    functions = _functions(rows)
    sev = queries.SEVERITIES
    head = "".join(f"<th>{e(label('function', f, lang))}</th>" for f in functions)
    body = []
    for r in rows:
        views = {v.key: v for v in dimensions(r.scores, "functions")}
        cells = "".join(_report_cell(views.get(f), t, lang) for f in functions)
        findings = ", ".join(f"{s}: {r.open_findings[s]}" for s in sev if r.open_findings.get(s))
        audit = (t["ok"] if r.audit_trail.ok
                 else f"{t['bad']} (seq {r.audit_trail.first_bad_seq}: {r.audit_trail.problem})")
        overall = r.scores.get("overall")
        body.append(
            f"<tr><td>{e(r.tenant.name)} <small>({e(r.tenant.slug)})</small></td>{cells}"
            f"<td>{e('–' if overall is None else str(overall))}</td><td>{e(findings or '0')}</td>"
            f"<td>{r.overdue_directives}</td>"
            f"<td class=\"audit {'ok' if r.audit_trail.ok else 'bad'}\">{e(audit)}</td></tr>")
    stamp = generated.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f"<!doctype html><html lang=\"{e(lang)}\"><head><meta charset=\"utf-8\">"
        f"<title>{e(t['title'])}</title><style>body{{font-family:sans-serif}}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
        ".na{color:#555;font-style:italic}"
        ".bad{color:#b00;font-weight:bold}@media print{a{display:none}}</style></head><body>"
        f"<h1>{e(t['title'])}</h1>"
        f"<p>{e(t['generated'])}: <time datetime=\"{generated.astimezone(UTC).isoformat()}\">"
        f"{stamp}</time></p><p>{e(t['scope'])}: {scope_size} {e(t['tenants'])}</p>"
        f"<p>{e(t['legend'])}</p>"
        f"<table><thead><tr><th>{e(t['tenant'])}</th>{head}<th>{e(t['overall'])}</th>"
        f"<th>{e(t['findings'])}</th><th>{e(t['overdue'])}</th><th>{e(t['audit'])}</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>")


def _report_cell(view: Any, t: dict[str, str], lang: str) -> str:
    """A score with "assessed/applicable" under it; "not assessed", never a blank or 100."""
    e = html.escape
    if view is None or view.score is None:
        return f"<td class=\"na\">{e(t['not_assessed'])}</td>"
    cover = (f"<br><small>{view.assessed}/{view.applicable}</small>"
             if view.assessed is not None and view.applicable else "")
    return f"<td title=\"{e(score_summary(view, lang))}\">{view.score:g}{cover}</td>"


def export_routes() -> list[Any]:
    """The ``/supervision`` HTTP handlers."""

    @get("/supervision/export.csv", include_in_schema=False)
    async def supervision_csv(request: Request[Any, Any, Any]) -> Response[str]:
        _ids, rows = await _rows(request, "export.csv", {})
        return Response(overview_csv(rows), media_type="text/csv", headers={  # + charset
            "content-disposition": 'attachment; filename="supervision.csv"'})

    @get("/supervision/report", include_in_schema=False)
    async def supervision_report(request: Request[Any, Any, Any]) -> Response[str]:
        lang = request.query_params.get("lang") or "en"
        lang = "zh-CN" if lang.lower().startswith("zh") else "en"
        ids, rows = await _rows(request, "report", {"lang": lang})
        page = report_html(rows, scope_size=len(ids), generated=datetime.now(UTC), lang=lang)
        return Response(page, media_type="text/html")  # Litestar adds "; charset=utf-8"

    return [supervision_csv, supervision_report]
