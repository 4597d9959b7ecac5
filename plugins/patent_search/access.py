"""Which collections a tenant may read and write.

A tenant reads its own collections and the collections its ancestors share with their group
(``shared_with_group``: bought once at group level, read by every subsidiary). It writes only
its own. A sibling's or another group's collection is never visible.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from ipgov.api import (
    InvalidInput,
    NotFound,
    PlatformContext,
    SessionContext,
    TenantScope,
    lineage,
)

from .models import Collection

__all__ = ["collection_scope", "collection_session", "readable_collection",
           "visible_collection_ids", "visible_collections", "writable_collection"]


_SHARED_REASON = "patent_search: own and group-shared collections"


def _lineage_ids(platform: PlatformContext, tenant_id: str) -> frozenset[str]:
    return frozenset(t.id for t in lineage(platform, tenant_id)) or frozenset({tenant_id})


def collection_scope(platform: PlatformContext, tenant_id: str) -> TenantScope:
    """A read scope over the tenant and its ancestors (where shared collections live)."""
    return TenantScope.tenants(_lineage_ids(platform, tenant_id), _SHARED_REASON)


def collection_session(platform: PlatformContext, tenant_id: str) -> SessionContext:
    """A read-only session over the tenant and its ancestors (``collection_scope``)."""
    return platform.tenants_session(_lineage_ids(platform, tenant_id), _SHARED_REASON,
                                    readonly=True)


async def visible_collections(platform: PlatformContext, tenant_id: str) -> list[Collection]:
    """The tenant's collections and those its ancestors share, by owner then name."""
    async with collection_session(platform, tenant_id) as session:
        rows = (await session.execute(select(Collection).where(or_(
            Collection.tenant_id == tenant_id, Collection.shared_with_group.is_(True)))
            .order_by(Collection.tenant_id, Collection.name))).scalars().all()
        for row in rows:
            session.expunge(row)
    return list(rows)


async def visible_collection_ids(platform: PlatformContext, tenant_id: str,
                                 wanted: list[str] | None = None) -> frozenset[str]:
    """Ids of the visible collections (all, or ``wanted`` after checking each is visible)."""
    visible = {c.id for c in await visible_collections(platform, tenant_id)}
    if not wanted:
        return frozenset(visible)
    unknown = [c for c in wanted if c not in visible]
    if unknown:
        raise NotFound(f"no collection {unknown[0]!r} is visible to this tenant",
                       code="COLLECTION_NOT_FOUND", field="collectionIds")
    return frozenset(wanted)


async def readable_collection(platform: PlatformContext, tenant_id: str,
                              collection_id: str) -> Collection:
    """A collection the tenant may read, or ``COLLECTION_NOT_FOUND``."""
    for collection in await visible_collections(platform, tenant_id):
        if collection.id == collection_id:
            return collection
    raise NotFound("no such collection is visible to this tenant", code="COLLECTION_NOT_FOUND",
                   field="collectionId")


async def writable_collection(session: Any, tenant_id: str, collection_id: str) -> Collection:
    """A collection the tenant owns (``session`` is the tenant's own session).

    A group-shared collection seen from a subsidiary is read-only there: writing it takes a
    right in the group that owns it."""
    collection = await session.get(Collection, collection_id)
    if collection is None:
        raise NotFound("no such collection in this tenant (a collection shared by the group is "
                       "read-only here: change it in the group)", code="COLLECTION_NOT_FOUND",
                       field="collectionId")
    if collection.tenant_id != tenant_id:  # defensive: the tenant filter already ensures this
        raise InvalidInput("the collection belongs to another tenant", code="READ_ONLY")
    return collection
