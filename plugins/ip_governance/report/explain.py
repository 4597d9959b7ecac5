"""What the report says to explain its two measures side by side, per function.

A review score measures how far the tenant's *recorded data* meets the platform's checks; a
profile tier is the tenant's *own assessment* of an outcome's maturity. They can disagree, and
a board reading a Govern score of 0 beside a Govern profile at target must be told why.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MEASURES", "reading_note"]

MEASURES = {
    "en": {
        "heading": "How to read this report",
        "score": "Review score (0-100): the share of the platform's assessed checks that the "
                 "tenant's recorded data meets, weighted by severity. Coverage says how many "
                 "of the checks that apply could assess anything; a function nothing could "
                 "assess is shown as not assessed, never as a score.",
        "profile": "Profile tier (1-4): the tenant's own judgement of how mature each IP-CSF "
                   "outcome is (current), against the target that applies to it (its own or "
                   "its group's). It is recorded by people, not computed from data.",
        "together": "The two measure different things and can disagree: a profile at target "
                    "with a low review score means the records do not yet evidence the "
                    "self-assessment; a high review score with a profile below target means "
                    "what is recorded is in order but the tenant judges its practice immature.",
    },
    "zh-CN": {
        "heading": "如何阅读本报告",
        "score": "审查得分（0-100）：租户已记录的数据满足平台已评估检查的比例（按严重程度加权）。"
                 "覆盖率表示适用的检查中有多少项有可评估的内容；没有任何检查可评估的职能显示为"
                 "“未评估”，而不给出分数。",
        "profile": "画像层级（1-4）：租户自行判断的 IP-CSF 各项成果的成熟度（现状），对照其适用的"
                   "目标（本公司或集团设定）。它由人员记录，而非根据数据计算。",
        "together": "两者衡量的内容不同，可能不一致：画像达到目标而审查得分低，说明记录尚不能"
                    "证明自评结果；审查得分高而画像低于目标，说明已记录的内容合规，但租户认为其"
                    "实践尚不成熟。",
    },
}

_NOTES = {
    "en": {
        "not_assessed": "Not assessed by the review (nothing to assess); the profile is a "
                        "self-assessment only.",
        "evidence_gap": "Profile at or above target, but {failed} of {assessed} assessed "
                        "checks found deficiencies: the records do not yet evidence the "
                        "self-assessment.",
        "practice_gap": "Records meet the checks, but the self-assessed profile is below "
                        "target.",
        "partial": "Only {assessed} of {applicable} applicable checks could assess it.",
    },
    "zh-CN": {
        "not_assessed": "审查未评估（无可评估内容）；画像仅为自评结果。",
        "evidence_gap": "画像已达到或超过目标，但已评估的 {assessed} 项检查中有 {failed} 项"
                        "发现问题："
                        "记录尚不能证明自评结果。",
        "practice_gap": "记录满足检查要求，但自评画像低于目标。",
        "partial": "适用的 {applicable} 项检查中仅有 {assessed} 项可评估。",
    },
}


def reading_note(view: Any, current: float | None, target: float | None, locale: str) -> str:
    """One sentence on how the score and the profile of a function relate (may be empty)."""
    notes = _NOTES.get(locale, _NOTES["en"])
    if view is None or view.score is None:
        return notes["not_assessed"]
    at_target = current is not None and target is not None and current >= target
    below = current is not None and target is not None and current < target
    failed = (view.assessed or 0) - (view.passed or 0)
    parts = []
    if at_target and failed and view.score < 75:
        parts.append(notes["evidence_gap"].format(failed=failed, assessed=view.assessed))
    elif below and view.score >= 90:
        parts.append(notes["practice_gap"])
    if view.assessed is not None and view.applicable and view.assessed < view.applicable:
        parts.append(notes["partial"].format(assessed=view.assessed,
                                             applicable=view.applicable))
    return " ".join(parts)
