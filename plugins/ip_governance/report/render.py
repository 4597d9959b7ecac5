"""The printable governance report (HTML with inline SVG; the browser prints it to PDF).

Everything a board reads is in the report's language: functions, governance mode, findings
with their specifics, directives, and beside each score what it rests on (coverage) and how it
relates to the self-assessed profile of the same function.
"""

from __future__ import annotations

from html import escape

from ipgov.api import (
    directive_action,
    enum_label,
    finding_references,
    finding_texts,
    score_summary,
    score_views,
)

from .data import FUNCTIONS, ReportData
from .explain import MEASURES, reading_note
from .radar import radar_svg

__all__ = ["render_report"]

LABELS = {
    "en": {"title": "IP governance report", "tenant": "Tenant", "generated": "Generated",
           "mode": "Governance mode", "scores": "Review scores by function (0-100)",
           "profile": "Profile: current vs target tier (1-4)", "current": "Current",
           "target": "Target", "score": "Score", "findings": "Open findings of the latest "
           "review", "directives": "Open directives", "none": "None",
           "no_review": "No review has finished yet.", "severity": "Severity",
           "check": "Check", "finding": "Finding", "recommendation": "Recommendation",
           "action": "Action", "owner": "Owner", "due": "Due", "escalation": "Escalation",
           "overall": "Overall", "not_assessed": "not assessed", "review": "Review",
           "function": "Function", "coverage": "Coverage (assessed / applicable checks)",
           "rests_on": "What the score rests on", "reading": "Score and profile",
           "cites": "Cites", "side_by_side": "Scores and profile side by side"},
    "zh-CN": {"title": "知识产权治理报告", "tenant": "租户", "generated": "生成时间",
              "mode": "治理模式", "scores": "按职能的审查得分（0-100）",
              "profile": "画像：现状与目标层级（1-4）", "current": "现状", "target": "目标",
              "score": "得分", "findings": "最近一次审查的未决发现", "directives": "未完成的指令",
              "none": "无", "no_review": "尚无已完成的审查。", "severity": "严重程度",
              "check": "检查项", "finding": "发现", "recommendation": "建议", "action": "行动",
              "owner": "负责人", "due": "期限", "escalation": "上报", "overall": "总体",
              "not_assessed": "未评估", "review": "审查", "function": "职能",
              "coverage": "覆盖率（已评估 / 适用检查）", "rests_on": "得分依据",
              "reading": "得分与画像", "cites": "依据",
              "side_by_side": "审查得分与画像对照"},
}
CSS = """
body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2rem;color:#111;max-width:64rem}
h1{margin-bottom:.2rem} .meta{color:#444} table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eee} .critical{color:#8b0000;font-weight:700} .high{color:#b30000}
.na{color:#555;font-style:italic}
.measures{border:1px solid #bbb;padding:.5rem 1rem;background:#f7f7f7}
.charts{display:flex;flex-wrap:wrap;gap:2rem} .radar{width:22rem}
@media print{body{margin:0} .charts{break-inside:avoid} tr{break-inside:avoid}}
"""


def _fmt(value: float | None, t: dict[str, str]) -> str:
    return f"<span class='na'>{t['not_assessed']}</span>" if value is None else f"{value:g}"


def _coverage(view, t: dict[str, str]) -> str:
    if view is None or view.assessed is None:
        return "—"
    share = f" ({view.coverage:.0%})" if view.coverage is not None else ""
    return f"{view.assessed} / {view.applicable}{share}"


def _measures(locale: str) -> str:
    m = MEASURES.get(locale, MEASURES["en"])
    return (f"<div class='measures'><h2>{escape(m['heading'])}</h2><p>{escape(m['score'])}</p>"
            f"<p>{escape(m['profile'])}</p><p>{escape(m['together'])}</p></div>")


def _charts(data: ReportData, t: dict[str, str], names: list[str]) -> str:
    views = score_views(data.run.scores if data.run else None)
    scores = [v.score if (v := views.function(f)) else None for f in FUNCTIONS]
    current = [data.current_by_function.get(f) for f in FUNCTIONS]
    target = [data.target_by_function.get(f) for f in FUNCTIONS]
    charts = [] if data.run is None else [
        radar_svg(names, [(t["score"], scores, "#1f5fa8")], 100, title=t["scores"])]
    charts.append(radar_svg(names, [(t["current"], current, "#c0392b"),
                                    (t["target"], target, "#27ae60")], 4, title=t["profile"]))
    return f"<div class='charts'>{''.join(charts)}</div>"


def _side_by_side(data: ReportData, t: dict[str, str], locale: str) -> str:
    """One row per function: review score, coverage, what it rests on, profile, and a note."""
    if data.run is None:
        return f"<p>{t['no_review']}</p>"
    views = score_views(data.run.scores)
    rows = []
    for f in FUNCTIONS:
        view, cur, tgt = views.function(f), data.current_by_function.get(f), \
            data.target_by_function.get(f)
        rows.append(
            f"<tr><td>{escape(enum_label('function', f, locale))}</td>"
            f"<td>{_fmt(view.score if view else None, t)}</td><td>{_coverage(view, t)}</td>"
            f"<td>{escape(score_summary(view, locale)) if view else ''}</td>"
            f"<td>{_fmt(cur, t)}</td><td>{_fmt(tgt, t)}</td>"
            f"<td>{escape(reading_note(view, cur, tgt, locale))}</td></tr>")
    overall = views.overall
    rows.append(f"<tr><th>{t['overall']}</th><th>{_fmt(overall.score, t)}</th>"
                f"<th>{_coverage(overall, t)}</th>"
                f"<th colspan='4'>{escape(score_summary(overall, locale))}</th></tr>")
    head = "".join(f"<th>{t[k]}</th>" for k in (
        "function", "score", "coverage", "rests_on", "current", "target", "reading"))
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _findings(data: ReportData, t: dict[str, str], locale: str) -> str:
    if not data.findings:
        return f"<p>{t['none']}</p>"
    rows = []
    for f in data.findings:
        title, advice = finding_texts(data.platform, f, locale)
        cites = ", ".join(finding_references(data.platform, f))
        rows.append(
            f"<tr><td class='{escape(f.severity)}'>"
            f"{escape(enum_label('severity', f.severity, locale))}</td>"
            f"<td>{escape(f.check_id)}<br><small>{t['cites']}: {escape(cites)}</small></td>"
            f"<td>{escape(title)}</td><td>{escape(advice)}</td></tr>")
    return (f"<table><tr><th>{t['severity']}</th><th>{t['check']}</th><th>{t['finding']}</th>"
            f"<th>{t['recommendation']}</th></tr>{''.join(rows)}</table>")


def _directives(data: ReportData, t: dict[str, str], locale: str) -> str:
    if not data.directives:
        return f"<p>{t['none']}</p>"
    rows = "".join(
        f"<tr><td class='{escape(d.severity)}'>"
        f"{escape(enum_label('severity', d.severity, locale))}</td>"
        f"<td>{escape(directive_action(data.platform, d, locale))}</td>"
        f"<td>{escape(d.owner_role)}</td><td>{d.due_at:%Y-%m-%d}</td>"
        f"<td>{escape(enum_label('escalation', d.escalation, locale))}</td></tr>"
        for d in data.directives)
    return (f"<table><tr><th>{t['severity']}</th><th>{t['action']}</th><th>{t['owner']}</th>"
            f"<th>{t['due']}</th><th>{t['escalation']}</th></tr>{rows}</table>")


def render_report(data: ReportData, locale: str = "en") -> str:
    """The whole report as one self-contained HTML document (``locale``: en or zh-CN)."""
    locale = locale if locale in LABELS else "en"
    t = LABELS[locale]
    names = [enum_label("function", f, locale) for f in FUNCTIONS]
    run = (f"{t['review']} {escape(data.run.id)} ({data.run.finished_at:%Y-%m-%d})"
           if data.run and data.run.finished_at else "")
    mode = enum_label("governance_mode", data.governance_mode, locale)
    return (
        f"<!doctype html><html lang='{escape(locale)}'><head><meta charset='utf-8'>"
        f"<title>{t['title']} - {escape(data.tenant_slug)}</title><style>{CSS}</style></head>"
        f"<body><h1>{t['title']}</h1><p class='meta'>{t['tenant']}: "
        f"<strong>{escape(data.tenant_slug)}</strong> &middot; {t['mode']}: "
        f"{escape(mode)} &middot; {t['generated']}: "
        f"{data.generated_at:%Y-%m-%d %H:%M} UTC &middot; {run}</p>"
        f"{_measures(locale)}{_charts(data, t, names)}"
        f"<h2>{t['side_by_side']}</h2>{_side_by_side(data, t, locale)}"
        f"<h2>{t['findings']}</h2>{_findings(data, t, locale)}"
        f"<h2>{t['directives']}</h2>{_directives(data, t, locale)}</body></html>")
