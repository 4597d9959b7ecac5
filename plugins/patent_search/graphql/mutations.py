"""The mutations of patent_search: collections, ingestion jobs, FTO screenings, watchlists
and their matches, the procurement register.

Each one checks its input, then runs a service (``patent_search.services``) through the core
kit's ``mutate``: the caller's own tenant, one transaction, the audit event in it, every
``DomainError`` returned as ``errors`` with nothing stored. No resolver writes by itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import InvalidInput, enqueue_job, errors_as_data, mutate, requires

from .. import fto as fto_screen
from .. import services
from ..access import visible_collection_ids, writable_collection
from ..jobs import INGEST_KIND, check_source
from ..models import COLLECTION_KINDS
from ..store import backend
from ..watch import compile_query, validate_criteria
from .types import (
    COLL,
    DOC,
    PROC,
    WATCH,
    CollectionInput,
    CollectionPayload,
    FtoPayload,
    IngestPayload,
    PatentDeletePayload,
    ProcurementInput,
    ProcurementPayload,
    WatchlistInput,
    WatchlistPayload,
    collection_node,
    item_node,
    screening_node,
    watch_node,
)

__all__ = ["PatentMutation"]

ID = strawberry.ID


# --- validation -------------------------------------------------------------------------------


def _check_collection(data: CollectionInput) -> None:
    if not data.name.strip() or len(data.name) > 200:
        raise InvalidInput("a name of 1 to 200 characters is required", field="input.name")
    if data.kind not in COLLECTION_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(COLLECTION_KINDS)}",
                           field="input.kind")


def _procurement_values(data: ProcurementInput) -> dict[str, Any]:
    for name in ("vendor", "product"):
        if not getattr(data, name).strip() or len(getattr(data, name)) > 200:
            raise InvalidInput("1 to 200 characters are required", field=f"input.{name}")
    try:
        cost = Decimal(data.annual_cost)
    except InvalidOperation:
        raise InvalidInput(f"{data.annual_cost!r} is not a number", field="input.annualCost"
                           ) from None
    if cost < 0 or not cost.is_finite() or cost >= Decimal("1e12"):
        raise InvalidInput("the annual cost must be between 0 and 10^12",
                           field="input.annualCost")
    if len(data.currency) != 3 or not data.currency.isalpha():
        raise InvalidInput("a three-letter ISO 4217 code (CNY, EUR, USD)", field="input.currency")
    if data.seats < 1:
        raise InvalidInput("at least one seat", field="input.seats")
    if data.contract_start and data.contract_end and data.contract_end < data.contract_start:
        raise InvalidInput("the contract ends before it starts", field="input.contractEnd")
    values = dataclasses.asdict(data)
    values.update(annual_cost=cost, currency=data.currency.upper(),
                  coverage=[c.strip().upper() for c in data.coverage if c.strip()][:50])
    return values


def _watch_values(data: WatchlistInput) -> dict[str, Any]:
    if not data.name.strip() or len(data.name) > 200:
        raise InvalidInput("a name of 1 to 200 characters is required", field="input.name")
    if data.severity not in ("info", "low", "medium", "high", "critical"):
        raise InvalidInput("severity: info, low, medium, high or critical",
                           field="input.severity")
    validate_criteria(data.cpc, data.keywords, data.assignees, data.query)
    if data.query.strip():
        from ..search import QuerySyntaxError, parse

        try:
            parse(data.query)
        except QuerySyntaxError as exc:
            raise InvalidInput(str(exc), code="QUERY_SYNTAX", field="input.query") from None
    values = dataclasses.asdict(data)
    values["query"] = data.query.strip() or compile_query(data.cpc, data.keywords,
                                                          data.assignees)
    return values


def _check_screening(title: str, text: str, limit: int) -> None:
    if not text.strip() or len(text) > fto_screen.MAX_TEXT:
        raise InvalidInput(f"1 to {fto_screen.MAX_TEXT} characters", field="text")
    if not title.strip() or len(title) > 300:
        raise InvalidInput("a title of 1 to 300 characters", field="title")
    if not 1 <= limit <= 50:
        raise InvalidInput("limit must be between 1 and 50", field="limit")


def _deleted(_: Any) -> bool:
    return True


async def _watchlist(info: Info, tenant_id: ID, done: str,
                     work: Callable[[Any], Awaitable[Any]]) -> WatchlistPayload:
    return await mutate(info, str(tenant_id), WatchlistPayload, "watchlist", work,
                        action=f"patent_search.watchlist.{done}", object_type=WATCH,
                        details=lambda row: {"name": row.name}, to_node=watch_node)


@strawberry.type
class PatentMutation:
    @strawberry.mutation(description="Create a collection (shared with the group's "
                                     "subsidiaries when sharedWithGroup).",
                         extensions=requires(COLL, "create"))
    async def create_patent_collection(self, info: Info, tenant_id: ID,
                                       input: CollectionInput) -> CollectionPayload:  # noqa: A002
        tid, actor = str(tenant_id), info.context.actor

        async def work(session: Any) -> Any:
            _check_collection(input)
            return await services.create_collection(
                session, name=input.name.strip(), kind=input.kind,
                description=input.description, source=input.source,
                shared_with_group=input.shared_with_group, actor=actor)

        return await mutate(
            info, tid, CollectionPayload, "collection", work,
            action="patent_search.collection.created", object_type=COLL,
            details=lambda row: {"name": row.name, "shared": row.shared_with_group},
            to_node=lambda row: collection_node(row, tid))

    @strawberry.mutation(description="Delete an own collection with its documents.",
                         extensions=requires(COLL, "delete"))
    async def delete_patent_collection(self, info: Info, tenant_id: ID,
                                       collection_id: ID) -> PatentDeletePayload:
        tid = str(tenant_id)
        payload = await mutate(
            info, tid, PatentDeletePayload, "deleted",
            lambda s: services.delete_collection(s, tid, str(collection_id)),
            action="patent_search.collection.deleted", object_type=COLL,
            details=lambda row: {"name": row.name}, to_node=_deleted)
        if payload.deleted:  # stored: the index follows (it is not transactional)
            engine = backend(info.context.platform)
            engine.delete_collection(str(collection_id))
            engine.refresh()
        return payload

    @strawberry.mutation(description="Ingest a file or folder (under the import folders) into "
                                     "an own collection, as a background job.",
                         extensions=requires(DOC, "ingest"))
    async def ingest_patents(self, info: Info, tenant_id: ID, collection_id: ID,
                             path: str) -> IngestPayload:
        platform, tid = info.context.platform, str(tenant_id)

        async def run() -> IngestPayload:  # enqueue_job writes the job and audits it
            checked = check_source(platform, path, tid)
            async with info.context.session(tid) as session:
                await writable_collection(session, tid, str(collection_id))
            job = await enqueue_job(platform, tenant_id=tid, kind=INGEST_KIND,
                                    params={"collection_id": str(collection_id),
                                            "source": str(checked)},
                                    actor=info.context.actor)
            return IngestPayload(job_id=ID(job.id))

        return await errors_as_data(IngestPayload, run)

    @strawberry.mutation(description="Screen a technical solution against the claims of the "
                                     "visible collections; the result is kept as evidence.",
                         extensions=requires(DOC, "screen"))
    async def screen_fto(self, info: Info, tenant_id: ID, title: str, text: str,
                         collection_ids: list[ID] | None = None,
                         limit: int = 10) -> FtoPayload:
        platform, tid = info.context.platform, str(tenant_id)

        async def run() -> FtoPayload:
            _check_screening(title, text, limit)
            ids = await visible_collection_ids(platform, tid,
                                               [str(c) for c in collection_ids or []])
            hits = await fto_screen.screen(platform, tid, ids, text, limit=limit)

            async def store(s: AsyncSession) -> Any:
                row = await services.save_screening(
                    s, title=title.strip(), text=text, collection_ids=ids,
                    results=[dataclasses.asdict(h) for h in hits], actor=info.context.actor)
                await platform.record_event(
                    s, tenant_id=tid, type="patent_search.fto.stored", actor=info.context.actor,
                    object_id=row.id, payload={"tenant_id": tid, "screening_id": row.id,
                                               "title": row.title[:500], "hits": len(hits),
                                               "collections": len(ids)})
                return row

            # the screening is the object (not a document): the trail says what was done
            return await mutate(
                info, tid, FtoPayload, "screening", store,
                action="patent_search.fto.screened", object_type="patent_search:fto_screening",
                details=lambda _: {"hits": len(hits), "collections": len(ids)},
                to_node=screening_node)

        return await errors_as_data(FtoPayload, run)

    @strawberry.mutation(description="Create a watchlist.", extensions=requires(WATCH, "create"))
    async def create_patent_watchlist(self, info: Info, tenant_id: ID,
                                      input: WatchlistInput) -> WatchlistPayload:  # noqa: A002
        actor = info.context.actor
        return await _watchlist(info, tenant_id, "created", lambda s: services.create_watchlist(
            s, _watch_values(input), actor))

    @strawberry.mutation(description="Replace a watchlist's criteria.",
                         extensions=requires(WATCH, "update"))
    async def update_patent_watchlist(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                      input: WatchlistInput) -> WatchlistPayload:  # noqa: A002
        return await _watchlist(info, tenant_id, "updated", lambda s: services.update_watchlist(
            s, str(id), _watch_values(input)))

    @strawberry.mutation(description="Mark watchlist matches as assessed.",
                         extensions=requires(WATCH, "update"))
    async def acknowledge_patent_matches(self, info: Info, tenant_id: ID,
                                         match_ids: list[ID]) -> PatentDeletePayload:
        return await mutate(
            info, str(tenant_id), PatentDeletePayload, "deleted",
            lambda s: services.acknowledge_matches(s, [str(m) for m in match_ids]),
            action="patent_search.matches.acknowledged", object_type=WATCH,
            object_id=lambda _: "", details=lambda count: {"count": count}, to_node=_deleted)

    @strawberry.mutation(description="Add a purchase to the procurement register.",
                         extensions=requires(PROC, "create"))
    async def add_procurement_item(self, info: Info, tenant_id: ID,
                                   input: ProcurementInput) -> ProcurementPayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), ProcurementPayload, "item",
            lambda s: services.add_procurement_item(s, _procurement_values(input)),
            action="patent_search.procurement.added", object_type=PROC,
            details=lambda row: {"vendor": row.vendor, "product": row.product},
            to_node=item_node)

    @strawberry.mutation(description="Remove a purchase from the register.",
                         extensions=requires(PROC, "delete"))
    async def remove_procurement_item(self, info: Info, tenant_id: ID,
                                      id: ID) -> PatentDeletePayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), PatentDeletePayload, "deleted",
            lambda s: services.remove_procurement_item(s, str(id)),
            action="patent_search.procurement.removed", object_type=PROC,
            object_id=lambda _: str(id),
            details=lambda row: {"vendor": row.vendor, "product": row.product},
            to_node=_deleted)
