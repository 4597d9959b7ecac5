"""The ingestion job: stream a file or folder of patent documents into a collection.

Runs in the workers with progress; a broken document is recorded as an error naming its file,
document and field while the rest loads; documents are committed in batches (a batch is all or
nothing, so a failure — a full disk, a lost database — leaves no half-written batch behind) and
a re-run updates instead of duplicating.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path
from typing import Any

from ipgov.api import InvalidInput, JobContext, PlatformContext

from .ingest import IngestError, iter_path
from .ingest.model import PatentRecord
from .models import Collection
from .settings import settings_of
from .store import backend, refresh_count, upsert_records
from .watch import match_batch, record_matches

__all__ = ["BATCH", "INGEST_KIND", "allowed_roots", "check_source", "ingest"]

INGEST_KIND = "patent_search.ingest"
BATCH = 500


def allowed_roots(platform: PlatformContext, tenant_id: str) -> list[Path]:
    """Folders a tenant may ingest from through the API: its own upload folder
    ``<data dir>/imports/<tenant id>`` and the operator's shared folders, setting
    ``import_dirs`` (``IPGOV_PATENT_IMPORT_DIRS``, ``os.pathsep`` separated)."""
    configured = str(settings_of(platform).import_dirs)
    roots = [Path(p) for p in configured.split(os.pathsep) if p.strip()]
    roots.append(Path(platform.settings.data_dir) / "imports" / tenant_id)
    return [r.resolve() for r in roots]


def check_source(platform: PlatformContext, source: str, tenant_id: str) -> Path:
    """The resolved path of ``source`` if it exists under an allowed root; else a clear error.
    """
    if not source or "\x00" in source:
        raise InvalidInput("give the path of a file or folder to ingest", field="path")
    path = Path(source).resolve()
    roots = allowed_roots(platform, tenant_id)
    if not any(path == r or r in path.parents for r in roots):
        raise InvalidInput(f"{source} is outside the import folders "
                           f"({', '.join(map(str, roots))}); upload the file or ask an operator "
                           "to add the folder to IPGOV_PATENT_IMPORT_DIRS",
                           code="PATH_NOT_ALLOWED", field="path")
    if not path.exists():
        raise InvalidInput(f"{source} does not exist", code="SOURCE_NOT_FOUND", field="path")
    return path


async def ingest(ctx: JobContext) -> dict[str, Any]:
    """Job handler: params ``collection_id`` and ``source`` (a checked path)."""
    collection_id = str(ctx.params.get("collection_id", ""))
    source = Path(str(ctx.params.get("source", "")))
    async with ctx.session() as session:
        collection = await session.get(Collection, collection_id)
        if collection is None:
            raise InvalidInput("the collection no longer exists in this tenant",
                               field="collection_id")
        session.expunge(collection)
    if not source.exists():
        raise InvalidInput(f"{source} does not exist", field="path")
    platform = ctx.platform
    per_format: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    new_matches: Counter[str] = Counter()
    batch: list[PatentRecord] = []
    files: set[str] = set()

    async def flush() -> None:
        if not batch:
            return
        async with ctx.session() as session:
            stats = await upsert_records(platform, session, ctx.tenant_id, collection_id, batch)
        totals.update(inserted=stats.inserted, updated=stats.updated,
                      unchanged=stats.unchanged)
        new_matches.update(await match_batch(platform, collection, batch,
                                             set(stats.changed_keys)))
        batch.clear()
        await asyncio.sleep(0)

    await ctx.progress(0, None, f"reading {source.name}", force=True)
    for item in iter_path(source):
        if isinstance(item, IngestError):
            errors[item.source_format or "unknown"] += 1
            await ctx.error(file=item.file, document=item.document, field=item.field,
                            message=item.message)
            continue
        per_format[item.source_format] += 1
        files.add(item.source_file)
        batch.append(item)
        if len(batch) >= BATCH:
            await flush()
            done = sum(per_format.values())
            await ctx.progress(done, None, f"{done} documents from {len(files)} file(s)")
    await flush()
    backend(platform).refresh()
    async with ctx.session() as session:
        count = await refresh_count(session, collection_id)
    matched = await record_matches(platform, ctx.job_id, dict(new_matches), ctx.actor)
    done = sum(per_format.values())
    await encode_semantic(ctx, done)
    await ctx.progress(done, done, f"{done} documents, {sum(errors.values())} errors",
                       force=True)
    return {"per_format": dict(sorted(per_format.items())), "errors": dict(errors),
            "inserted": totals["inserted"], "updated": totals["updated"],
            "unchanged": totals["unchanged"], "documents_in_collection": count,
            "files": len(files), "watchlist_matches": dict(new_matches),
            "match_events": matched}


async def encode_semantic(ctx: JobContext, done: int) -> None:
    """Encode the new and changed documents into the semantic index here, in the worker (only
    those: see ``semantic_sync``), so no API request pays for it. A failure leaves the index
    to the next search and is said in the job's progress, never failing the ingestion."""
    from .semantic_sync import semantic_index

    async def progress(encoded: int, total: int, message: str) -> None:
        await ctx.progress(done, None, message)

    try:
        await semantic_index(ctx.platform, progress)
    except (OSError, ValueError) as exc:
        await ctx.progress(done, None, f"semantic index not updated ({exc}): the next "
                           "semantic search will", force=True)
