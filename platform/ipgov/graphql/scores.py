"""Review scores in GraphQL: each score with the coverage it rests on, in the reader's language.

``ReviewRun`` and ``SupervisionRow`` expose ``functionScores``, ``domainScores`` and
``overallScore`` built from the stored scores; a dimension no check could assess has
``score: null`` and ``assessment: not_assessed``, never 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from ipgov.i18n.labels import label
from ipgov.i18n.scores import score_summary
from ipgov.reviews.scoring import DimensionView, dimensions, overall_view

__all__ = ["DimensionScore", "dimension_scores", "overall_score", "stored_scores"]


@strawberry.type(description="One review score and what it rests on: how many of the checks "
                 "that apply could assess it (coverage), and how many of those hold.")
class DimensionScore:
    key: str = strawberry.field(description="The function (govern...), the governance domain "
                                "(top_level_design...) or `overall`.")
    label: str = strawberry.field(description="The key in the reader's language.")
    score: float | None = strawberry.field(
        description="0-100: the severity-weighted share of the assessed checks that hold; "
                    "null when no check could assess it (never 100 for nothing assessed).")
    assessment: str = strawberry.field(
        description="assessed (every applicable check assessed), partial, not_assessed, or "
                    "unknown (recorded before coverage was kept).")
    assessment_label: str = strawberry.field(description="The assessment, for a person.")
    assessed_checks: int | None = strawberry.field(
        description="Checks that assessed it (null: unknown).")
    applicable_checks: int | None = strawberry.field(
        description="Checks that apply to the tenant (not-applicable checks excluded).")
    passed_checks: int | None = strawberry.field(
        description="Assessed checks that found nothing above info.")
    coverage: float | None = strawberry.field(
        description="assessedChecks / applicableChecks (0..1); null when unknown.")
    summary: str = strawberry.field(
        description="One sentence, in the reader's language, saying what the score rests on.")


def _node(view: DimensionView, vocabulary: str, locale: str) -> DimensionScore:
    name = label(vocabulary, view.key, locale) if vocabulary else (
        "总体" if locale == "zh-CN" else "Overall")
    return DimensionScore(
        key=view.key, label=name, score=view.score, assessment=str(view.assessment),
        assessment_label=label("assessment", view.assessment, locale),
        assessed_checks=view.assessed, applicable_checks=view.applicable,
        passed_checks=view.passed, coverage=view.coverage,
        summary=score_summary(view, locale))


def stored_scores(scores: JSON) -> Mapping[str, Any]:
    """A node's ``scores`` field as the mapping it holds: the node functions fill it with the
    stored scores dict (``{}`` when none)."""
    return cast("Mapping[str, Any]", scores)


def dimension_scores(scores: Mapping[str, Any] | None, part: str,
                     locale: str) -> list[DimensionScore]:
    """Every function (``part="functions"``) or domain (``"domains"``) of stored scores."""
    vocabulary = "function" if part == "functions" else "domain"
    return [_node(v, vocabulary, locale) for v in dimensions(scores, part)]


def overall_score(scores: Mapping[str, Any] | None, locale: str) -> DimensionScore:
    """The overall score with the coverage of every applicable check."""
    return _node(overall_view(scores), "", locale)
