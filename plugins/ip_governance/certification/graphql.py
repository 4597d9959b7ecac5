"""The certification pack in GraphQL: the internal-audit checklist per clause, and
management-review records (list and record, audited)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

from ipgov.api import (
    Connection,
    UserError,
    input_values,
    mutate,
    requires,
    tenant_page,
    to_type,
    utcnow,
)

from . import services
from .checklist import ClauseResult, build_checklist
from .models import ManagementReview
from .outline import lang, load_outline

__all__ = ["MUTATIONS", "QUERIES"]

OBJ = "ip_governance:certification"


@strawberry.type(name="CertificationEvidence", description="One kind of evidence for a clause.")
class EvidenceType:
    kind: str = strawberry.field(description="e.g. strategy, training, pdca, audit_trail")
    label: str = strawberry.field(description="What the evidence is, in the reader's language.")
    status: str = strawberry.field(description="present, stale or missing")
    reason: str
    count: int = strawberry.field(description="How many records the tenant holds.")
    newest_at: datetime | None
    rows: JSON = strawberry.field(description="Up to five of the records, newest first "
                                  "(all of them are in the evidence export).")


@strawberry.type(name="CertificationClause", description="A clause of GB/T 29490-2023 (our "
                 "own short title) and the state of its evidence.")
class ClauseType:
    clause: str
    title: str
    status: str = strawberry.field(description="present, stale or missing (the worst evidence)")
    reason: str
    evidence: list[EvidenceType]


@strawberry.type(name="CertificationChecklist", description="The internal-audit checklist of "
                 "a tenant: every clause with its evidence status.")
class ChecklistType:
    tenant_id: strawberry.ID
    standard: str
    locale: str
    generated_at: datetime
    present: int
    stale: int
    missing: int
    clauses: list[ClauseType]


@strawberry.type(name="ManagementReview", description="Top management's review of the IP "
                 "compliance system (clause 9.3).")
class ManagementReviewType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    held_at: datetime
    chair: str
    participants: list[str]
    inputs: str
    conclusions: str
    actions: list[str]
    next_review_due: datetime | None
    recorded_by: str


@strawberry.input(description="A management review held; heldAt defaults to now.")
class ManagementReviewInput:
    chair: str
    conclusions: str
    held_at: datetime | None = None
    participants: list[str] = strawberry.field(default_factory=list)
    inputs: str = ""
    actions: list[str] = strawberry.field(default_factory=list)
    next_review_due: datetime | None = None


@strawberry.type(description="The management review recorded, or why not.")
class ManagementReviewPayload:
    review: ManagementReviewType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _clause_node(outline, c: ClauseResult, locale: str) -> ClauseType:
    return ClauseType(clause=c.id, title=c.title, status=c.status, reason=c.reason, evidence=[
        EvidenceType(kind=e.kind, label=outline.evidence_label(e.kind, locale),
                     status=e.status, reason=e.reason, count=e.evidence.count,
                     newest_at=e.evidence.newest, rows=JSON(e.evidence.rows))
        for e in c.evidence])


def review_node(r: ManagementReview) -> ManagementReviewType:
    """The GraphQL view of a management review."""
    return to_type(ManagementReviewType, r, participants=list(r.participants or []),
                   actions=list(r.actions or []))


@strawberry.type
class CertificationQuery:
    @strawberry.field(description="The GB/T 29490-2023 internal-audit checklist of a tenant: "
                      "every clause with present/stale/missing evidence and the records. "
                      "locale (en or zh-CN) defaults to the request's language.",
                      extensions=requires(OBJ, "read"))
    async def certification_checklist(self, info: Info, tenant_id: strawberry.ID,
                                      locale: str | None = None) -> ChecklistType:
        chosen = "zh-CN" if lang(locale or info.context.locale) == "zh" else "en"
        outline = load_outline()
        clauses = await build_checklist(info.context.platform, str(tenant_id), chosen)
        counts = {s: sum(1 for c in clauses if c.status == s)
                  for s in ("present", "stale", "missing")}
        return ChecklistType(tenant_id=tenant_id, standard=outline.id, locale=chosen,
                             generated_at=utcnow(), **counts,
                             clauses=[_clause_node(outline, c, chosen) for c in clauses])

    @strawberry.field(description="Management reviews of a tenant (clause 9.3).",
                      extensions=requires(OBJ, "read"))
    async def management_reviews(self, info: Info, tenant_id: strawberry.ID, first: int = 20,
                                 after: str | None = None) -> Connection[ManagementReviewType]:
        return await tenant_page(
            info, str(tenant_id), select(ManagementReview), [ManagementReview.id],
            first=first, after=after, to_node=review_node)


@strawberry.type
class CertificationMutation:
    @strawberry.mutation(description="Record a management review (audited).",
                         extensions=requires(OBJ, "record"))
    async def record_management_review(
        self, info: Info, tenant_id: strawberry.ID, input: ManagementReviewInput,  # noqa: A002
    ) -> ManagementReviewPayload:
        actor = info.context.actor
        return await mutate(
            info, str(tenant_id), ManagementReviewPayload, "review",
            lambda s: services.record_management_review(s, str(tenant_id), actor=actor,
                                                        **input_values(input)),
            action="ip_governance.certification.management_review", object_type=OBJ,
            to_node=review_node)


QUERIES = [CertificationQuery]
MUTATIONS = [CertificationMutation]
