"""Reading stored documents: one by a publication number written any common way, or the
documents search hits name (read in the tenant's own collection scope)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import InvalidInput, NotFound, PlatformContext

from .access import collection_session
from .models import PatentDocument
from .numbers import InvalidPublicationNumber, parse_number

__all__ = ["documents_by_keys", "find_document"]

MAX_KINDS = 20


async def find_document(session: AsyncSession, collection_id: str, text: str,
                        jurisdiction: str | None = None) -> Any:
    """The document of ``collection_id`` that ``text`` names (``US7548894``, ``US 7,548,894
    B2``, ``7548894`` with ``jurisdiction="US"``, ...). Without a kind the one stored
    publication of that number is found; several kinds (``EP…A1`` and ``EP…B1``) are
    ``AMBIGUOUS_NUMBER`` naming them; a kind finds that kind, or the record stored without one
    (PatentsView rows carry none)."""
    try:
        wanted = parse_number(text, jurisdiction)
    except InvalidPublicationNumber as exc:
        raise InvalidInput(str(exc), code="INVALID_PUBLICATION_NUMBER",
                           field="publicationNumber") from None
    if not wanted.country:
        raise InvalidInput(f"{text!r} names no office: write it with one (US7548894) or pass "
                           "jurisdiction", code="JURISDICTION_REQUIRED",
                           field="publicationNumber")
    rows = (await session.execute(select(PatentDocument).where(
        PatentDocument.collection_id == collection_id,
        PatentDocument.publication_number.startswith(wanted.prefix, autoescape=True))
        .order_by(PatentDocument.publication_number).limit(MAX_KINDS))).scalars().all()
    exact = [d for d in rows if d.publication_number == wanted.canonical]
    kindless = [d for d in rows if d.publication_number == wanted.prefix]
    found = exact or (kindless if wanted.kind else rows)
    if len(found) > 1:
        names = ", ".join(d.publication_number for d in found)
        raise InvalidInput(f"{text!r} names several publications in this collection ({names}): "
                           "add the kind code", code="AMBIGUOUS_NUMBER",
                           field="publicationNumber")
    if not found:
        raise NotFound(f"no document {wanted.canonical.rstrip('-')} in the collection",
                       code="DOCUMENT_NOT_FOUND", field="publicationNumber")
    return found[0]


async def documents_by_keys(platform: PlatformContext, tenant_id: str,
                            keys: list[tuple[str, str]]) -> list[Any]:
    """The documents ``(collection id, publication number)`` of the collections the tenant
    may read (its own and its ancestors' scope), detached from the session."""
    if not keys:
        return []
    wanted = set(keys)
    async with collection_session(platform, tenant_id) as session:
        rows = (await session.execute(select(PatentDocument).where(
            PatentDocument.collection_id.in_({c for c, _ in wanted}),
            PatentDocument.publication_number.in_({p for _, p in wanted})))).scalars().all()
    return [d for d in rows if (d.collection_id, d.publication_number) in wanted]
