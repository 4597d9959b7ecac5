"""GraphQL of the office connectors: each office's connector and run status for a tenant,
its credentials set and cleared (never read back), a refresh run requested, and the legal
events the offices gave, page by page.

Errors of a run (the office's quota, throttling, refused credentials) are shown with their
stable code and a message in the caller's language (``message``) and in English
(``messageEn``), from the core message catalog.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    InvalidInput,
    UserError,
    enqueue_job,
    errors_as_data,
    localized_message,
    mutate,
    requires,
    row_mapper,
    tenant_page,
)

from ..offices.cnipa import REASON
from ..offices.models import OfficeConnector, OfficeLegalEvent
from ..offices.refresh import REFRESH_KIND
from ..offices.registry import CONNECTORS, OfficeConnectorInfo, connector_info
from ..offices.services import clear_credentials, set_credentials
from .types import DOC

__all__ = ["OfficeMutation", "OfficeQuery"]

ID = strawberry.ID
OFFICE = "patent_search:office_connector"


@strawberry.type(name="OfficeError", description="Why an office connector's run stopped.")
class OfficeErrorType:
    code: str = strawberry.field(description="OFFICE_QUOTA_HOURLY, OFFICE_QUOTA_WEEKLY, "
                                             "OFFICE_ROBOT_DETECTED, OFFICE_THROTTLED, "
                                             "OFFICE_AUTH_FAILED, OFFICE_FORBIDDEN, "
                                             "OFFICE_UNREACHABLE, OFFICE_SERVER_ERROR, "
                                             "OFFICE_BAD_ANSWER or OFFICE_NOT_AVAILABLE")
    message: str = strawberry.field(description="In the request's language")
    message_en: str = strawberry.field(description="In English")


@strawberry.type(name="OfficeServiceLight",
                 description="One OPS service's traffic light as the office last gave it.")
class ServiceLightType:
    service: str = strawberry.field(description="retrieval, inpadoc, search, images, other")
    colour: str = strawberry.field(description="green, yellow, red or black")
    limit: int = strawberry.field(description="Requests per minute the office allows now")


@strawberry.type(name="OfficeQuota", description="What the office last said of the use.")
class QuotaType:
    system_state: str = strawberry.field(description="idle, busy or overloaded (EPO OPS)")
    services: list[ServiceLightType]
    hourly_used: int | None = strawberry.field(description="Bytes of the hourly quota used")
    weekly_used: int | None = strawberry.field(description="Bytes of the weekly quota used")
    pauses: int = strawberry.field(description="Pauses the last run made for the lights")


@strawberry.type(name="OfficeConnector",
                 description="A tenant's connector to one office's service and its runs.")
class ConnectorType:
    office: str = strawberry.field(description="epo_ops, uspto_odp or cnipa")
    name: str
    available: bool = strawberry.field(description="Whether the office has a machine "
                                                   "interface at all (CNIPA has none)")
    covers: str
    credential_fields: list[str] = strawberry.field(description="What setOfficeCredentials "
                                                                "needs for this office")
    configured: bool = strawberry.field(description="Credentials are set (never shown)")
    credential_hint: str = strawberry.field(description="The last four characters of the "
                                                        "key, to tell which one is set")
    configured_by: str
    configured_at: datetime | None
    status: str = strawberry.field(description="not_configured, idle, running, completed, "
                                               "quota_exceeded, throttled, interrupted, "
                                               "failed or not_available")
    done: int = strawberry.field(description="Numbers of the current run finished (the "
                                             "cursor)")
    total: int = strawberry.field(description="Numbers of the current run")
    run_started_at: datetime | None
    last_run_at: datetime | None
    last_completed_at: datetime | None
    resume_after: datetime | None = strawberry.field(description="When the office may be "
                                                                 "asked again (a quota)")
    quota: QuotaType
    last_error: OfficeErrorType | None
    requests_total: int
    documents_total: int
    events_total: int
    collection_id: ID | None


@strawberry.type(name="OfficeLegalEvent",
                 description="A legal-status event an office gave for a family member.")
class LegalEventType:
    id: ID
    office: str
    register_number: str = strawberry.field(description="The register's number asked for")
    publication_number: str = strawberry.field(description="The family member it is about")
    application_number: str
    family_id: str
    country: str
    code: str = strawberry.field(description="The office's event code (INPADOC: AK, 17P, "
                                             "PG25; USPTO: M1551, ABN2...)")
    date: date | None
    description: str
    influence: str = strawberry.field(description="INPADOC: + adds to the right, - takes "
                                                  "from it, empty neutral")
    text: str
    fetched_at: datetime


@strawberry.input(name="OfficeCredentialsInput",
                  description="EPO OPS: consumerKey and consumerSecret; USPTO ODP: apiKey.")
class CredentialsInput:
    consumer_key: str = ""
    consumer_secret: str = ""
    api_key: str = ""


@strawberry.type
class OfficeConnectorPayload:
    connector: ConnectorType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OfficeRefreshPayload:
    job_id: ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _error(code: str, message: str, params: dict[str, Any]) -> OfficeErrorType:
    return OfficeErrorType(code=code, message=localized_message(code, message, params),
                           message_en=message)


def _quota(data: dict[str, Any]) -> QuotaType:
    lights = [ServiceLightType(service=k, colour=str(v.get("colour", "")),
                               limit=int(v.get("limit") or 0))
              for k, v in sorted((data.get("services") or {}).items())]
    return QuotaType(system_state=str(data.get("system_state") or ""), services=lights,
                     hourly_used=data.get("hourly_used"), weekly_used=data.get("weekly_used"),
                     pauses=int(data.get("pauses") or 0))


def connector_node(info: OfficeConnectorInfo, row: OfficeConnector | None) -> ConnectorType:
    """An office's connector as the tenant has it (defaults when never configured)."""
    error = None
    if not info.available:
        error = _error("OFFICE_NOT_AVAILABLE", REASON, {"office": info.name})
    elif row is not None and row.last_error_code:
        error = _error(row.last_error_code, row.last_error_message, row.last_error_params or {})
    configured = bool(row is not None and row.sealed_credentials)
    status = ("not_available" if not info.available else
              row.status if row is not None and configured else "not_configured")
    return ConnectorType(
        office=info.key, name=info.name, available=info.available, covers=info.covers,
        credential_fields=list(info.credentials), configured=configured,
        credential_hint=row.credential_hint if row is not None else "",
        configured_by=row.configured_by if row is not None else "",
        configured_at=row.configured_at if row is not None else None, status=status,
        done=row.cursor if row is not None else 0,
        total=len(row.run_numbers or []) if row is not None else 0,
        run_started_at=row.run_started_at if row is not None else None,
        last_run_at=row.last_run_at if row is not None else None,
        last_completed_at=row.last_completed_at if row is not None else None,
        resume_after=row.resume_after if row is not None else None,
        quota=_quota(row.quota or {} if row is not None else {}), last_error=error,
        requests_total=row.requests_total if row is not None else 0,
        documents_total=row.documents_total if row is not None else 0,
        events_total=row.events_total if row is not None else 0,
        collection_id=ID(row.collection_id) if row is not None and row.collection_id else None)


event_node = row_mapper(LegalEventType, date=lambda r: r.event_date)


@strawberry.type
class OfficeQuery:
    @strawberry.field(description="The tenant's connector to each office, with its last run: "
                                  "cursor, quota state and last error (credentials are never "
                                  "returned).", extensions=requires(OFFICE, "read"))
    async def office_connectors(self, info: Info, tenant_id: ID) -> list[ConnectorType]:
        async with info.context.session(str(tenant_id)) as session:
            rows = {r.office: r for r in (await session.execute(
                select(OfficeConnector))).scalars()}
        return [connector_node(c, rows.get(k)) for k, c in CONNECTORS.items()]

    @strawberry.field(description="Legal events the offices gave for the register's numbers "
                                  "and their family members, by family member.",
                      extensions=requires(DOC, "read"))
    async def office_legal_events(
        self, info: Info, tenant_id: ID, publication_number: str | None = None,
        register_number: str | None = None, office: str | None = None, first: int = 50,
        after: str | None = None,
    ) -> Connection[LegalEventType]:
        stmt = select(OfficeLegalEvent)
        if publication_number:
            stmt = stmt.where(OfficeLegalEvent.publication_number == publication_number.strip())
        if register_number:
            stmt = stmt.where(OfficeLegalEvent.register_number == register_number.strip())
        if office:
            stmt = stmt.where(OfficeLegalEvent.office == office)
        return await tenant_page(info, str(tenant_id), stmt,
                                 [OfficeLegalEvent.publication_number, OfficeLegalEvent.id],
                                 first=first, after=after, to_node=event_node)


@strawberry.type
class OfficeMutation:
    @strawberry.mutation(description="Set (or replace) the tenant's credentials for an "
                                     "office; stored sealed, never returned.",
                         extensions=requires(OFFICE, "configure"))
    async def set_office_credentials(self, info: Info, tenant_id: ID, office: str,
                                     input: CredentialsInput  # noqa: A002
                                     ) -> OfficeConnectorPayload:
        tid, actor, platform = str(tenant_id), info.context.actor, info.context.platform
        given = {"consumer_key": input.consumer_key, "consumer_secret": input.consumer_secret,
                 "api_key": input.api_key}

        async def work(session: Any) -> OfficeConnector:
            return await set_credentials(platform, session, tid, office, given, actor)

        return await mutate(info, tid, OfficeConnectorPayload, "connector", work,
                            action="patent_search.office_connector.configured",
                            object_type=OFFICE,
                            details=lambda row: {"office": row.office,
                                                 "hint": row.credential_hint},
                            to_node=lambda row: connector_node(connector_info(office), row))

    @strawberry.mutation(description="Forget the tenant's credentials for an office (its "
                                     "events and run state stay).",
                         extensions=requires(OFFICE, "configure"))
    async def clear_office_credentials(self, info: Info, tenant_id: ID,
                                       office: str) -> OfficeConnectorPayload:
        return await mutate(info, str(tenant_id), OfficeConnectorPayload, "connector",
                            lambda s: clear_credentials(s, office),
                            action="patent_search.office_connector.cleared",
                            object_type=OFFICE, details=lambda row: {"office": row.office},
                            to_node=lambda row: connector_node(connector_info(office), row))

    @strawberry.mutation(description="Refresh the register's numbers from the offices now, as "
                                     "a background job (it resumes a stopped run).",
                         extensions=requires(OFFICE, "run"))
    async def refresh_from_offices(self, info: Info, tenant_id: ID,
                                   office: str | None = None) -> OfficeRefreshPayload:
        platform, tid = info.context.platform, str(tenant_id)

        async def run() -> OfficeRefreshPayload:
            if office is not None:
                found = connector_info(office)
                if not found.available:
                    raise InvalidInput(REASON, code="OFFICE_NOT_AVAILABLE", field="office")
            job = await enqueue_job(platform, tenant_id=tid, kind=REFRESH_KIND,
                                    params={"office": office} if office else {},
                                    actor=info.context.actor)
            return OfficeRefreshPayload(job_id=ID(job.id))

        return await errors_as_data(OfficeRefreshPayload, run)
