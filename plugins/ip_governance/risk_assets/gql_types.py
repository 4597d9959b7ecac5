"""GraphQL types and inputs of the risk_assets area, and the row → type converters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from ipgov.api import UserError, row_mapper, to_type

from .appetite import EffectiveAppetite
from .models import (
    IpAsset,
    IpIncident,
    IpIncidentResponse,
    IpLicence,
    IpRecoveryPlan,
)

ID = strawberry.ID


@strawberry.type(description="The tolerance that applies to one risk category.")
class IpRiskTolerance:
    category: str
    threshold: int = strawberry.field(description="Highest acceptable likelihood × impact.")
    source_tenant_id: ID | None = strawberry.field(
        description="The tenant whose setting applies (null: the platform default).")
    own_threshold: int | None = strawberry.field(description="This tenant's own setting.")


@strawberry.type(description="The risk appetite that applies to a tenant, after inheritance "
                 "down the group by governance mode.")
class IpRiskAppetite:
    tenant_id: ID
    governed_by: str | None = strawberry.field(
        description="The parent's governance mode (null for a group root).")
    statement: str | None
    statement_source_tenant_id: ID | None
    own_statement: str | None
    may_set: bool = strawberry.field(description="False under a centralized parent.")
    may_only_tighten: bool = strawberry.field(description="True under a hybrid parent.")
    tolerances: list[IpRiskTolerance]


@strawberry.type(description="An entry of the IP risk register.")
class IpRiskType:
    id: ID
    tenant_id: ID
    title: str
    description: str
    category: str
    likelihood: int
    impact: int
    score: int
    owner: str
    treatment: str | None
    treatment_plan: str
    status: str
    accepted_by: str | None
    accepted_at: datetime | None
    acceptance_expires_on: date | None
    asset_id: ID | None
    updated_at: datetime


@strawberry.type(description="An IP asset of the owning tenant.")
class IpAssetType:
    id: ID
    tenant_id: ID
    kind: str
    title: str
    jurisdiction: str
    family_id: str
    application_number: str
    publication_number: str
    registration_number: str
    kind_code: str
    status: str
    assignee: str
    owner: str
    inventors: list[str]
    cpc_codes: list[str]
    value_tier: str | None
    priority_date: date | None
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    expiry_date: date | None
    source: str
    fee_reduction: str
    open_licence: bool


@strawberry.type(description="A renewal/annuity, office-action, opposition or other deadline.")
class IpAssetDeadlineType:
    id: ID
    tenant_id: ID
    asset_id: ID
    kind: str
    due_on: date
    status: str
    description: str
    origin: str = strawberry.field(description="manual, or computed by the docket rules")
    rule_id: str | None = strawberry.field(description="The docket rule that computed it.")
    grace_until: date | None = strawberry.field(
        description="The last day of the late-payment period (a surcharge may apply).")
    fee_amount: Decimal | None = strawberry.field(description="The official fee.")
    fee_currency: str
    explanation_en: str
    explanation_zh: str = strawberry.field(description="The explanation in Chinese (zh-CN).")


@strawberry.type(description="A licence in or out.")
class IpLicenceType:
    id: ID
    tenant_id: ID
    direction: str
    counterparty: str
    asset_ids: list[ID]
    scope: str
    territory: str
    exclusive: bool
    royalty_bearing: bool
    royalty_terms: str
    starts_on: date
    ends_on: date | None
    status: str


@strawberry.type(description="A royalty payment under a licence.")
class IpRoyaltyPaymentType:
    id: ID
    tenant_id: ID
    licence_id: ID
    paid_on: date
    amount: Decimal
    currency: str
    reference: str


@strawberry.type(description="An action taken on an incident (Respond).")
class IpIncidentResponseType:
    id: ID
    action: str
    description: str
    responder: str
    taken_on: date


@strawberry.type(description="A step of a recovery plan.")
class IpRecoveryStep:
    title: str
    status: str
    due_on: date | None


@strawberry.type(description="How affected assets and operations are restored (Recover).")
class IpRecoveryPlanType:
    id: ID
    summary: str
    status: str
    steps: list[IpRecoveryStep]


@strawberry.type(description="A detected IP incident with its responses and recovery plan.")
class IpIncidentType:
    id: ID
    tenant_id: ID
    kind: str
    title: str
    description: str
    detected_on: date
    severity: str
    status: str
    asset_ids: list[ID]
    closed_at: datetime | None
    responses: list[IpIncidentResponseType]
    recovery_plan: IpRecoveryPlanType | None


# ------------------------------------------------------------------------------ inputs


@strawberry.input(description="Fields of a risk; on update, omitted fields stay as they are.")
class IpRiskInput:
    title: str | None = None
    description: str | None = None
    category: str | None = None
    likelihood: int | None = None
    impact: int | None = None
    owner: str | None = None
    treatment: str | None = None
    treatment_plan: str | None = None
    status: str | None = None
    asset_id: ID | None = None


@strawberry.input(description="Fields of an asset; on update, omitted fields stay as they are.")
class IpAssetInput:
    kind: str | None = None
    title: str | None = None
    jurisdiction: str | None = None
    family_id: str | None = None
    application_number: str | None = None
    publication_number: str | None = None
    registration_number: str | None = None
    kind_code: str | None = None
    status: str | None = None
    assignee: str | None = None
    owner: str | None = None
    inventors: list[str] | None = None
    cpc_codes: list[str] | None = None
    value_tier: str | None = None
    priority_date: date | None = None
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    expiry_date: date | None = None
    fee_reduction: str | None = strawberry.field(
        default=None, description='A docket fee reduction: "" (none), cn_reduction_85 or '
                                  'cn_reduction_70 (CN 费用减缴).')
    open_licence: bool | None = strawberry.field(
        default=None, description="Offered under a CN open licence (开放许可): annuities reduced.")


@strawberry.input(description="A licence in or out.")
class IpLicenceInput:
    direction: str
    counterparty: str
    starts_on: date | None = strawberry.field(default=None, description="Required.")
    asset_ids: list[ID] = strawberry.field(default_factory=list)
    scope: str = ""
    territory: str = ""
    exclusive: bool = False
    royalty_bearing: bool = True
    royalty_terms: str = ""
    ends_on: date | None = None


@strawberry.input(description="A detected incident.")
class IpIncidentInput:
    kind: str
    title: str
    detected_on: date | None = strawberry.field(default=None, description="Required.")
    description: str = ""
    severity: str = "medium"
    asset_ids: list[ID] = strawberry.field(default_factory=list)


@strawberry.input(description="A step of a recovery plan.")
class IpRecoveryStepInput:
    title: str
    status: str = "open"
    due_on: date | None = None


# ------------------------------------------------------------------------------ payloads


@strawberry.type(description="A CSV row that was not imported.")
class IpImportRowError:
    row: int = strawberry.field(description="Line number in the file (the header is 1).")
    column: str | None
    code: str
    message: str


@strawberry.type(description="The risk appetite after the change, or why nothing changed.")
class IpRiskAppetitePayload:
    appetite: IpRiskAppetite | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The risk created or changed, or why nothing changed.")
class IpRiskPayload:
    risk: IpRiskType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The asset created or changed, or why nothing changed.")
class IpAssetPayload:
    asset: IpAssetType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The id of what was deleted, or why nothing was.")
class IpDeletePayload:
    deleted_id: ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="What an import did: counts, and an error per bad row. With "
                 "atomic, any row error means nothing was stored.")
class IpAssetImportPayload:
    created: int = 0
    updated: int = 0
    row_errors: list[IpImportRowError] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The deadline created or changed, or why nothing changed.")
class IpAssetDeadlinePayload:
    deadline: IpAssetDeadlineType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The licence created, or why nothing changed.")
class IpLicencePayload:
    licence: IpLicenceType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The payment recorded, or why nothing changed.")
class IpRoyaltyPaymentPayload:
    payment: IpRoyaltyPaymentType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The incident after the change, or why nothing changed.")
class IpIncidentPayload:
    incident: IpIncidentType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ------------------------------------------------------------------------------ converters


def appetite_node(a: EffectiveAppetite) -> IpRiskAppetite:
    """The GraphQL view of an effective appetite."""
    return IpRiskAppetite(
        tenant_id=ID(a.tenant_id), governed_by=a.governed_by, statement=a.statement,
        statement_source_tenant_id=ID(a.statement_source) if a.statement_source else None,
        own_statement=a.own_statement, may_set=a.mode.local_rules_count,
        may_only_tighten=a.mode.only_tightens,
        tolerances=[IpRiskTolerance(category=t.category, threshold=t.threshold,
                                    source_tenant_id=ID(t.source_tenant_id)
                                    if t.source_tenant_id else None,
                                    own_threshold=t.own_threshold)
                    for t in sorted(a.tolerances.values(), key=lambda t: t.category)])


risk_node = row_mapper(IpRiskType)


def asset_node(a: IpAsset) -> IpAssetType:
    """The GraphQL view of an asset."""
    return to_type(IpAssetType, a, inventors=list(a.inventors or []),
                   cpc_codes=list(a.cpc_codes or []))


deadline_node = row_mapper(
    IpAssetDeadlineType,
    explanation_en=lambda d: (d.explanation or {}).get("en", ""),
    explanation_zh=lambda d: (d.explanation or {}).get("zh-CN", ""))


def licence_node(lic: IpLicence) -> IpLicenceType:
    """The GraphQL view of a licence."""
    return to_type(IpLicenceType, lic, asset_ids=[ID(a) for a in lic.asset_ids or []])


payment_node = row_mapper(IpRoyaltyPaymentType)


def incident_node(i: IpIncident, responses: list[IpIncidentResponse] | None = None,
                  plan: IpRecoveryPlan | None = None) -> IpIncidentType:
    """The GraphQL view of an incident with its responses and plan."""
    return to_type(
        IpIncidentType, i, asset_ids=[ID(a) for a in i.asset_ids or []],
        responses=[to_type(IpIncidentResponseType, r) for r in responses or []],
        recovery_plan=None if plan is None else IpRecoveryPlanType(
            id=ID(plan.id), summary=plan.summary, status=plan.status,
            steps=[IpRecoveryStep(title=s["title"], status=s["status"],
                                  due_on=date.fromisoformat(s["due_on"]) if s.get("due_on")
                                  else None) for s in plan.steps or []]))
