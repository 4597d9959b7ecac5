"""How a stored review reads for a person, for pages and reports outside GraphQL (plugins get
these through ``ipgov.api``): findings and directives with their specifics in the reader's
language, what they cite, enum labels, and each score with what it rests on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ipgov.i18n.findings import check_index, localized_action, localized_finding
from ipgov.i18n.labels import label
from ipgov.i18n.scores import METHOD_TEXT, score_summary

from .references import references_for
from .scoring import DimensionView, dimensions, overall_view

__all__ = ["METHOD_TEXT", "ScoreViews", "directive_action", "enum_label", "finding_references",
           "finding_texts", "score_lines", "score_summary", "score_views"]


def finding_texts(platform: Any, finding: Any, locale: str | None) -> tuple[str, str]:
    """``(title, recommendation)`` of a stored finding for a reader of ``locale``."""
    return localized_finding(platform, finding.check_id, title=finding.title,
                             recommendation=finding.recommendation, locale=locale,
                             text_key=finding.text_key, params=finding.params)


def finding_references(platform: Any, finding: Any) -> list[str]:
    """What a stored finding cites (framework outcomes, standard clauses)."""
    return references_for(check_index(platform).get(finding.check_id), finding.seed_ref)


def directive_action(platform: Any, directive: Any, locale: str | None) -> str:
    """The action of a stored directive for a reader of ``locale``."""
    return localized_action(platform, directive.check_id, directive.action, locale,
                            directive.text_key, directive.params)


def enum_label(vocabulary: str, value: str | None, locale: str | None) -> str:
    """A function, domain, severity, governance mode or status for a reader of ``locale``."""
    return label(vocabulary, value, locale)


@dataclass(frozen=True)
class ScoreViews:
    """Every score of a run with its coverage."""

    functions: list[DimensionView]
    domains: list[DimensionView]
    overall: DimensionView

    def function(self, key: str) -> DimensionView | None:
        """The view of one function (None when the run knows no such function)."""
        return next((v for v in self.functions if v.key == key), None)


def score_views(scores: dict[str, Any] | None) -> ScoreViews:
    """The stored scores of a run as views (``ScoreViews``)."""
    return ScoreViews(dimensions(scores, "functions"), dimensions(scores, "domains"),
                      overall_view(scores))


def score_lines(scores: dict[str, Any] | None, locale: str = "en") -> list[str]:
    """One line per function, then the overall score: the value (or "not assessed") and what
    it rests on (terminals, logs)."""
    views = score_views(scores)
    lines = []
    for view in [*views.functions, views.overall]:
        name = enum_label("function", view.key, locale) if view.key != "overall" else "overall"
        value = "not assessed" if view.score is None else f"{view.score:g}"
        lines.append(f"{name:<10} {value:>12}  {score_summary(view, locale)}")
    return lines
