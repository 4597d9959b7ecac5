"""GraphQL of the risk_assets area: risk appetite, the risk and asset registers, deadlines,
licences and royalties, incidents, and the CSV import of the asset register.

Every field declares its permission; reads run in a session scoped to ``tenantId`` (so an id
of another tenant is simply not found), mutations return a payload with ``errors`` and are
audited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    filter_value,
    paginate,
    record_audit,
    requires,
    user_errors,
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


def _input(obj: Any) -> dict[str, Any]:
    """A strawberry input as a dict of snake_case fields (ids as plain strings)."""
    return {k: (str(v) if isinstance(v, str) else v)
            for k, v in dataclasses.asdict(obj).items()}


async def _page(info: Info, tenant_id: ID, stmt: Any, order: list[Any], first: int,
                after: str | None, to_node: Callable[[Any], Any]) -> Connection[Any]:
    ctx = info.context
    async with ctx.session(str(tenant_id)) as session:
        return await paginate(session, stmt, order, first=first, after=after,
                              maximum=ctx.platform.settings.max_page_size, to_node=to_node,
                              key=lambda r: [getattr(r, c.key) for c in order])


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
        return await _page(info, tenant_id, stmt, [IpRisk.id], first, after, risk_node)

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
        return await _page(info, tenant_id, stmt, [IpAsset.id], first, after, asset_node)

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
        return await _page(info, tenant_id, stmt, order, first, after, deadline_node)

    @strawberry.field(description="Licences in and out.", extensions=requires(LICENCE, "read"))
    async def ip_licences(self, info: Info, tenant_id: ID, direction: str | None = None,
                          first: int = 50, after: str | None = None
                          ) -> Connection[IpLicenceType]:
        stmt = select(IpLicence)
        if filter_value(direction, LICENCE_DIRECTIONS, "direction"):
            stmt = stmt.where(IpLicence.direction == direction)
        return await _page(info, tenant_id, stmt, [IpLicence.id], first, after, licence_node)

    @strawberry.field(description="Royalty payments of a licence, oldest first.",
                      extensions=requires(LICENCE, "read"))
    async def ip_royalty_payments(self, info: Info, tenant_id: ID, licence_id: ID,
                                  first: int = 50, after: str | None = None
                                  ) -> Connection[IpRoyaltyPaymentType]:
        stmt = select(IpRoyaltyPayment).where(IpRoyaltyPayment.licence_id == str(licence_id))
        order = [IpRoyaltyPayment.paid_on, IpRoyaltyPayment.id]
        return await _page(info, tenant_id, stmt, order, first, after, payment_node)

    @strawberry.field(description="Incidents with their responses and recovery plans.",
                      extensions=requires(INCIDENT, "read"))
    async def ip_incidents(self, info: Info, tenant_id: ID, status: str | None = None,
                           first: int = 50, after: str | None = None
                           ) -> Connection[IpIncidentType]:
        ctx = info.context
        stmt = select(IpIncident)
        if filter_value(status, INCIDENT_STATUSES, "status"):
            stmt = stmt.where(IpIncident.status == status)
        async with ctx.session(str(tenant_id)) as session:
            page = await paginate(session, stmt, [IpIncident.id], first=first, after=after,
                                  maximum=ctx.platform.settings.max_page_size,
                                  to_node=lambda i: i, key=lambda i: [i.id])
            nodes = await _incident_nodes(session, [e.node for e in page.edges])
        for edge, node in zip(page.edges, nodes, strict=True):
            edge.node = node
        return page


# ------------------------------------------------------------------------------ mutations


async def _mutate(info: Info, tenant_id: ID, action: str, object_type: str,
                  work: Callable[[AsyncSession], Awaitable[tuple[str, Any]]],
                  payload: Callable[..., Any], field: str) -> Any:
    """Run ``work`` in the tenant's transaction and audit it; domain errors become data.

    ``work`` returns (object id, node); the payload gets the node as ``field``.
    """
    ctx = info.context
    try:
        async with ctx.session(str(tenant_id)) as session:
            object_id, node = await work(session)
            await record_audit(ctx.platform, session, tenant_id=str(tenant_id), actor=ctx.actor,
                               action=f"ip_governance.{action}", object_type=object_type,
                               object_id=object_id)
    except DomainError as exc:
        return payload(errors=user_errors(exc))
    return payload(**{field: node})


class _AtomicAbort(Exception):
    """Rolls an atomic import back when a row was bad."""


async def _appetite_change(info: Info, tenant_id: ID, action: str, change: Callable[..., Any]
                           ) -> IpRiskAppetitePayload:
    ctx = info.context
    chain = appetite_rules.chain_from_platform(ctx.platform, str(tenant_id))
    ids = {link.tenant_id for link in chain}
    try:
        async with ctx.multi_session(ids, "ip_governance: set risk appetite") as session:
            row = await change(session, chain)
            await record_audit(ctx.platform, session, tenant_id=str(tenant_id), actor=ctx.actor,
                               action=f"ip_governance.{action}",
                               object_type=APPETITE, object_id=row.id)
    except DomainError as exc:
        return IpRiskAppetitePayload(errors=user_errors(exc))
    return IpRiskAppetitePayload(appetite=await _effective(info, str(tenant_id)))


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
        async def work(s: AsyncSession) -> tuple[str, Any]:
            risk = await services.save_risk(s, _input(input))
            return risk.id, risk_node(risk)

        return await _mutate(info, tenant_id, "risk.created", RISK, work, IpRiskPayload, "risk")

    @strawberry.mutation(description="Change a risk (score, treatment, plan, status...).",
                         extensions=requires(RISK, "update"))
    async def update_ip_risk(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                             input: IpRiskInput) -> IpRiskPayload:  # noqa: A002
        async def work(s: AsyncSession) -> tuple[str, Any]:
            risk = await services.save_risk(s, _input(input),
                                            await services.get(s, IpRisk, str(id), "risk"))
            return risk.id, risk_node(risk)

        return await _mutate(info, tenant_id, "risk.updated", RISK, work, IpRiskPayload, "risk")

    @strawberry.mutation(description="Accept a risk until a date, with the approver's name.",
                         extensions=requires(RISK, "accept"))
    async def accept_ip_risk(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                             approver: str, expires_on: date | None = None) -> IpRiskPayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            risk = await services.accept_risk(
                s, await services.get(s, IpRisk, str(id), "risk"), approver=approver,
                expires_on=expires_on, today=date.today())
            return risk.id, risk_node(risk)

        return await _mutate(info, tenant_id, "risk.accepted", RISK, work, IpRiskPayload, "risk")

    @strawberry.mutation(description="Register an asset.", extensions=requires(ASSET, "create"))
    async def create_ip_asset(self, info: Info, tenant_id: ID, input: IpAssetInput  # noqa: A002
                              ) -> IpAssetPayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            asset = await services.save_asset(s, _input(input))
            return asset.id, asset_node(asset)

        return await _mutate(info, tenant_id, "asset.created", ASSET, work, IpAssetPayload,
                             "asset")

    @strawberry.mutation(description="Change an asset.", extensions=requires(ASSET, "update"))
    async def update_ip_asset(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                              input: IpAssetInput) -> IpAssetPayload:  # noqa: A002
        async def work(s: AsyncSession) -> tuple[str, Any]:
            asset = await services.save_asset(s, _input(input),
                                              await services.get(s, IpAsset, str(id), "asset"))
            return asset.id, asset_node(asset)

        return await _mutate(info, tenant_id, "asset.updated", ASSET, work, IpAssetPayload,
                             "asset")

    @strawberry.mutation(description="Remove an asset and its deadlines.",
                         extensions=requires(ASSET, "delete"))
    async def delete_ip_asset(self, info: Info, tenant_id: ID, id: ID  # noqa: A002
                              ) -> IpDeletePayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            await services.delete_asset(s, await services.get(s, IpAsset, str(id), "asset"))
            return str(id), id

        return await _mutate(info, tenant_id, "asset.deleted", ASSET, work, IpDeletePayload,
                             "deleted_id")

    @strawberry.mutation(description="Import assets from CSV (register columns or a Google "
                         "Patents export): bad rows are reported, valid rows imported; the "
                         "same jurisdiction and number updates. With atomic, all or nothing.",
                         extensions=requires(ASSET, "create"))
    async def import_ip_assets(self, info: Info, tenant_id: ID, csv: str,
                               atomic: bool = False) -> IpAssetImportPayload:
        ctx = info.context
        result = None
        try:
            async with ctx.session(str(tenant_id)) as session:
                result = await import_assets(session, csv, atomic=atomic)
                if atomic and result.errors:
                    raise _AtomicAbort
                await record_audit(
                    ctx.platform, session, tenant_id=str(tenant_id), actor=ctx.actor,
                    action="ip_governance.asset.imported", object_type=ASSET, object_id="",
                    details={"created": result.created, "updated": result.updated,
                             "rejected": len(result.errors)})
        except _AtomicAbort:
            pass
        except DomainError as exc:
            return IpAssetImportPayload(errors=user_errors(exc))
        assert result is not None
        stored = not (atomic and result.errors)
        return IpAssetImportPayload(
            created=result.created if stored else 0, updated=result.updated if stored else 0,
            row_errors=[IpImportRowError(row=e.row, column=e.column, code=e.code,
                                         message=e.message) for e in result.errors])

    @strawberry.mutation(description="Add a deadline to an asset.",
                         extensions=requires(ASSET, "update"))
    async def add_ip_asset_deadline(self, info: Info, tenant_id: ID, asset_id: ID, kind: str,
                                    due_on: date | None = None, description: str = ""
                                    ) -> IpAssetDeadlinePayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            d = await services.add_deadline(s, asset_id=str(asset_id), kind=kind,
                                            due_on=due_on, description=description)
            return d.id, deadline_node(d)

        return await _mutate(info, tenant_id, "deadline.created", ASSET, work,
                             IpAssetDeadlinePayload, "deadline")

    @strawberry.mutation(description="Mark a deadline done, waived, missed or open.",
                         extensions=requires(ASSET, "update"))
    async def set_ip_asset_deadline_status(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                           status: str) -> IpAssetDeadlinePayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            d = await services.set_deadline_status(
                s, await services.get(s, IpAssetDeadline, str(id), "deadline"), status)
            return d.id, deadline_node(d)

        return await _mutate(info, tenant_id, "deadline.updated", ASSET, work,
                             IpAssetDeadlinePayload, "deadline")

    @strawberry.mutation(description="Record a licence in or out.",
                         extensions=requires(LICENCE, "create"))
    async def create_ip_licence(self, info: Info, tenant_id: ID,
                                input: IpLicenceInput) -> IpLicencePayload:  # noqa: A002
        async def work(s: AsyncSession) -> tuple[str, Any]:
            lic = await services.create_licence(s, _input(input))
            return lic.id, licence_node(lic)

        return await _mutate(info, tenant_id, "licence.created", LICENCE, work,
                             IpLicencePayload, "licence")

    @strawberry.mutation(description="Record a royalty payment under a licence.",
                         extensions=requires(LICENCE, "update"))
    async def record_ip_royalty_payment(
        self, info: Info, tenant_id: ID, licence_id: ID, currency: str,
        paid_on: date | None = None, amount: Decimal | None = None, reference: str = "",
    ) -> IpRoyaltyPaymentPayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            p = await services.record_payment(s, licence_id=str(licence_id), paid_on=paid_on,
                                              amount=amount, currency=currency,
                                              reference=reference)
            return p.id, payment_node(p)

        return await _mutate(info, tenant_id, "royalty.recorded", LICENCE, work,
                             IpRoyaltyPaymentPayload, "payment")

    @strawberry.mutation(description="Report a detected incident (Monitor).",
                         extensions=requires(INCIDENT, "create"))
    async def report_ip_incident(self, info: Info, tenant_id: ID,
                                 input: IpIncidentInput) -> IpIncidentPayload:  # noqa: A002
        async def work(s: AsyncSession) -> tuple[str, Any]:
            i = await services.report_incident(s, _input(input))
            return i.id, (await _incident_nodes(s, [i]))[0]

        return await _mutate(info, tenant_id, "incident.reported", INCIDENT, work,
                             IpIncidentPayload, "incident")

    @strawberry.mutation(description="Record a response to an incident (Respond).",
                         extensions=requires(INCIDENT, "update"))
    async def record_ip_incident_response(
        self, info: Info, tenant_id: ID, incident_id: ID, action: str,
        taken_on: date | None = None, description: str = "", responder: str = "",
    ) -> IpIncidentPayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            await services.record_response(s, incident_id=str(incident_id), action=action,
                                           description=description, responder=responder,
                                           taken_on=taken_on or date.today())
            i = await services.get(s, IpIncident, str(incident_id), "incident")
            return i.id, (await _incident_nodes(s, [i]))[0]

        return await _mutate(info, tenant_id, "incident.responded", INCIDENT, work,
                             IpIncidentPayload, "incident")

    @strawberry.mutation(description="Create or replace an incident's recovery plan (Recover).",
                         extensions=requires(INCIDENT, "update"))
    async def set_ip_recovery_plan(
        self, info: Info, tenant_id: ID, incident_id: ID, summary: str,
        steps: list[IpRecoveryStepInput], status: str = "draft",
    ) -> IpIncidentPayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            await services.set_recovery_plan(s, incident_id=str(incident_id), summary=summary,
                                             steps=[_input(x) for x in steps], status=status)
            i = await services.get(s, IpIncident, str(incident_id), "incident")
            return i.id, (await _incident_nodes(s, [i]))[0]

        return await _mutate(info, tenant_id, "incident.recovery_planned", INCIDENT, work,
                             IpIncidentPayload, "incident")

    @strawberry.mutation(description="Close an incident.", extensions=requires(INCIDENT, "close"))
    async def close_ip_incident(self, info: Info, tenant_id: ID, id: ID  # noqa: A002
                                ) -> IpIncidentPayload:
        async def work(s: AsyncSession) -> tuple[str, Any]:
            i = await services.close_incident(
                s, await services.get(s, IpIncident, str(id), "incident"))
            return i.id, (await _incident_nodes(s, [i]))[0]

        return await _mutate(info, tenant_id, "incident.closed", INCIDENT, work,
                             IpIncidentPayload, "incident")
