"""Writing documents: the database row is the record, the search index follows it.

Records are upserted by ``(collection, publication number)``: a document ingested again
updates its row (and its index entry) instead of adding a duplicate; an unchanged document
(same content hash) is left alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ipgov.api import PlatformContext, utcnow

from .ingest.model import PatentRecord, merge_records
from .models import Collection, PatentDocument
from .settings import PLUGIN, settings_of

__all__ = ["UpsertStats", "backend", "document_record", "refresh_count", "upsert_records"]

_LOCK = threading.Lock()
_FIELDS = ("publication_number", "country", "doc_number", "kind", "title", "abstract", "claims",
           "description", "publication_date", "filing_date", "priority_date",
           "application_number", "family_id", "cpc", "ipc", "applicants", "assignees",
           "inventors", "citations", "language", "source_format", "source_file")
MAX_DESCRIPTION = 200_000
_BOUNDED = {"publication_number": 60, "country": 8, "doc_number": 60, "kind": 8,
            "language": 16, "source_format": 60}


def backend(platform: PlatformContext) -> Any:
    """The platform's search backend (tantivy under the data directory by default), opened
    once per process and kept in the plugin's state."""
    state = platform.plugin_state(PLUGIN)
    found = state.get("backend")
    if found is None:
        with _LOCK:
            found = state.get("backend")
            if found is None:
                from .search import open_backend

                found = state["backend"] = open_backend(platform.settings.data_dir,
                                                        settings_of(platform))
    return found


@dataclass
class UpsertStats:
    """What one batch did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_keys: list[str] = field(default_factory=list)


def _hash(record: PatentRecord) -> str:
    data = {name: getattr(record, name) for name in _FIELDS if name != "source_file"}
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _values(record: PatentRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _FIELDS}
    values["description"] = (values["description"] or "")[:MAX_DESCRIPTION]
    for name in ("title", "abstract"):
        values[name] = values[name] or ""
    for name, size in _BOUNDED.items():  # what no real number exceeds; a garbled one is cut
        values[name] = (values[name] or "")[:size]
    return values


def document_record(doc: PatentDocument) -> PatentRecord:
    """The record a stored document was made from (to index it again)."""
    return PatentRecord(**{name: getattr(doc, name) for name in _FIELDS})


async def upsert_records(platform: PlatformContext, session: Any, tenant_id: str,
                         collection_id: str, records: Iterable[PatentRecord]) -> UpsertStats:
    """Insert or update ``records`` in the collection (in the caller's transaction), then
    index the changed ones. The same publication twice in one batch keeps the last, and a
    ``partial`` record (one part of a publication: OPS claims, family...) updates only the
    fields it brings."""
    from .search import IndexDoc

    by_number: dict[str, PatentRecord] = {}
    for record in records:
        held = by_number.get(record.publication_number)
        by_number[record.publication_number] = (merge_records(held, record) if held
                                                 else record)
    stats = UpsertStats()
    if not by_number:
        return stats
    existing = {d.publication_number: d for d in (await session.execute(
        select(PatentDocument).where(PatentDocument.collection_id == collection_id,
                                     PatentDocument.publication_number.in_(list(by_number)))
    )).scalars()}
    changed: list[PatentRecord] = []
    now = utcnow()
    for number, record in by_number.items():
        doc = existing.get(number)
        if doc is not None and record.partial:
            record = merge_records(document_record(doc), record)
        digest = _hash(record)
        if doc is None:
            session.add(PatentDocument(tenant_id=tenant_id, collection_id=collection_id,
                                       content_hash=digest, ingested_at=now, updated_at=now,
                                       **_values(record)))
            stats.inserted += 1
        elif doc.content_hash == digest:
            stats.unchanged += 1
            continue
        else:
            for name, value in _values(record).items():
                setattr(doc, name, value)
            doc.content_hash, doc.updated_at = digest, now
            stats.updated += 1
        changed.append(record)
    await session.flush()
    if changed:
        backend(platform).upsert(IndexDoc.of(tenant_id, collection_id, r) for r in changed)
        stats.changed_keys = [f"{collection_id}:{r.publication_number}" for r in changed]
    return stats


async def refresh_count(session: Any, collection_id: str) -> int:
    """Recount a collection's documents (stored on the collection)."""
    count = (await session.execute(select(func.count()).select_from(PatentDocument).where(
        PatentDocument.collection_id == collection_id))).scalar_one()
    collection = await session.get(Collection, collection_id)
    if collection is not None:
        collection.document_count = count
        collection.updated_at = utcnow()
    return count


def record_dict(record: PatentRecord) -> dict[str, Any]:
    """A JSON-able view of a record (dates as ISO strings)."""
    data = dataclasses.asdict(record)
    data.pop("warnings", None)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
