"""The words channels put around a notice (labels, links, digest headings), in en and zh-CN.

Event titles come from the event catalog; these are the frame every message shares, and the
labels of the payload fields a person reads (a field without one is shown by its own name).
"""

from __future__ import annotations

from ipgov.i18n import normalize

__all__ = ["FIELD_LABELS", "TEXTS", "field_label", "text"]

TEXTS: dict[str, dict[str, str]] = {
    "open": {"en": "Open in ipgov", "zh-CN": "在 ipgov 中打开"},
    "tenant": {"en": "Tenant", "zh-CN": "租户"},
    "severity": {"en": "Severity", "zh-CN": "严重程度"},
    "occurred": {"en": "When", "zh-CN": "时间"},
    "digest_title": {"en": "{count} notifications from ipgov",
                     "zh-CN": "ipgov 的 {count} 条通知"},
    "digest_intro": {"en": "What happened since the last digest, by tenant and kind:",
                     "zh-CN": "自上次汇总以来的动态（按租户和类型分组）："},
    "preferences": {"en": "Change or stop these messages", "zh-CN": "更改或停止接收这些通知"},
    "more": {"en": "… and {count} more: open ipgov to see them all",
             "zh-CN": "……另有 {count} 条，请在 ipgov 中查看全部"},
    "shortened": {"en": "… (shortened: open ipgov for the rest)",
                  "zh-CN": "……（内容已截断，请在 ipgov 中查看全文）"},
    "footer": {"en": "You receive this because of a notification rule of your organisation.",
               "zh-CN": "您收到此消息，是因为您所在组织设置了通知规则。"},
}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "action": {"en": "Action", "zh-CN": "整改措施"},
    "title": {"en": "Title", "zh-CN": "标题"},
    "name": {"en": "Name", "zh-CN": "名称"},
    "status": {"en": "Status", "zh-CN": "状态"},
    "severity": {"en": "Severity", "zh-CN": "严重程度"},
    "worst": {"en": "Worst finding", "zh-CN": "最严重发现"},
    "tolerance": {"en": "Tolerance", "zh-CN": "风险容忍度"},
    "findings": {"en": "Findings", "zh-CN": "发现数"},
    "counts": {"en": "By severity", "zh-CN": "按严重程度"},
    "due_on": {"en": "Due on", "zh-CN": "截止日期"},
    "days": {"en": "Days left", "zh-CN": "剩余天数"},
    "lead_days": {"en": "Days left", "zh-CN": "剩余天数"},
    "function": {"en": "Function", "zh-CN": "职能"},
    "domain": {"en": "Domain", "zh-CN": "领域"},
    "mode": {"en": "Governance mode", "zh-CN": "治理模式"},
    "previous": {"en": "Previous mode", "zh-CN": "原治理模式"},
    "role": {"en": "Role", "zh-CN": "角色"},
    "kind": {"en": "Kind", "zh-CN": "类型"},
    "trigger": {"en": "Trigger", "zh-CN": "触发方式"},
    "decision_type": {"en": "Decision", "zh-CN": "决策类型"},
    "other_slug": {"en": "Other tenant", "zh-CN": "另一租户"},
    "deadline_kind": {"en": "Deadline", "zh-CN": "期限类型"},
    "asset_title": {"en": "Asset", "zh-CN": "资产"},
    "query": {"en": "Query", "zh-CN": "检索式"},
    "matches": {"en": "Matches", "zh-CN": "命中数"},
    "reason": {"en": "Reason", "zh-CN": "原因"},
}


def text(key: str, locale: str, **params: object) -> str:
    """The frame text ``key`` in ``locale`` (English for any other language), filled."""
    entry = TEXTS[key]
    return entry[_locale(locale)].format(**params)


def field_label(name: str, locale: str) -> str:
    """The label of payload field ``name``; ``due_on`` reads "Due on" when it has none."""
    entry = FIELD_LABELS.get(name)
    if entry is None:
        return name.replace("_", " ").capitalize()
    return entry[_locale(locale)]


def _locale(locale: str) -> str:
    return "zh-CN" if normalize(locale) == "zh-CN" else "en"
