"""Findings and directives in the reader's language.

A stored finding keeps the English texts its check wrote (specific to the case: "3 renewals
are due"); a Chinese reader gets the check's Chinese texts instead: the condition that does not
hold and the check's recommendation. English readers keep the stored texts unchanged.
"""

from __future__ import annotations

from typing import Any

from .negotiation import normalize

__all__ = ["check_index", "localized_action", "localized_finding"]

NOT_MET_ZH = "未通过检查：{title}"


def check_index(platform: Any) -> dict[str, Any]:
    """Every check of the core and the loaded plugins by id (built once per platform)."""
    from ipgov.reviews.catalog import all_checks

    index = platform.extras.get("checks_by_id")
    if index is None:
        index = platform.extras["checks_by_id"] = {c.id: c for _p, c in all_checks(platform)}
    return index


def localized_finding(platform: Any, check_id: str, *, title: str, recommendation: str,
                      locale: str | None) -> tuple[str, str]:
    """``(title, recommendation)`` of a stored finding for a reader of ``locale``."""
    check = check_index(platform).get(check_id)
    if normalize(locale) != "zh-CN" or check is None or not check.title_zh:
        return title, recommendation
    return (NOT_MET_ZH.format(title=check.title_zh),
            check.recommendation_zh or recommendation)


def localized_action(platform: Any, check_id: str, action: str, locale: str | None) -> str:
    """The action of a stored directive for a reader of ``locale``."""
    check = check_index(platform).get(check_id)
    if normalize(locale) != "zh-CN" or check is None or not check.recommendation_zh:
        return action
    return check.recommendation_zh
