"""Findings, directives and check results in the reader's language, with their specifics.

A finding stores its check's text key and the parameters it is about (``params``); every
language renders the same template with the same values, so a Chinese reader sees the same
outcome, asset or secret as an English one. The English texts are also stored as rendered
(search, exports, older clients). Findings stored before parameters existed keep their
English text; a Chinese reader then gets the check's Chinese title with the stored English
specifics beside it, never a sentence that drops them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .negotiation import normalize
from .text import placeholders, render

__all__ = [
    "NOT_MET_ZH",
    "check_index",
    "check_reason",
    "english_texts",
    "localized_action",
    "localized_finding",
]

NOT_MET_ZH = "未通过检查：{title}"


def check_index(platform: Any) -> Mapping[str, Any]:
    """Every check of the core and the loaded plugins by id (the platform's catalog)."""
    return platform.catalog.checks_by_id


def _params_for(text: Any, draft: Any) -> dict[str, Any]:
    """The draft's params, completed from its evidence for placeholders it did not give."""
    wanted = placeholders(text.title) | placeholders(text.recommendation)
    evidence = draft.evidence or {}
    found = {k: evidence[k] for k in sorted(wanted) if k in evidence and k not in draft.params}
    return {**found, **draft.params}


def _chosen(check: Any, name: str) -> tuple[str | None, Any]:
    """The text a draft names, or the check's only text; ``(None, None)`` without one."""
    if name:
        return (name, check.texts[name]) if name in check.texts else (None, None)
    if len(check.texts) == 1:
        return next(iter(check.texts.items()))
    return None, None


def english_texts(check: Any, draft: Any) -> tuple[str | None, dict[str, Any], str, str]:
    """``(text_key, params, title, recommendation)`` to store for a check's draft: rendered
    from the check's texts when it declares them, the draft's literal English otherwise."""
    key, text = _chosen(check, draft.text)
    fallback = draft.recommendation or check.recommendation
    if text is None:
        return None, dict(draft.params), draft.title or check.title, fallback
    params = _params_for(text, draft)
    title = render(text.title, params, "en")
    if title is None:  # a parameter is missing: keep what the check wrote
        return None, params, draft.title or check.title, fallback
    advice = render(text.recommendation, params, "en") if text.recommendation else None
    return key, params, title, advice or fallback


def _text(platform: Any, check_id: str, text_key: str | None) -> tuple[Any, Any]:
    check = check_index(platform).get(check_id)
    text = check.texts.get(text_key) if check is not None and text_key is not None else None
    return check, text


def localized_finding(platform: Any, check_id: str, *, title: str, recommendation: str,
                      locale: str | None, text_key: str | None = None,
                      params: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """``(title, recommendation)`` of a stored finding for a reader of ``locale``."""
    if normalize(locale) != "zh-CN":
        return title, recommendation
    check, text = _text(platform, check_id, text_key)
    if text is not None:
        zh_title = render(text.title_zh, params or {}, "zh-CN")
        if zh_title is not None:
            advice = (render(text.recommendation_zh, params or {}, "zh-CN")
                      if text.recommendation_zh else None)
            return zh_title, advice or check.recommendation_zh or recommendation
    if check is None or not check.title_zh:
        return title, recommendation
    generic = NOT_MET_ZH.format(title=check.title_zh)
    specific = generic if title in ("", check.title) else f"{generic}（{title}）"
    return specific, check.recommendation_zh or recommendation


def localized_action(platform: Any, check_id: str, action: str, locale: str | None,
                     text_key: str | None = None,
                     params: Mapping[str, Any] | None = None) -> str:
    """The action of a stored directive for a reader of ``locale``."""
    if normalize(locale) != "zh-CN":
        return action
    check, text = _text(platform, check_id, text_key)
    if text is not None and text.recommendation_zh:
        rendered = render(text.recommendation_zh, params or {}, "zh-CN")
        if rendered is not None:
            return rendered
    if check is None or not check.recommendation_zh:
        return action
    return check.recommendation_zh


def check_reason(reason: Mapping[str, Any] | None, locale: str | None) -> str | None:
    """Why a check assessed nothing, for a reader of ``locale`` (None when it assessed)."""
    if not reason:
        return None
    chosen = "reason_zh" if normalize(locale) == "zh-CN" and reason.get("reason_zh") else "reason"
    template = str(reason.get(chosen) or reason.get("reason") or "")
    return render(template, reason.get("params") or {}, normalize(locale) or "en") or template
