"""The two full-text engines bench/patents.py compares behind one small interface.

* ``TantivyEngine``: ipgov's own search backend (``patent_search.search.open_backend``);
* ``Fts5Engine``: SQLite FTS5 (porter stemming, BM25 with the same field weights), the baseline.

A query is given as words and a mode (AND, OR, phrase) and rendered in each engine's syntax.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import progress
from patents_data import SHARED_COLLECTION, TENANT_COLLECTIONS

from patent_search.search import open_backend
from patent_search.search.model import IndexDoc, SearchRequest
from patent_search.settings import from_environ

ALL_COLLECTIONS = frozenset((SHARED_COLLECTION, *TENANT_COLLECTIONS))
_COLL_TOKEN = {c: f"c{i}" for i, c in enumerate(sorted(ALL_COLLECTIONS | {"lens", "grants"}))}
PAGE = 100


@dataclass(frozen=True)
class BenchQuery:
    """Words combined by ``mode`` ("and", "or", "phrase") over ``collections``."""

    words: tuple[str, ...]
    mode: str
    collections: frozenset[str] = ALL_COLLECTIONS


def directory_bytes(path: Path) -> int:
    """Total size of the files under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class TantivyEngine:
    """ipgov's embedded search backend."""

    name = "tantivy"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.backend = open_backend(directory, from_environ({}))

    def add(self, docs: Sequence[IndexDoc]) -> None:
        """Index a batch."""
        self.backend.upsert(docs)

    def finish(self) -> None:
        """Make everything searchable."""
        self.backend.refresh()

    def size_bytes(self) -> int:
        """Bytes on disk."""
        return directory_bytes(self.directory)

    def search(self, query: BenchQuery, limit: int = 10) -> list[tuple[str, float]]:
        """Top ``limit`` (key, score), following cursors past one page."""
        text = _render(query, quote_words=False)
        hits: list[tuple[str, float]] = []
        cursor = None
        while len(hits) < limit:
            request = SearchRequest(
                text,
                query.collections,
                min(PAGE, limit - len(hits)),
                cursor=cursor,
                highlight=False,
            )
            page = self.backend.search(request)
            hits.extend((h.key, h.score) for h in page.hits)
            cursor = page.next_cursor
            if not cursor or not page.hits:
                break
        return hits


class Fts5Engine:
    """SQLite FTS5 tuned for bulk loading; the baseline."""

    name = "SQLite FTS5"

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "fts5.db"
        self.db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, abstract, claims,"
            " assignee, cpc, coll, tokenize='porter unicode61')"
        )
        self.db.execute(
            "INSERT INTO docs(docs, rank) VALUES('rank', 'bm25(0, 3, 2, 1.5, 0, 0, 0)')"
        )

    def add(self, docs: Sequence[IndexDoc]) -> None:
        """Insert a batch in one transaction."""
        rows = [
            (
                d.key,
                d.record.title,
                d.record.abstract,
                "\n".join(d.record.claims),
                "; ".join(d.record.assignees),
                " ".join(d.record.cpc),
                _COLL_TOKEN[d.collection_id],
            )
            for d in docs
        ]
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.execute("COMMIT")

    def finish(self) -> None:
        """Merge the index segments (FTS5's ``optimize``)."""
        self.db.execute("INSERT INTO docs(docs) VALUES('optimize')")

    def size_bytes(self) -> int:
        """Bytes on disk."""
        return self.path.stat().st_size

    def search(self, query: BenchQuery, limit: int = 10) -> list[tuple[str, float]]:
        """Top ``limit`` by BM25 over title, abstract and claims."""
        expr = f"{{title abstract claims}} : ({_render(query, quote_words=True)})"
        if query.collections != ALL_COLLECTIONS:
            expr += " AND coll : (" + " OR ".join(_COLL_TOKEN[c] for c in query.collections) + ")"
        rows = self.db.execute(
            "SELECT key, -rank FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?", (expr, limit)
        )
        return rows.fetchall()

    def document_frequencies(self) -> list[tuple[str, int]]:
        """(term, documents containing it), read from the index itself (porter-stemmed terms)."""
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(docs, 'row')")
        rows = self.db.execute("SELECT term, doc FROM vocab")
        return rows.fetchall()


def _render(query: BenchQuery, quote_words: bool) -> str:
    if query.mode == "phrase":
        return '"' + " ".join(query.words) + '"'
    words = [f'"{w}"' if quote_words else w for w in query.words]
    return (" OR " if query.mode == "or" else " ").join(words)


def build(engine: TantivyEngine | Fts5Engine, batches, total: int) -> tuple[float, int]:
    """Feed every batch; return (seconds spent inside the engine, documents) with progress."""
    spent, done, next_report = 0.0, 0, total // 10
    for batch in batches:
        t0 = time.perf_counter()
        engine.add(batch)
        spent += time.perf_counter() - t0
        done += len(batch)
        if done >= next_report:
            progress(f"{engine.name}: {done:,}/{total:,} documents, {spent:.0f} s in engine")
            next_report += max(1, total // 10)
    t0 = time.perf_counter()
    engine.finish()
    return spent + time.perf_counter() - t0, done
