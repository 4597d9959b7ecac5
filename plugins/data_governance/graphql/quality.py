"""GraphQL of data quality: rules per kind, evaluations on request, scores over time."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    input_values,
    mutate,
    requires,
    tenant_page,
    utcnow,
)

from ..common import payload_errors
from ..permissions import QUALITY
from ..quality.models import QualityEvaluation, QualityRule
from ..quality.services import create_rule, evaluate_all
from .types import (
    QualityEvaluationPayload,
    QualityEvaluationType,
    QualityRuleInput,
    QualityRulePayload,
    QualityRuleType,
    evaluation_node,
    rule_node,
)

__all__ = ["QualityMutation", "QualityQuery"]

ID = strawberry.ID


@strawberry.type
class QualityQuery:
    @strawberry.field(description="Data-quality rules, by kind.",
                      extensions=requires(QUALITY, "read"))
    async def data_quality_rules(self, info: Info, tenant_id: ID, kind_key: str | None = None,
                                 first: int = 50, after: str | None = None
                                 ) -> Connection[QualityRuleType]:
        stmt = select(QualityRule)
        if kind_key:
            stmt = stmt.where(QualityRule.kind_key == kind_key)
        return await tenant_page(
            info, str(tenant_id), stmt, [QualityRule.id],
            first=first, after=after, to_node=rule_node)

    @strawberry.field(description="Scores over time (oldest first), for one rule or all.",
                      extensions=requires(QUALITY, "read"))
    async def data_quality_scores(self, info: Info, tenant_id: ID, rule_id: ID | None = None,
                                  first: int = 50, after: str | None = None
                                  ) -> Connection[QualityEvaluationType]:
        stmt = select(QualityEvaluation)
        if rule_id:
            stmt = stmt.where(QualityEvaluation.rule_id == str(rule_id))
        order = [QualityEvaluation.id]
        return await tenant_page(
            info, str(tenant_id), stmt, order,
            first=first, after=after, to_node=evaluation_node)


@strawberry.type
class QualityMutation:
    @strawberry.mutation(description="Add a data-quality rule to a kind.",
                         extensions=requires(QUALITY, "create"))
    async def create_data_quality_rule(self, info: Info, tenant_id: ID,
                                       input: QualityRuleInput  # noqa: A002
                                       ) -> QualityRulePayload:
        return await mutate(
            info, str(tenant_id), QualityRulePayload, "rule",
            lambda s: create_rule(s, input_values(input, nested=True)),
            action="data_governance.quality_rule.created", object_type=QUALITY, to_node=rule_node,
            errors=payload_errors)

    @strawberry.mutation(description="Evaluate the tenant's quality rules now and store the "
                         "scores.", extensions=requires(QUALITY, "evaluate"))
    async def evaluate_data_quality(self, info: Info, tenant_id: ID
                                    ) -> QualityEvaluationPayload:
        return await mutate(
            info, str(tenant_id), QualityEvaluationPayload, "evaluations",
            lambda s: evaluate_all(s, now=utcnow(), source="request"),
            action="data_governance.quality.evaluated", object_type=QUALITY,
            object_id=lambda _: "", to_node=lambda rows: [evaluation_node(r) for r in rows],
            errors=payload_errors, details=lambda rows: {"rules": len(rows)})
