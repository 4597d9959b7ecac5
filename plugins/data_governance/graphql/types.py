"""GraphQL types, inputs and payloads of data_governance, and row -> type converters."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from ipgov.api import UserError, actor_field, row_mapper, to_type

from ..catalog.models import DataAsset
from ..lifecycle.models import DestructionRequest
from ..lifecycle.services import retention_end

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
    created_by_actor = actor_field("created_by", "Who created it, by name (null if nobody).")
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
    destroyed_by_actor = actor_field("destroyed_by", "Who destroyed it, by name (null if nobody).")
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
    recorded_by_actor = actor_field("recorded_by", "Who recorded it, by name (null if nobody).")


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
    requested_by_actor = actor_field("requested_by", "Who requested it, by name (null if nobody).")
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
    linked_by_actor = actor_field("linked_by", "Who linked it, by name (null if nobody).")
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
    assigned_by_actor = actor_field("assigned_by", "Who assigned it, by name (null if nobody).")
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


kind_node = row_mapper(DataAssetKindType)
spec_node = row_mapper(MetadataSpecType)


def asset_node(a: DataAsset) -> DataAssetType:
    """GraphQL view of an asset (never its content)."""
    return to_type(DataAssetType, a, kind=a.kind_key, tags=list(a.tags or []),
                   retention_ends_on=retention_end(a), metadata=a.properties or {})


access_node = row_mapper(DataAccessLogEntry)
step_node = row_mapper(ReasonableStepType)
event_node = row_mapper(LifecycleEventType)


def request_node(r: DestructionRequest) -> DestructionRequestType:
    """GraphQL view of a destruction request, with its decisions."""
    return to_type(DestructionRequestType, r, decisions=[
        DestructionDecision(by=d.get("by", ""), at=d.get("at", ""),
                            approve=bool(d.get("approve")), note=d.get("note", ""))
        for d in r.approvals or []])


rule_node = row_mapper(QualityRuleType, params=lambda r: r.params or {})
evaluation_node = row_mapper(QualityEvaluationType,
                             failing_asset_ids=lambda e: list(e.failing_asset_ids or []))
solution_node = row_mapper(TechnicalSolutionType)
link_node = row_mapper(SolutionLinkType)
inventory_node = row_mapper(IpInventoryItemType)
role_node = row_mapper(GovernanceRoleType, asset_id=lambda r: r.asset_id or None,
                       decision_rights=lambda r: list(r.decision_rights or []))