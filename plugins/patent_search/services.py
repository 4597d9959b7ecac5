"""The writes of patent_search: collections, FTO screenings kept as evidence, watchlists and
their matches, and the procurement register.

Each service runs in the caller's tenant-scoped session and raises a ``DomainError`` with a
stable code and the field at fault; the GraphQL mutations (``graphql/mutations.py``) run
them through the core's kit, which audits in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import InvalidInput, NotFound

from .access import writable_collection
from .models import (
    Collection,
    FtoScreening,
    PatentDocument,
    ProcurementItem,
    Watchlist,
    WatchlistMatch,
)

__all__ = ["acknowledge_matches", "add_procurement_item", "create_collection",
           "create_watchlist", "delete_collection", "remove_procurement_item", "save_screening",
           "update_watchlist"]


async def create_collection(session: AsyncSession, *, name: str, kind: str, description: str,
                            source: str, shared_with_group: bool, actor: str) -> Collection:
    """A new collection of the session's tenant; ``DUPLICATE`` when the name is taken."""
    if (await session.execute(select(Collection.id).where(Collection.name == name))).first():
        raise InvalidInput("a collection of that name exists", code="DUPLICATE",
                           field="input.name")
    row = Collection(name=name, kind=kind, description=description, source=source,
                     shared_with_group=shared_with_group, created_by=actor)
    session.add(row)
    await session.flush()
    return row


async def delete_collection(session: AsyncSession, tenant_id: str,
                            collection_id: str) -> Collection:
    """Delete an own collection and its documents (the search index is the caller's next
    step, once this commits)."""
    row = await writable_collection(session, tenant_id, collection_id)
    await session.execute(delete(PatentDocument).where(PatentDocument.collection_id == row.id))
    await session.delete(row)
    return row


async def save_screening(session: AsyncSession, *, title: str, text: str,
                         collection_ids: Iterable[str], results: list[dict[str, Any]],
                         actor: str) -> FtoScreening:
    """Keep an FTO screening and its results as evidence."""
    row = FtoScreening(title=title, text=text, collection_ids=sorted(collection_ids),
                       created_by=actor, results=results)
    session.add(row)
    await session.flush()
    return row


async def create_watchlist(session: AsyncSession, values: dict[str, Any],
                           actor: str) -> Watchlist:
    """A new watchlist from checked values; ``DUPLICATE`` when the name is taken."""
    if (await session.execute(select(Watchlist.id).where(
            Watchlist.name == values["name"]))).first():
        raise InvalidInput("a watchlist of that name exists", code="DUPLICATE",
                           field="input.name")
    row = Watchlist(created_by=actor, **values)
    session.add(row)
    await session.flush()
    return row


async def update_watchlist(session: AsyncSession, watchlist_id: str,
                           values: dict[str, Any]) -> Watchlist:
    """Replace a watchlist's criteria; ``WATCHLIST_NOT_FOUND`` for an id of no watchlist of
    this tenant."""
    row = await session.get(Watchlist, watchlist_id)
    if row is None:
        raise NotFound("no such watchlist in this tenant", code="WATCHLIST_NOT_FOUND",
                       field="id")
    for key, value in values.items():
        setattr(row, key, value)
    return row


async def acknowledge_matches(session: AsyncSession, match_ids: list[str]) -> int:
    """Mark matches as assessed; ``MATCH_NOT_FOUND`` (nothing changed) when any id is not a
    match of this tenant. Returns how many were asked for."""
    if not 1 <= len(match_ids) <= 500:
        raise InvalidInput("1 to 500 match ids", field="matchIds")
    done = await session.execute(update(WatchlistMatch).where(
        WatchlistMatch.id.in_(match_ids)).values(acknowledged=True).execution_options(
        synchronize_session=False))
    if cast(CursorResult[Any], done).rowcount != len(set(match_ids)):
        raise NotFound("some matches are not in this tenant", code="MATCH_NOT_FOUND",
                       field="matchIds")
    return len(match_ids)


async def add_procurement_item(session: AsyncSession, values: dict[str, Any]
                               ) -> ProcurementItem:
    """A purchase added to the tenant's register."""
    row = ProcurementItem(**values)
    session.add(row)
    await session.flush()
    return row


async def remove_procurement_item(session: AsyncSession, item_id: str) -> ProcurementItem:
    """Remove a purchase; ``PROCUREMENT_NOT_FOUND`` for an id of no purchase of this tenant."""
    row = await session.get(ProcurementItem, item_id)
    if row is None:
        raise NotFound("no such purchase in this tenant", code="PROCUREMENT_NOT_FOUND",
                       field="id")
    await session.delete(row)
    return row
