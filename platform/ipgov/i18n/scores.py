"""How a score explains itself, in the reader's language: what it rests on, or why there is none.

Every place that shows a review score (GraphQL, the supervision page, exports, reports) shows
this sentence, or its parts, beside it.
"""

from __future__ import annotations

from typing import Any

from .negotiation import normalize
from .text import render

__all__ = ["METHOD_TEXT", "score_summary"]

_SUMMARY = {
    "assessed": {
        "en": "{passed} of {assessed} assessed checks hold; all {applicable} applicable "
              "checks assessed",
        "zh-CN": "已评估的 {assessed} 项检查中 {passed} 项通过；"
                 "全部 {applicable} 项适用检查均已评估"},
    "partial": {
        "en": "{passed} of {assessed} assessed checks hold; {assessed} of {applicable} "
              "applicable checks could assess (coverage {coverage})",
        "zh-CN": "已评估的 {assessed} 项检查中 {passed} 项通过；{applicable} 项适用检查中有 "
                 "{assessed} 项可评估（覆盖率 {coverage}）"},
    "not_assessed": {
        "en": "not assessed: none of the {applicable} applicable checks had anything to assess",
        "zh-CN": "未评估：{applicable} 项适用检查均无可评估的内容"},
    "no_checks": {
        "en": "not assessed: no check of this review covers it",
        "zh-CN": "未评估：本次审查没有覆盖该项的检查"},
    "not_scored": {
        "en": "not assessed: no check of this review assessed it",
        "zh-CN": "未评估：本次审查没有检查评估该项"},
    "unknown": {
        "en": "recorded before coverage was kept (100 minus points per finding)",
        "zh-CN": "记录于保存覆盖率之前（按发现扣分：100 减去每项发现的分值）"},
}

METHOD_TEXT = {
    "en": "Review score (0-100): the share of the platform's assessed checks that the "
          "tenant's recorded data meets, weighted by severity; checks with nothing to assess "
          "lower the coverage, not the score.",
    "zh-CN": "审查得分（0-100）：租户已记录的数据满足的已评估检查所占比例（按严重程度加权）；"
             "无可评估内容的检查降低覆盖率，而不影响得分。",
}
"""What a review score measures, for legends and reports."""


def score_summary(view: Any, locale: str | None) -> str:
    """The sentence that explains one ``ipgov.reviews.scoring.DimensionView``."""
    chosen = normalize(locale) or "en"
    kind = str(view.assessment)
    if kind == "not_assessed" and view.applicable is None:
        kind = "not_scored"  # a run stored before coverage was kept
    elif kind == "not_assessed" and not view.applicable:
        kind = "no_checks"
    params = {"passed": view.passed, "assessed": view.assessed,
              "applicable": view.applicable,
              "coverage": f"{view.coverage:.0%}" if view.coverage is not None else "—"}
    return render(_SUMMARY[kind][chosen], params, chosen) or ""
