"""The ingestion job: stream a file or folder of patent documents into a collection.

Runs in the workers with progress; a broken document is recorded as an error naming its file
(relative to the folder ingested, or the upload's name: never a server path), document and
field while the rest loads; documents are committed in batches (a batch is all or nothing, so a
failure — a full disk, a lost database — leaves no half-written batch behind) and a re-run
updates instead of duplicating, so a failed job is resumed by running it again. The folder walk
never leaves the allowed import roots (``ingest.walk``). An upload's file is deleted once its
job has run; the file of a failed job is kept ``upload_retention_hours`` for a retry, then
swept (``sweep_uploads``).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ipgov.api import InvalidInput, JobContext, PlatformContext

from .ingest import IngestError, iter_path
from .ingest.limits import Limits, configure
from .ingest.model import PatentRecord
from .ingest.pipeline import Skipped
from .models import Collection
from .settings import settings_of
from .store import backend, refresh_count, upsert_records
from .watch import match_batch, record_matches

__all__ = ["BATCH", "INGEST_KIND", "allowed_roots", "check_source", "ingest", "sweep_uploads",
           "upload_root"]

INGEST_KIND = "patent_search.ingest"
BATCH = 500


def allowed_roots(platform: PlatformContext, tenant_id: str) -> list[Path]:
    """Folders a tenant may ingest from through the API: its own upload folder
    ``<data dir>/imports/<tenant id>`` and the operator's shared folders, setting
    ``import_dirs`` (``IPGOV_PATENT_IMPORT_DIRS``, ``os.pathsep`` separated)."""
    configured = str(settings_of(platform).import_dirs)
    roots = [Path(p) for p in configured.split(os.pathsep) if p.strip()]
    roots.append(upload_root(platform, tenant_id))
    return [r.resolve() for r in roots]


def upload_root(platform: PlatformContext, tenant_id: str) -> Path:
    """The folder a tenant's uploads are stored in (one sub-folder per upload)."""
    return Path(platform.settings.data_dir) / "imports" / tenant_id


_UPLOAD_FOLDER = re.compile(r"^[0-9a-f]{32}$")


def sweep_uploads(platform: PlatformContext, tenant_id: str) -> int:
    """Delete the tenant's upload folders older than ``upload_retention_hours`` (the files of
    failed jobs, kept that long for a retry); the number deleted."""
    root = upload_root(platform, tenant_id)
    if not root.is_dir():
        return 0
    cutoff = time.time() - 3600 * int(settings_of(platform).upload_retention_hours)
    removed = 0
    for folder in root.iterdir():
        if (_UPLOAD_FOLDER.match(folder.name) and folder.is_dir() and not folder.is_symlink()
                and folder.stat().st_mtime < cutoff):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _shown_root(source: Path, roots: list[Path]) -> Path:
    """The folder errors are named relative to: the root holding ``source``."""
    return next((r for r in roots if r == source or r in source.parents), source.parent)


def check_source(platform: PlatformContext, source: str, tenant_id: str) -> Path:
    """The resolved path of ``source`` if it exists under an allowed root; else a clear error.
    """
    if not source or "\x00" in source:
        raise InvalidInput("give the path of a file or folder to ingest", field="path")
    path = Path(source).resolve()
    roots = allowed_roots(platform, tenant_id)
    if not any(path == r or r in path.parents for r in roots):
        raise InvalidInput(f"{source} is outside the import folders this tenant may read (its "
                           "upload folder and the operator's IPGOV_PATENT_IMPORT_DIRS); upload "
                           "the file or ask an operator to add the folder",
                           code="PATH_NOT_ALLOWED", field="path")
    if not path.exists():
        raise InvalidInput(f"{source} does not exist", code="SOURCE_NOT_FOUND", field="path")
    return path


async def ingest(ctx: JobContext) -> dict[str, Any]:
    """Job handler: params ``collection_id`` and ``source`` (a checked path); ``upload``: the
    source is an upload's file (deleted once read); ``roots``: the folders the walk may read
    (the CLI's own source; default: the tenant's allowed roots)."""
    collection_id = str(ctx.params.get("collection_id", ""))
    source = Path(str(ctx.params.get("source", "")))
    platform = ctx.platform
    configure(Limits.from_settings(settings_of(platform)))
    roots = ([Path(r).resolve() for r in ctx.params["roots"]] if ctx.params.get("roots")
             else allowed_roots(platform, ctx.tenant_id))
    async with ctx.session() as session:
        collection = await session.get(Collection, collection_id)
        if collection is None:
            raise InvalidInput("the collection no longer exists in this tenant",
                               field="collection_id")
        session.expunge(collection)
    if not source.exists():
        raise InvalidInput(f"{source.name} does not exist (an upload is deleted "
                           f"{int(settings_of(platform).upload_retention_hours)} hours after a "
                           "failed job)", field="path")
    per_format: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    new_matches: Counter[str] = Counter()
    batch: list[PatentRecord] = []
    files: set[str] = set()
    skipped: list[Skipped] = []
    stopped: set[str] = set()
    warnings = 0

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

    resolved = source.resolve()
    shown = _shown_root(resolved, roots)
    prefix = ("" if ctx.params.get("upload") or resolved.is_file() or resolved == shown
              or shown not in resolved.parents else resolved.relative_to(shown).as_posix() + "/")
    original = str(ctx.params.get("name") or "") if ctx.params.get("upload") else ""

    def shown_as(file: str) -> str:  # an upload by the name it was sent with
        return original if original and file == resolved.name else prefix + file

    await ctx.progress(0, None, f"reading {original or source.name}", force=True)
    for item in iter_path(source, roots=roots, skipped=skipped.append):
        if isinstance(item, IngestError):
            if item.warning:
                warnings += 1
            else:
                errors[item.source_format or "unknown"] += 1
            if item.stopped:
                stopped.add(shown_as(item.file))
            await ctx.error(file=shown_as(item.file), document=item.document, field=item.field,
                            message=("warning: " if item.warning else "") + item.message)
            continue
        item.source_file = shown_as(item.source_file)
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
    if ctx.params.get("upload"):
        shutil.rmtree(resolved.parent, ignore_errors=True)
    return {"per_format": dict(sorted(per_format.items())), "errors": dict(errors),
            "warnings": warnings, "inserted": totals["inserted"], "updated": totals["updated"],
            "unchanged": totals["unchanged"], "documents_in_collection": count,
            "files": len(files), "watchlist_matches": dict(new_matches),
            "match_events": matched,
            "skipped_files": [{"file": shown_as(s.file), "reason": s.reason}
                              for s in skipped[:200]],
            "skipped_count": len(skipped),
            # files whose reading stopped at a bound or a damaged part: the documents before
            # it are loaded, the ones after it are not (fix the file and run the job again)
            "stopped_files": sorted(stopped)[:200]}


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
