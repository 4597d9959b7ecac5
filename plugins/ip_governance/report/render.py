"""The printable governance report (HTML with inline SVG; the browser prints it to PDF)."""

from __future__ import annotations

from html import escape

from .data import FUNCTIONS, ReportData
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
           "function": "Function"},
    "zh-CN": {"title": "知识产权治理报告", "tenant": "租户", "generated": "生成时间",
              "mode": "治理模式", "scores": "按职能的审查得分（0-100）",
              "profile": "画像：现状与目标层级（1-4）", "current": "现状", "target": "目标",
              "score": "得分", "findings": "最近一次审查的未决发现", "directives": "未完成的指令",
              "none": "无", "no_review": "尚无已完成的审查。", "severity": "严重程度",
              "check": "检查项", "finding": "发现", "recommendation": "建议", "action": "行动",
              "owner": "负责人", "due": "期限", "escalation": "上报", "overall": "总体",
              "not_assessed": "未评估", "review": "审查", "function": "职能"},
}
FUNCTION_NAMES = {
    "en": dict(zip(FUNCTIONS, ["Govern", "Identify", "Protect", "Operate", "Monitor",
                               "Respond", "Recover"], strict=True)),
    "zh-CN": dict(zip(FUNCTIONS, ["治理", "识别", "保护", "运营", "监测", "响应", "恢复"],
                      strict=True)),
}
CSS = """
body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2rem;color:#111;max-width:60rem}
h1{margin-bottom:.2rem} .meta{color:#444} table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eee} .critical{color:#8b0000;font-weight:700} .high{color:#b30000}
.charts{display:flex;flex-wrap:wrap;gap:2rem} .radar{width:22rem}
@media print{body{margin:0} .charts{break-inside:avoid} tr{break-inside:avoid}}
"""


def _fmt(value: float | None, t: dict[str, str]) -> str:
    return t["not_assessed"] if value is None else f"{value:g}"


def _score_section(data: ReportData, t: dict[str, str], names: dict[str, str]) -> str:
    if data.run is None:
        return f"<p>{t['no_review']}</p>"
    functions = (data.run.scores or {}).get("functions", {})
    values = [functions.get(f) for f in FUNCTIONS]
    chart = radar_svg([names[f] for f in FUNCTIONS], [(t["score"], values, "#1f5fa8")], 100,
                      title=t["scores"])
    rows = "".join(f"<tr><td>{escape(names[f])}</td><td>{_fmt(v, t)}</td></tr>"
                   for f, v in zip(FUNCTIONS, values, strict=True))
    overall = (data.run.scores or {}).get("overall")
    return (f"<div><h2>{t['scores']}</h2>{chart}<table><tr><th>{t['function']}</th>"
            f"<th>{t['score']}</th></tr>{rows}<tr><th>{t['overall']}</th>"
            f"<th>{_fmt(overall, t)}</th></tr></table></div>")


def _profile_section(data: ReportData, t: dict[str, str], names: dict[str, str]) -> str:
    current = [data.current_by_function.get(f) for f in FUNCTIONS]
    target = [data.target_by_function.get(f) for f in FUNCTIONS]
    chart = radar_svg([names[f] for f in FUNCTIONS],
                      [(t["current"], current, "#c0392b"), (t["target"], target, "#27ae60")],
                      4, title=t["profile"])
    rows = "".join(f"<tr><td>{escape(names[f])}</td><td>{_fmt(c, t)}</td><td>{_fmt(g, t)}</td>"
                   "</tr>" for f, c, g in zip(FUNCTIONS, current, target, strict=True))
    return (f"<div><h2>{t['profile']}</h2>{chart}<table><tr><th>{t['function']}</th>"
            f"<th>{t['current']}</th><th>{t['target']}</th></tr>{rows}</table></div>")


def _findings(data: ReportData, t: dict[str, str]) -> str:
    if not data.findings:
        return f"<p>{t['none']}</p>"
    rows = "".join(
        f"<tr><td class='{escape(f.severity)}'>{escape(f.severity)}</td>"
        f"<td>{escape(f.check_id)}<br><small>seed {escape(f.seed_ref)}</small></td>"
        f"<td>{escape(f.title)}</td><td>{escape(f.recommendation)}</td></tr>"
        for f in data.findings)
    return (f"<table><tr><th>{t['severity']}</th><th>{t['check']}</th><th>{t['finding']}</th>"
            f"<th>{t['recommendation']}</th></tr>{rows}</table>")


def _directives(data: ReportData, t: dict[str, str]) -> str:
    if not data.directives:
        return f"<p>{t['none']}</p>"
    rows = "".join(
        f"<tr><td class='{escape(d.severity)}'>{escape(d.severity)}</td>"
        f"<td>{escape(d.action)}</td><td>{escape(d.owner_role)}</td>"
        f"<td>{d.due_at:%Y-%m-%d}</td><td>{escape(d.escalation or '')}</td></tr>"
        for d in data.directives)
    return (f"<table><tr><th>{t['severity']}</th><th>{t['action']}</th><th>{t['owner']}</th>"
            f"<th>{t['due']}</th><th>{t['escalation']}</th></tr>{rows}</table>")


def render_report(data: ReportData, locale: str = "en") -> str:
    """The whole report as one self-contained HTML document (``locale``: en or zh-CN)."""
    t = LABELS.get(locale, LABELS["en"])
    names = FUNCTION_NAMES.get(locale, FUNCTION_NAMES["en"])
    run = f"{t['review']} {escape(data.run.id)}" if data.run else ""
    return (
        f"<!doctype html><html lang='{escape(locale)}'><head><meta charset='utf-8'>"
        f"<title>{t['title']} - {escape(data.tenant_slug)}</title><style>{CSS}</style></head>"
        f"<body><h1>{t['title']}</h1><p class='meta'>{t['tenant']}: "
        f"<strong>{escape(data.tenant_slug)}</strong> &middot; {t['mode']}: "
        f"{escape(data.governance_mode)} &middot; {t['generated']}: "
        f"{data.generated_at:%Y-%m-%d %H:%M} UTC &middot; {run}</p>"
        f"<div class='charts'>{_score_section(data, t, names)}"
        f"{_profile_section(data, t, names)}</div>"
        f"<h2>{t['findings']}</h2>{_findings(data, t)}"
        f"<h2>{t['directives']}</h2>{_directives(data, t)}</body></html>")
