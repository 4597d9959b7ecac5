"""GraphQL types, inputs and payloads of data_governance, and row -> type converters."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from ipgov.api import (
    UserError,
)

from ..catalog.models import DataAsset, DataAssetKind, MetadataSpec
from ..lifecycle.models import DestructionRequest, LifecycleEvent
from ..lifecycle.services import retention_end
from ..mapping.models import IpInventoryItem, SolutionLink, TechnicalSolution
from ..organization.models import GovernanceRoleAssignment
from ..quality.models import QualityEvaluation, QualityRule
from ..secrets.models import DataAccessLog, ReasonableStep

ID = strawberry.ID
Errors = list[UserError]


def _errors() -> Errors:
    return strawberry.field(default_factory=list)


@strawberry.type(description="A kind of IP data asset in the tenant's registry.")
class DataAssetKindType:
    key: str
    title: str
    description: str
    builtin: bool


@strawberry.type(description="One version of a kind's metadata specification (JSON Schema).")
class MetadataSpecType:
    id: ID
    kind_key: str
    version: int
    json_schema: JSON
    note: str
    created_by: str
    created_at: datetime


@strawberry.type(description="An entry of the IP data catalog (a tombstone once destroyed).")
class DataAssetType:
    id: ID
    tenant_id: ID
    code: str
    kind: str
    title: str
    summary: str
    owner: str
    steward: str
    classification: str = strawberry.field(description="public, internal, confidential, secret")
    system_of_record: str
    tags: list[str]
    lifecycle_stage: str = strawberry.field(
        description="create, store, use, share, archive, destroy")
    retention_months: int | None
    retention_starts_on: date | None
    retention_ends_on: date | None
    legal_basis: str
    metadata: JSON
    spec_version: int | None
    last_used_at: datetime | None
    archived_at: datetime | None
    destroyed_at: datetime | None
    destroyed_by: str | None
    updated_at: datetime


@strawberry.input(description="An asset's fields; metadata is checked against the kind's "
                  "latest spec. On update, a null metadata or content keeps what is stored.")
class DataAssetInput:
    code: str
    kind: str
    title: str
    summary: str = ""
    owner: str = ""
    steward: str = ""
    classification: str = "internal"
    system_of_record: str = ""
    tags: list[str] = strawberry.field(default_factory=list)
    lifecycle_stage: str | None = None
    retention_months: int | None = None
    retention_starts_on: date | None = None
    legal_basis: str = ""
    metadata: JSON | None = None
    content: str | None = strawberry.field(
        default=None, description="The protected body (read with clearance only).")


@strawberry.type(description="A field of an asset that breaks the specification.")
class FieldProblem:
    field: str
    message: str


@strawberry.type(description="An asset that does not conform to a specification.")
class NonconformingAsset:
    asset_id: ID
    code: str
    problems: list[FieldProblem]


@strawberry.type(description="The asset written, or the fields at fault (nothing stored).")
class DataAssetPayload:
    asset: DataAssetType | None = None
    errors: Errors = _errors()


@strawberry.type(description="The kind registered, or why not.")
class DataAssetKindPayload:
    kind: DataAssetKindType | None = None
    errors: Errors = _errors()


@strawberry.type(description="The spec version stored and the assets that no longer conform.")
class MetadataSpecPayload:
    spec: MetadataSpecType | None = None
    nonconforming: list[NonconformingAsset] = strawberry.field(default_factory=list)
    errors: Errors = _errors()


@strawberry.type(description="An asset's protected content (the read was logged).")
class DataAssetContentType:
    asset_id: ID
    code: str
    classification: str
    content: str


@strawberry.type(description="One attempt to read protected content.")
class DataAccessLogEntry:
    id: ID
    asset_id: ID
    actor: str
    purpose: str
    outcome: str = strawberry.field(description="granted or denied")
    classification: str
    at: datetime


@strawberry.type(description="Evidence of a reasonable step protecting a trade secret.")
class ReasonableStepType:
    id: ID
    asset_id: ID
    kind: str = strawberry.field(description="nda, access_restriction, marking, training")
    description: str
    taken_on: date
    expires_on: date | None
    evidence_ref: str
    recorded_by: str


@strawberry.input(description="A reasonable step taken for a trade secret.")
class ReasonableStepInput:
    asset_id: ID
    kind: str
    taken_on: date | None = None
    description: str = ""
    expires_on: date | None = None
    evidence_ref: str = ""


@strawberry.type(description="The step recorded, or why not.")
class ReasonableStepPayload:
    step: ReasonableStepType | None = None
    errors: Errors = _errors()


@strawberry.type(description="A move between lifecycle stages.")
class LifecycleEventType:
    id: ID
    asset_id: ID
    from_stage: str
    to_stage: str
    reason: str
    actor: str
    at: datetime


@strawberry.type(description="One person's decision on a destruction request.")
class DestructionDecision:
    by: str
    at: str
    approve: bool
    note: str


@strawberry.type(description="A request to destroy an asset and its approvals.")
class DestructionRequestType:
    id: ID
    asset_id: ID
    reason: str
    requested_by: str
    requested_at: datetime
    status: str = strawberry.field(description="pending, approved, rejected, executed")
    required_approvals: int
    decisions: list[DestructionDecision]
    executed_at: datetime | None


@strawberry.type(description="The asset after the transition, or why not.")
class LifecyclePayload:
    asset: DataAssetType | None = None
    errors: Errors = _errors()


@strawberry.type(description="The destruction request, or why not.")
class DestructionRequestPayload:
    request: DestructionRequestType | None = None
    errors: Errors = _errors()


@strawberry.type(description="A data-quality rule on one asset kind.")
class QualityRuleType:
    id: ID
    kind_key: str
    name: str
    dimension: str
    field: str
    params: JSON
    threshold: float
    active: bool


@strawberry.input(description="A data-quality rule.")
class QualityRuleInput:
    kind_key: str
    name: str
    dimension: str
    field: str = ""
    params: JSON | None = None
    threshold: float | None = None


@strawberry.type(description="The rule stored, or the fields at fault.")
class QualityRulePayload:
    rule: QualityRuleType | None = None
    errors: Errors = _errors()


@strawberry.type(description="A rule's score at one evaluation.")
class QualityEvaluationType:
    id: ID
    rule_id: ID
    evaluated_at: datetime
    score: float
    total: int
    failing: int
    failing_asset_ids: list[ID]
    source: str


@strawberry.type(description="The evaluations stored.")
class QualityEvaluationPayload:
    evaluations: list[QualityEvaluationType] = strawberry.field(default_factory=list)
    errors: Errors = _errors()


@strawberry.type(description="A link from a solution to an IP object of some plugin.")
class SolutionLinkType:
    id: ID
    solution_id: ID
    plugin: str
    object_id: str
    object_kind: str
    ref: str
    title: str
    linked_by: str
    linked_at: datetime


@strawberry.type(description="A technical solution from an R&D project or a product.")
class TechnicalSolutionType:
    id: ID
    tenant_id: ID
    code: str
    title: str
    description: str
    source_kind: str = strawberry.field(description="rd_project or product")
    source_ref: str
    owner: str


@strawberry.input(description="A technical solution.")
class TechnicalSolutionInput:
    code: str
    title: str
    source_kind: str
    description: str = ""
    source_ref: str = ""
    owner: str = ""


@strawberry.type(description="The solution stored, or the fields at fault.")
class TechnicalSolutionPayload:
    solution: TechnicalSolutionType | None = None
    errors: Errors = _errors()


@strawberry.type(description="The link stored, or why not.")
class SolutionLinkPayload:
    link: SolutionLinkType | None = None
    errors: Errors = _errors()


@strawberry.type(description="An IP object of the inventory snapshot.")
class IpInventoryItemType:
    plugin: str
    object_id: str
    kind: str
    ref: str
    title: str
    status: str
    synced_at: datetime


@strawberry.type(description="A person's data governance role over an asset or a domain.")
class GovernanceRoleType:
    id: ID
    scope: str = strawberry.field(description="asset or domain")
    asset_id: ID | None
    domain: str
    role: str = strawberry.field(description="owner, steward or custodian")
    person: str
    decision_rights: list[str]
    assigned_by: str
    assigned_at: datetime


@strawberry.input(description="A role assignment (assetId for scope asset, domain for domain).")
class GovernanceRoleInput:
    scope: str
    role: str
    person: str
    asset_id: ID | None = None
    domain: str = ""
    decision_rights: list[str] = strawberry.field(default_factory=list)


@strawberry.type(description="The role assigned, or the fields at fault.")
class GovernanceRolePayload:
    role: GovernanceRoleType | None = None
    errors: Errors = _errors()


@strawberry.type(description="The job started (follow it with the `job` query), or why not.")
class DataGovernanceJobPayload:
    job_id: ID | None = None
    errors: Errors = _errors()


def kind_node(k: DataAssetKind) -> DataAssetKindType:
    """GraphQL view of a kind."""
    return DataAssetKindType(key=k.key, title=k.title, description=k.description,
                             builtin=k.builtin)


def spec_node(s: MetadataSpec) -> MetadataSpecType:
    """GraphQL view of a spec version."""
    return MetadataSpecType(id=ID(s.id), kind_key=s.kind_key, version=s.version,
                            json_schema=s.json_schema, note=s.note, created_by=s.created_by,
                            created_at=s.created_at)


def asset_node(a: DataAsset) -> DataAssetType:
    """GraphQL view of an asset (never its content)."""
    return DataAssetType(
        id=ID(a.id), tenant_id=ID(a.tenant_id), code=a.code, kind=a.kind_key, title=a.title,
        summary=a.summary, owner=a.owner, steward=a.steward, classification=a.classification,
        system_of_record=a.system_of_record, tags=list(a.tags or []),
        lifecycle_stage=a.lifecycle_stage, retention_months=a.retention_months,
        retention_starts_on=a.retention_starts_on, retention_ends_on=retention_end(a),
        legal_basis=a.legal_basis, metadata=a.properties or {}, spec_version=a.spec_version,
        last_used_at=a.last_used_at, archived_at=a.archived_at, destroyed_at=a.destroyed_at,
        destroyed_by=a.destroyed_by, updated_at=a.updated_at)


def access_node(r: DataAccessLog) -> DataAccessLogEntry:
    """GraphQL view of an access log entry."""
    return DataAccessLogEntry(id=ID(r.id), asset_id=ID(r.asset_id), actor=r.actor,
                              purpose=r.purpose, outcome=r.outcome,
                              classification=r.classification, at=r.at)


def step_node(s: ReasonableStep) -> ReasonableStepType:
    """GraphQL view of a reasonable step."""
    return ReasonableStepType(id=ID(s.id), asset_id=ID(s.asset_id), kind=s.kind,
                              description=s.description, taken_on=s.taken_on,
                              expires_on=s.expires_on, evidence_ref=s.evidence_ref,
                              recorded_by=s.recorded_by)


def event_node(e: LifecycleEvent) -> LifecycleEventType:
    """GraphQL view of a lifecycle event."""
    return LifecycleEventType(id=ID(e.id), asset_id=ID(e.asset_id), from_stage=e.from_stage,
                              to_stage=e.to_stage, reason=e.reason, actor=e.actor, at=e.at)


def request_node(r: DestructionRequest) -> DestructionRequestType:
    """GraphQL view of a destruction request."""
    return DestructionRequestType(
        id=ID(r.id), asset_id=ID(r.asset_id), reason=r.reason, requested_by=r.requested_by,
        requested_at=r.requested_at, status=r.status, required_approvals=r.required_approvals,
        decisions=[DestructionDecision(by=d.get("by", ""), at=d.get("at", ""),
                                       approve=bool(d.get("approve")), note=d.get("note", ""))
                   for d in r.approvals or []],
        executed_at=r.executed_at)


def rule_node(r: QualityRule) -> QualityRuleType:
    """GraphQL view of a quality rule."""
    return QualityRuleType(id=ID(r.id), kind_key=r.kind_key, name=r.name,
                           dimension=r.dimension, field=r.field, params=r.params or {},
                           threshold=r.threshold, active=r.active)


def evaluation_node(e: QualityEvaluation) -> QualityEvaluationType:
    """GraphQL view of an evaluation."""
    return QualityEvaluationType(id=ID(e.id), rule_id=ID(e.rule_id),
                                 evaluated_at=e.evaluated_at, score=e.score, total=e.total,
                                 failing=e.failing,
                                 failing_asset_ids=[ID(i) for i in e.failing_asset_ids or []],
                                 source=e.source)


def solution_node(s: TechnicalSolution) -> TechnicalSolutionType:
    """GraphQL view of a technical solution."""
    return TechnicalSolutionType(id=ID(s.id), tenant_id=ID(s.tenant_id), code=s.code,
                                 title=s.title, description=s.description,
                                 source_kind=s.source_kind, source_ref=s.source_ref,
                                 owner=s.owner)


def link_node(link: SolutionLink) -> SolutionLinkType:
    """GraphQL view of a solution link."""
    return SolutionLinkType(id=ID(link.id), solution_id=ID(link.solution_id),
                            plugin=link.plugin, object_id=link.object_id,
                            object_kind=link.object_kind, ref=link.ref, title=link.title,
                            linked_by=link.linked_by, linked_at=link.linked_at)


def inventory_node(i: IpInventoryItem) -> IpInventoryItemType:
    """GraphQL view of an inventory item."""
    return IpInventoryItemType(plugin=i.plugin, object_id=i.object_id, kind=i.kind, ref=i.ref,
                               title=i.title, status=i.status, synced_at=i.synced_at)


def role_node(r: GovernanceRoleAssignment) -> GovernanceRoleType:
    """GraphQL view of a role assignment."""
    return GovernanceRoleType(id=ID(r.id), scope=r.scope,
                              asset_id=ID(r.asset_id) if r.asset_id else None, domain=r.domain,
                              role=r.role, person=r.person,
                              decision_rights=list(r.decision_rights or []),
                              assigned_by=r.assigned_by, assigned_at=r.assigned_at)
