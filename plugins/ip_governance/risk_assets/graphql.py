"""GraphQL of the risk_assets area: risk appetite, the risk and asset registers, deadlines,
licences and royalties, incidents, and the CSV import of the asset register.

Every field declares its permission; reads run in a session scoped to ``tenantId`` (so an id
of another tenant is simply not found), mutations return a payload with ``errors`` and are
audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import (
    Connection,
    filter_value,
    input_values,
    mutate,
    page_in,
    requires,
    tenant_page,
)

from . import appetite as appetite_rules
from . import services
from .gql_types import (
    IpAssetDeadlinePayload,
    IpAssetDeadlineType,
    IpAssetImportPayload,
    IpAssetInput,
    IpAssetPayload,
    IpAssetType,
    IpDeletePayload,
    IpImportRowError,
    IpIncidentInput,
    IpIncidentPayload,
    IpIncidentType,
    IpLicenceInput,
    IpLicencePayload,
    IpLicenceType,
    IpRecoveryStepInput,
    IpRiskAppetite,
    IpRiskAppetitePayload,
    IpRiskInput,
    IpRiskPayload,
    IpRiskType,
    IpRoyaltyPaymentPayload,
    IpRoyaltyPaymentType,
    appetite_node,
    asset_node,
    deadline_node,
    incident_node,
    licence_node,
    payment_node,
    risk_node,
)
from .importer import import_assets
from .models import (
    IpAsset,
    IpAssetDeadline,
    IpIncident,
    IpIncidentResponse,
    IpLicence,
    IpRecoveryPlan,
    IpRisk,
    IpRoyaltyPayment,
)
from .vocabulary import (
    ASSET_KINDS,
    ASSET_STATUSES,
    DEADLINE_STATUSES,
    INCIDENT_STATUSES,
    LICENCE_DIRECTIONS,
    RISK_CATEGORIES,
    RISK_STATUSES,
)

__all__ = ["RiskAssetsMutation", "RiskAssetsQuery"]

ID = strawberry.ID
RISK, ASSET, APPETITE = "ip_governance:risk", "ip_governance:asset", "ip_governance:risk_appetite"
LICENCE, INCIDENT = "ip_governance:licence", "ip_governance:incident"


async def _effective(info: Info, tenant_id: str) -> IpRiskAppetite:
    chain = appetite_rules.chain_from_platform(info.context.platform, tenant_id)
    ids = {link.tenant_id for link in chain}
    async with info.context.multi_session(ids, "ip_governance: effective risk appetite") as s:
        return appetite_node(await appetite_rules.load_effective(s, chain))


async def _incident_nodes(session: AsyncSession, incidents: list[IpIncident]) -> list[Any]:
    ids = [i.id for i in incidents]
    responses: dict[str, list[IpIncidentResponse]] = {}
    for r in (await session.execute(select(IpIncidentResponse).where(
            IpIncidentResponse.incident_id.in_(ids)).order_by(IpIncidentResponse.taken_on,
                                                             IpIncidentResponse.id))).scalars():
        responses.setdefault(r.incident_id, []).append(r)
    plans = {p.incident_id: p for p in (await session.execute(select(IpRecoveryPlan).where(
        IpRecoveryPlan.incident_id.in_(ids)))).scalars()}
    return [incident_node(i, responses.get(i.id), plans.get(i.id)) for i in incidents]


@strawberry.type
class RiskAssetsQuery:
    @strawberry.field(description="The risk appetite and tolerances that apply to a tenant, "
                      "inherited down the group by governance mode.",
                      extensions=requires(APPETITE, "read"))
    async def ip_risk_appetite(self, info: Info, tenant_id: ID) -> IpRiskAppetite:
        return await _effective(info, str(tenant_id))

    @strawberry.field(description="The IP risk register.",
                      extensions=requires(RISK, "read"))
    async def ip_risks(self, info: Info, tenant_id: ID, category: str | None = None,
                       status: str | None = None, first: int = 50,
                       after: str | None = None) -> Connection[IpRiskType]:
        stmt = select(IpRisk)
        if filter_value(category, RISK_CATEGORIES, "category"):
            stmt = stmt.where(IpRisk.category == category)
        if filter_value(status, RISK_STATUSES, "status"):
            stmt = stmt.where(IpRisk.status == status)
        return await tenant_page(info, str(tenant_id), stmt, [IpRisk.id], first=first,
                                 after=after, to_node=risk_node)

    @strawberry.field(description="One risk.", extensions=requires(RISK, "read"))
    async def ip_risk(self, info: Info, tenant_id: ID, id: ID) -> IpRiskType:  # noqa: A002
        async with info.context.session(str(tenant_id)) as s:
            return risk_node(await services.get(s, IpRisk, str(id), "risk"))

    @strawberry.field(description="The IP asset register.", extensions=requires(ASSET, "read"))
    async def ip_assets(self, info: Info, tenant_id: ID, kind: str | None = None,
                        status: str | None = None, jurisdiction: str | None = None,
                        first: int = 50, after: str | None = None) -> Connection[IpAssetType]:
        stmt = select(IpAsset)
        filter_value(kind, ASSET_KINDS, "kind")
        filter_value(status, ASSET_STATUSES, "status")
        for column, value in ((IpAsset.kind, kind), (IpAsset.status, status),
                              (IpAsset.jurisdiction, (jurisdiction or "").upper())):
            if value:
                stmt = stmt.where(column == value)
        return await tenant_page(info, str(tenant_id), stmt, [IpAsset.id], first=first,
                                 after=after, to_node=asset_node)

    @strawberry.field(description="One asset.", extensions=requires(ASSET, "read"))
    async def ip_asset(self, info: Info, tenant_id: ID, id: ID) -> IpAssetType:  # noqa: A002
        async with info.context.session(str(tenant_id)) as s:
            return asset_node(await services.get(s, IpAsset, str(id), "asset"))

    @strawberry.field(description="Deadlines, soonest first; filter by asset, status and a "
                      "due-before date (reminders).", extensions=requires(ASSET, "read"))
    async def ip_asset_deadlines(
        self, info: Info, tenant_id: ID, asset_id: ID | None = None,
        status: str | None = "open", due_before: date | None = None, first: int = 50,
        after: str | None = None,
    ) -> Connection[IpAssetDeadlineType]:
        stmt = select(IpAssetDeadline)
        if asset_id:
            stmt = stmt.where(IpAssetDeadline.asset_id == str(asset_id))
        if filter_value(status, DEADLINE_STATUSES, "status"):
            stmt = stmt.where(IpAssetDeadline.status == status)
        if due_before:
            stmt = stmt.where(IpAssetDeadline.due_on < due_before)
        order = [IpAssetDeadline.due_on, IpAssetDeadline.id]
        return await tenant_page(info, str(tenant_id), stmt, order, first=first,
                                 after=after, to_node=deadline_node)

    @strawberry.field(description="Licences in and out.", extensions=requires(LICENCE, "read"))
    async def ip_licences(self, info: Info, tenant_id: ID, direction: str | None = None,
                          first: int = 50, after: str | None = None
                          ) -> Connection[IpLicenceType]:
        stmt = select(IpLicence)
        if filter_value(direction, LICENCE_DIRECTIONS, "direction"):
            stmt = stmt.where(IpLicence.direction == direction)
        return await tenant_page(info, str(tenant_id), stmt, [IpLicence.id], first=first,
                                 after=after, to_node=licence_node)

    @strawberry.field(description="Royalty payments of a licence, oldest first.",
                      extensions=requires(LICENCE, "read"))
    async def ip_royalty_payments(self, info: Info, tenant_id: ID, licence_id: ID,
                                  first: int = 50, after: str | None = None
                                  ) -> Connection[IpRoyaltyPaymentType]:
        stmt = select(IpRoyaltyPayment).where(IpRoyaltyPayment.licence_id == str(licence_id))
        order = [IpRoyaltyPayment.paid_on, IpRoyaltyPayment.id]
        return await tenant_page(info, str(tenant_id), stmt, order, first=first,
                                 after=after, to_node=payment_node)

    @strawberry.field(description="Incidents with their responses and recovery plans.",
                      extensions=requires(INCIDENT, "read"))
    async def ip_incidents(self, info: Info, tenant_id: ID, status: str | None = None,
                           first: int = 50, after: str | None = None
                           ) -> Connection[IpIncidentType]:
        stmt = select(IpIncident)
        if filter_value(status, INCIDENT_STATUSES, "status"):
            stmt = stmt.where(IpIncident.status == status)
        async with info.context.session(str(tenant_id)) as session:
            page = await page_in(info, session, stmt, [IpIncident.id], first=first, after=after)
            nodes = await _incident_nodes(session, [e.node for e in page.edges])
        for edge, node in zip(page.edges, nodes, strict=True):
            edge.node = node
        return page


# ------------------------------------------------------------------------------ mutations


async def _appetite_change(info: Info, tenant_id: ID, action: str, change: Callable[..., Any]
                           ) -> IpRiskAppetitePayload:
    chain = appetite_rules.chain_from_platform(info.context.platform, str(tenant_id))
    ids = {link.tenant_id for link in chain}

    async def work(s: AsyncSession) -> tuple[Any, IpRiskAppetite]:
        row = await change(s, chain)  # the answer: the appetite in effect once it is stored
        return row, appetite_node(await appetite_rules.load_effective(s, chain))

    return await mutate(
        info, str(tenant_id), IpRiskAppetitePayload, "appetite", work,
        action=f"ip_governance.{action}", object_type=APPETITE,
        object_id=lambda done: done[0].id, to_node=lambda done: done[1],
        session=lambda: info.context.multi_session(ids, "ip_governance: set risk appetite"))


@strawberry.type
class RiskAssetsMutation:
    @strawberry.mutation(description="Set the tenant's own risk appetite statement (refused "
                         "under a centralized parent).", extensions=requires(APPETITE, "set"))
    async def set_ip_risk_appetite(self, info: Info, tenant_id: ID, statement: str,
                                   approved_by: str = "") -> IpRiskAppetitePayload:
        actor = info.context.actor
        return await _appetite_change(
            info, tenant_id, "risk_appetite.set",
            lambda s, chain: appetite_rules.set_statement(
                s, chain, statement=statement, approved_by=approved_by, actor=actor))

    @strawberry.mutation(description="Set the tenant's tolerance for a risk category (under a "
                         "hybrid parent only tighter than the group's).",
                         extensions=requires(APPETITE, "set"))
    async def set_ip_risk_tolerance(self, info: Info, tenant_id: ID, category: str,
                                    threshold: int, rationale: str = ""
                                    ) -> IpRiskAppetitePayload:
        actor = info.context.actor
        return await _appetite_change(
            info, tenant_id, "risk_tolerance.set",
            lambda s, chain: appetite_rules.set_tolerance(
                s, chain, category=category, threshold=threshold, rationale=rationale,
                actor=actor))

    @strawberry.mutation(description="Add a risk to the register.",
                         extensions=requires(RISK, "create"))
    async def create_ip_risk(self, info: Info, tenant_id: ID, input: IpRiskInput  # noqa: A002
                             ) -> IpRiskPayload:
        return await mutate(
            info, str(tenant_id), IpRiskPayload, "risk",
            lambda s: services.save_risk(s, input_values(input, nested=True)),
            action="ip_governance.risk.created", object_type=RISK, to_node=risk_node)

    @strawberry.mutation(description="Change a risk (score, treatment, plan, status...).",
                         extensions=requires(RISK, "update"))
    async def update_ip_risk(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                             input: IpRiskInput) -> IpRiskPayload:  # noqa: A002
        async def work(s: AsyncSession) -> Any:
            risk = await services.save_risk(s, input_values(input, nested=True),
                                            await services.get(s, IpRisk, str(id), "risk"))
            return risk_node(risk)

        return await mutate(info, str(tenant_id), IpRiskPayload, "risk", work,
                            action="ip_governance.risk.updated", object_type=RISK)

    @strawberry.mutation(description="Accept a risk until a date, with the approver's name.",
                         extensions=requires(RISK, "accept"))
    async def accept_ip_risk(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                             approver: str, expires_on: date | None = None) -> IpRiskPayload:
        async def work(s: AsyncSession) -> Any:
            risk = await services.accept_risk(
                s, await services.get(s, IpRisk, str(id), "risk"), approver=approver,
                expires_on=expires_on, today=date.today())
            return risk_node(risk)

        return await mutate(info, str(tenant_id), IpRiskPayload, "risk", work,
                            action="ip_governance.risk.accepted", object_type=RISK)

    @strawberry.mutation(description="Register an asset.", extensions=requires(ASSET, "create"))
    async def create_ip_asset(self, info: Info, tenant_id: ID, input: IpAssetInput  # noqa: A002
                              ) -> IpAssetPayload:
        return await mutate(
            info, str(tenant_id), IpAssetPayload, "asset",
            lambda s: services.save_asset(s, input_values(input, nested=True)),
            action="ip_governance.asset.created", object_type=ASSET, to_node=asset_node)

    @strawberry.mutation(description="Change an asset.", extensions=requires(ASSET, "update"))
    async def update_ip_asset(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                              input: IpAssetInput) -> IpAssetPayload:  # noqa: A002
        async def work(s: AsyncSession) -> Any:
            asset = await services.save_asset(s, input_values(input, nested=True),
                                              await services.get(s, IpAsset, str(id), "asset"))
            return asset_node(asset)

        return await mutate(info, str(tenant_id), IpAssetPayload, "asset", work,
                            action="ip_governance.asset.updated", object_type=ASSET)

    @strawberry.mutation(description="Remove an asset and its deadlines.",
                         extensions=requires(ASSET, "delete"))
    async def delete_ip_asset(self, info: Info, tenant_id: ID, id: ID  # noqa: A002
                              ) -> IpDeletePayload:
        async def work(s: AsyncSession) -> Any:
            await services.delete_asset(s, await services.get(s, IpAsset, str(id), "asset"))
            return id

        return await mutate(info, str(tenant_id), IpDeletePayload, "deleted_id", work,
                            action="ip_governance.asset.deleted", object_type=ASSET,
                            object_id=str)

    @strawberry.mutation(description="Import assets from CSV (register columns or a Google "
                         "Patents export): bad rows are reported, valid rows imported; the "
                         "same jurisdiction and number updates. With atomic, all or nothing.",
                         extensions=requires(ASSET, "create"))
    async def import_ip_assets(self, info: Info, tenant_id: ID, csv: str,
                               atomic: bool = False) -> IpAssetImportPayload:
        def answer(result: Any) -> dict[str, Any]:
            stored = not (atomic and result.errors)
            return {"created": result.created if stored else 0,
                    "updated": result.updated if stored else 0,
                    "row_errors": [IpImportRowError(row=e.row, column=e.column, code=e.code,
                                                    message=e.message) for e in result.errors]}

        return await mutate(
            info, str(tenant_id), IpAssetImportPayload, None,
            lambda s: import_assets(s, csv, atomic=atomic),
            action="ip_governance.asset.imported", object_type=ASSET, object_id=lambda _: "",
            details=lambda r: {"created": r.created, "updated": r.updated,
                               "rejected": len(r.errors)},
            to_node=answer, commit_if=lambda r: not (atomic and r.errors))

    @strawberry.mutation(description="Add a deadline to an asset; an office action with "
                         "receivedOn and no dueOn gets the response period of the docket "
                         "rules for the asset's jurisdiction.",
                         extensions=requires(ASSET, "update"))
    async def add_ip_asset_deadline(self, info: Info, tenant_id: ID, asset_id: ID, kind: str,
                                    due_on: date | None = None, description: str = "",
                                    received_on: date | None = None
                                    ) -> IpAssetDeadlinePayload:
        return await mutate(
            info, str(tenant_id), IpAssetDeadlinePayload, "deadline",
            lambda s: services.add_deadline(s, asset_id=str(asset_id), kind=kind, due_on=due_on,
                                            description=description, received_on=received_on),
            action="ip_governance.deadline.created", object_type=ASSET, to_node=deadline_node)

    @strawberry.mutation(description="Mark a deadline done, waived, missed or open.",
                         extensions=requires(ASSET, "update"))
    async def set_ip_asset_deadline_status(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                           status: str) -> IpAssetDeadlinePayload:
        async def work(s: AsyncSession) -> Any:
            d = await services.set_deadline_status(
                s, await services.get(s, IpAssetDeadline, str(id), "deadline"), status)
            return deadline_node(d)

        return await mutate(info, str(tenant_id), IpAssetDeadlinePayload, "deadline", work,
                            action="ip_governance.deadline.updated", object_type=ASSET)

    @strawberry.mutation(description="Record a licence in or out.",
                         extensions=requires(LICENCE, "create"))
    async def create_ip_licence(self, info: Info, tenant_id: ID,
                                input: IpLicenceInput) -> IpLicencePayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), IpLicencePayload, "licence",
            lambda s: services.create_licence(s, input_values(input, nested=True)),
            action="ip_governance.licence.created", object_type=LICENCE, to_node=licence_node)

    @strawberry.mutation(description="Record a royalty payment under a licence.",
                         extensions=requires(LICENCE, "update"))
    async def record_ip_royalty_payment(
        self, info: Info, tenant_id: ID, licence_id: ID, currency: str,
        paid_on: date | None = None, amount: Decimal | None = None, reference: str = "",
    ) -> IpRoyaltyPaymentPayload:
        return await mutate(
            info, str(tenant_id), IpRoyaltyPaymentPayload, "payment",
            lambda s: services.record_payment(s, licence_id=str(licence_id), paid_on=paid_on,
                                              amount=amount, currency=currency,
                                              reference=reference),
            action="ip_governance.royalty.recorded", object_type=LICENCE, to_node=payment_node)

    @strawberry.mutation(description="Report a detected incident (Monitor).",
                         extensions=requires(INCIDENT, "create"))
    async def report_ip_incident(self, info: Info, tenant_id: ID,
                                 input: IpIncidentInput) -> IpIncidentPayload:  # noqa: A002
        async def work(s: AsyncSession) -> Any:
            i = await services.report_incident(s, input_values(input, nested=True))
            return (await _incident_nodes(s, [i]))[0]

        return await mutate(info, str(tenant_id), IpIncidentPayload, "incident", work,
                            action="ip_governance.incident.reported", object_type=INCIDENT)

    @strawberry.mutation(description="Record a response to an incident (Respond).",
                         extensions=requires(INCIDENT, "update"))
    async def record_ip_incident_response(
        self, info: Info, tenant_id: ID, incident_id: ID, action: str,
        taken_on: date | None = None, description: str = "", responder: str = "",
    ) -> IpIncidentPayload:
        async def work(s: AsyncSession) -> Any:
            await services.record_response(s, incident_id=str(incident_id), action=action,
                                           description=description, responder=responder,
                                           taken_on=taken_on or date.today())
            i = await services.get(s, IpIncident, str(incident_id), "incident")
            return (await _incident_nodes(s, [i]))[0]

        return await mutate(info, str(tenant_id), IpIncidentPayload, "incident", work,
                            action="ip_governance.incident.responded", object_type=INCIDENT)

    @strawberry.mutation(description="Create or replace an incident's recovery plan (Recover).",
                         extensions=requires(INCIDENT, "update"))
    async def set_ip_recovery_plan(
        self, info: Info, tenant_id: ID, incident_id: ID, summary: str,
        steps: list[IpRecoveryStepInput], status: str = "draft",
    ) -> IpIncidentPayload:
        async def work(s: AsyncSession) -> Any:
            await services.set_recovery_plan(
                s, incident_id=str(incident_id), summary=summary, status=status,
                steps=[input_values(x, nested=True) for x in steps])
            i = await services.get(s, IpIncident, str(incident_id), "incident")
            return (await _incident_nodes(s, [i]))[0]

        return await mutate(info, str(tenant_id), IpIncidentPayload, "incident", work,
                            action="ip_governance.incident.recovery_planned", object_type=INCIDENT)

    @strawberry.mutation(description="Close an incident.", extensions=requires(INCIDENT, "close"))
    async def close_ip_incident(self, info: Info, tenant_id: ID, id: ID  # noqa: A002
                                ) -> IpIncidentPayload:
        async def work(s: AsyncSession) -> Any:
            i = await services.close_incident(
                s, await services.get(s, IpIncident, str(id), "incident"))
            return (await _incident_nodes(s, [i]))[0]

        return await mutate(info, str(tenant_id), IpIncidentPayload, "incident", work,
                            action="ip_governance.incident.closed", object_type=INCIDENT)
