"""The evidence pack for a certification body: a printable HTML checklist (en or zh-CN) and
a zip of the underlying records as CSV and JSON, with a manifest."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from html import escape
from typing import Any

from .checklist import ClauseResult
from .outline import Outline, lang
from .sources import Evidence

__all__ = ["EXPORT_ROWS", "render_html", "build_zip"]

EXPORT_ROWS = 10_000
"""At most this many records per evidence kind go into a zip (the manifest says if cut)."""

CSS = """
body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2rem;color:#111;max-width:64rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eee} .missing{color:#8b0000;font-weight:700} .stale{color:#a05a00}
.present{color:#1e6b2e} @media print{body{margin:0} tr{break-inside:avoid}}
"""


def _evidence_cells(outline: Outline, clause: ClauseResult, locale: str) -> str:
    items = "".join(
        f"<li class='{e.status}'>{escape(outline.evidence_label(e.kind, locale))}: "
        f"{escape(outline.text('statuses', e.status, locale))} ({escape(e.reason)})</li>"
        for e in clause.evidence)
    return f"<ul>{items}</ul>"


def render_html(outline: Outline, clauses: list[ClauseResult], *, tenant: str, locale: str,
                generated_at: datetime, reviews: list[dict[str, Any]]) -> str:
    """The printable checklist: a summary, one row per clause, the management reviews."""
    def t(key: str) -> str:
        return escape(outline.text("labels", key, locale))

    counts = {s: sum(1 for c in clauses if c.status == s) for s in ("present", "stale",
                                                                     "missing")}
    summary = ", ".join(f"{escape(outline.text('statuses', s, locale))}: {n}"
                        for s, n in counts.items())
    rows = "".join(
        f"<tr><td>{escape(c.id)}</td><td>{escape(c.title)}</td><td class='{c.status}'>"
        f"{escape(outline.text('statuses', c.status, locale))}</td><td>{escape(c.reason)}</td>"
        f"<td>{_evidence_cells(outline, c, locale)}</td></tr>" for c in clauses)
    review_rows = "".join(
        f"<tr><td>{escape(str(r['held_at'])[:10])}</td><td>{escape(r['chair'])}</td>"
        f"<td>{escape(r['conclusions'])}</td></tr>" for r in reviews
    ) or f"<tr><td colspan='3'>{t('none')}</td></tr>"
    html_lang = "zh-CN" if lang(locale) == "zh" else "en"
    return (
        f"<!doctype html><html lang='{html_lang}'><head><meta charset='utf-8'>"
        f"<title>{t('report_title')}</title><style>{CSS}</style></head><body>"
        f"<h1>{t('report_title')}</h1>"
        f"<p>{t('tenant')}: {escape(tenant)} · {t('generated')}: "
        f"{generated_at.isoformat(timespec='minutes')}</p>"
        f"<p><em>{escape(outline.text('pack', 'note', locale))}</em></p>"
        f"<h2>{t('summary')}</h2><p>{summary}</p>"
        f"<table><tr><th>{t('clause')}</th><th>{t('title')}</th><th>{t('status')}</th>"
        f"<th>{t('reason')}</th><th>{t('evidence')}</th></tr>{rows}</table>"
        f"<h2>{t('management_reviews')}</h2><table><tr><th>{t('held_at')}</th>"
        f"<th>{t('chair')}</th><th>{t('conclusions')}</th></tr>{review_rows}</table>"
        "</body></html>")


def _csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    out = io.StringIO()
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list)
                         else v for k, v in row.items()})
    return out.getvalue()


def _checklist_rows(outline: Outline, clauses_en: list[ClauseResult],
                    clauses_zh: list[ClauseResult]) -> list[dict[str, Any]]:
    rows = []
    for en, zh in zip(clauses_en, clauses_zh, strict=True):
        for ev_en, ev_zh in zip(en.evidence, zh.evidence, strict=True):
            rows.append({"clause": en.id, "title_en": en.title, "title_zh": zh.title,
                         "clause_status": en.status, "evidence": ev_en.kind,
                         "evidence_status": ev_en.status, "records": ev_en.evidence.count,
                         "newest": ev_en.evidence.newest.isoformat()
                         if ev_en.evidence.newest else "",
                         "reason_en": ev_en.reason, "reason_zh": ev_zh.reason,
                         "file": f"evidence/{ev_en.kind}.csv"})
    return rows


def build_zip(outline: Outline, *, clauses_en: list[ClauseResult],
              clauses_zh: list[ClauseResult], found: dict[str, Evidence],
              manifest: dict[str, Any], reports: dict[str, str]) -> bytes:
    """The zip: manifest.json, checklist.csv/.json, evidence/<kind>.csv/.json, report-*.html."""
    buffer = io.BytesIO()
    checklist = _checklist_rows(outline, clauses_en, clauses_zh)
    truncated = [k for k, ev in found.items() if ev.count > len(ev.rows)]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps({**manifest, "truncated": truncated,
                                                 "max_rows_per_file": EXPORT_ROWS},
                                                ensure_ascii=False, indent=2))
        zf.writestr("checklist.csv", _csv(checklist))
        zf.writestr("checklist.json", json.dumps(checklist, ensure_ascii=False, indent=2))
        for kind, ev in found.items():
            zf.writestr(f"evidence/{kind}.csv", _csv(ev.rows, ev.columns))
            zf.writestr(f"evidence/{kind}.json",
                        json.dumps(ev.rows, ensure_ascii=False, indent=2, default=str))
        for locale, html in reports.items():
            zf.writestr(f"report-{locale}.html", html)
    return buffer.getvalue()
