"""Approximate nearest-neighbour search with one HNSW graph per collection (hnswlib).

``AnnVectorStore`` is an :class:`ExactVectorStore` (the vectors, keys and collections stay there,
saved and memory-mapped as before) plus, for every collection of at least
:data:`EXACT_BELOW` vectors, an HNSW graph of that collection's vectors only. A search walks
the graphs of the allowed collections and searches the small ones exactly, then merges: the
tenant's scope is applied inside the search by construction (a sibling collection's vectors
are not in the graphs searched, so they are never candidates), never by filtering afterwards.

Why hnswlib and not usearch: measured by ``bench/ann_choice.py`` on the same vectors and
parameters, hnswlib built the graph faster (50k x 256: 34 s vs 58 s on one thread) and answered
faster at a higher recall; both are single-file, offline, pip-installable. The graphs are
derived data: missing or stale ones are rebuilt from the exact store.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from patent_search.semantic.vectors import ExactVectorStore

__all__ = ["EXACT_BELOW", "AnnVectorStore", "available"]

EXACT_BELOW = 20_000  # collections smaller than this are searched exactly
M, EF_CONSTRUCTION, EF_SEARCH = 16, 128, 200


def available() -> bool:
    """Whether hnswlib is installed (``pip install 'ipgov[neural]'``)."""
    try:
        import hnswlib  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


class _Graph:
    """One collection's HNSW graph; labels index ``keys``."""

    def __init__(self, dim: int, capacity: int) -> None:
        import hnswlib  # type: ignore[import-not-found,import-untyped,unused-ignore]

        self.index = hnswlib.Index(space="ip", dim=dim)
        self.index.init_index(
            max_elements=max(capacity, 1024),
            ef_construction=EF_CONSTRUCTION,
            M=M,
            allow_replace_deleted=False,
        )
        self.keys: list[str] = []
        self.label: dict[str, int] = {}

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        for key in keys:
            self.remove(key)
        needed = len(self.keys) + len(keys)
        if needed > self.index.get_max_elements():
            self.index.resize_index(max(needed, 2 * self.index.get_max_elements()))
        labels = np.arange(len(self.keys), needed)
        self.index.add_items(np.asarray(vectors, dtype=np.float32), labels)
        for key, label in zip(keys, labels, strict=True):
            self.keys.append(key)
            self.label[key] = int(label)

    def remove(self, key: str) -> None:
        label = self.label.pop(key, None)
        if label is not None:
            self.index.mark_deleted(label)

    def search(self, query: np.ndarray, limit: int) -> list[tuple[float, str]]:
        live = len(self.label)
        if live == 0:
            return []
        self.index.set_ef(max(EF_SEARCH, limit))
        labels, distances = self.index.knn_query(query, k=min(limit, live))
        return [
            (1.0 - float(d), self.keys[int(i)])
            for i, d in zip(labels[0], distances[0], strict=True)
        ]


class AnnVectorStore(ExactVectorStore):
    """The exact store plus per-collection HNSW graphs for the large collections."""

    def __init__(
        self,
        dim: int,
        dtype: str = "float32",
        block_rows: int = 65_536,
        exact_below: int = EXACT_BELOW,
    ) -> None:
        super().__init__(dim, dtype, block_rows)
        self.exact_below = exact_below
        self._graphs: dict[str, _Graph] = {}
        self._sizes: dict[str, int] = {}

    def upsert(
        self, keys: Sequence[str], collection_ids: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Store the vectors and add them to their collection's graph when it has one."""
        super().upsert(keys, collection_ids, vectors)  # calls self.remove for replaced keys
        by_collection: dict[str, list[int]] = {}
        for row, collection in enumerate(collection_ids):
            by_collection.setdefault(collection, []).append(row)
            self._sizes[collection] = self._sizes.get(collection, 0) + 1
        for collection, rows in by_collection.items():
            graph = self._graphs.get(collection)
            if graph is not None:
                graph.add([keys[r] for r in rows], vectors[rows])
            elif self._sizes[collection] >= self.exact_below:
                self._build(collection)

    def remove(self, keys: Iterable[str]) -> int:
        """Forget ``keys`` in the exact store and the graphs."""
        keys = list(keys)
        self._forget(keys)
        return super().remove(keys)

    def _forget(self, keys: Sequence[str]) -> None:
        for key in keys:
            where = self._where.get(key)
            if where is None:
                continue
            collection = self._collections[int(self._blocks[where[0]].codes[where[1]])]
            self._sizes[collection] -= 1
            graph = self._graphs.get(collection)
            if graph is not None:
                graph.remove(key)

    def _rows_of(self, collection: str) -> tuple[list[str], np.ndarray]:
        code = self._code[collection]
        keys: list[str] = []
        parts: list[np.ndarray] = []
        for block in self._blocks:
            rows = np.flatnonzero(block.codes[: block.rows] == code)
            keys.extend(block.keys[int(r)] for r in rows)
            parts.append(np.asarray(block.vectors[rows], dtype=np.float32))
        return keys, (np.concatenate(parts) if parts else np.zeros((0, self.dim), np.float32))

    def _build(self, collection: str) -> None:
        keys, vectors = self._rows_of(collection)
        graph = _Graph(self.dim, len(keys))
        graph.add(keys, vectors)
        self._graphs[collection] = graph

    def search(
        self, query: np.ndarray, collection_ids: frozenset[str], limit: int
    ) -> list[tuple[str, float]]:
        """Top ``limit`` over the allowed collections: their graphs, or exact when small."""
        query = np.asarray(query, dtype=np.float32)
        found: list[tuple[float, str]] = []
        exact = frozenset(c for c in collection_ids if c in self._code and c not in self._graphs)
        if exact:
            found.extend((s, k) for k, s in super().search(query, exact, limit))
        for collection in sorted(collection_ids):
            graph = self._graphs.get(collection)
            if graph is not None:
                found.extend(graph.search(query, limit))
        found.sort(key=lambda hit: (-hit[0], hit[1]))
        return [(key, score) for score, key in found[:limit]]

    def save(self, directory: Path) -> None:
        """The exact store, then each graph with its keys (``ann/<n>.bin``)."""
        super().save(directory)
        ann = directory / "ann"
        ann.mkdir(exist_ok=True)
        manifest: dict[str, Any] = {"exact_below": self.exact_below, "graphs": {}}
        for number, (collection, graph) in enumerate(sorted(self._graphs.items())):
            graph.index.save_index(str(ann / f"{number}.bin"))
            (ann / f"{number}.keys.json").write_text(json.dumps(graph.keys))
            manifest["graphs"][collection] = number
        tmp = ann / "ann.json.tmp"
        tmp.write_text(json.dumps(manifest))
        tmp.replace(ann / "ann.json")

    @classmethod
    def load(cls, directory: Path) -> AnnVectorStore:
        """The saved exact store and graphs; a graph that cannot be read is rebuilt."""
        exact = ExactVectorStore.load(directory)
        store = cls(exact.dim, exact.dtype, exact.block_rows)
        store.__dict__.update({k: v for k, v in exact.__dict__.items()})
        store._graphs, store._sizes = {}, {}
        for block in store._blocks:
            for code in block.codes[: block.rows]:
                if code >= 0:
                    name = store._collections[int(code)]
                    store._sizes[name] = store._sizes.get(name, 0) + 1
        path = directory / "ann" / "ann.json"
        manifest = json.loads(path.read_text()) if path.is_file() else {"graphs": {}}
        store.exact_below = int(manifest.get("exact_below", EXACT_BELOW))
        for collection, size in store._sizes.items():
            if size < store.exact_below:
                continue
            number = manifest["graphs"].get(collection)
            if number is None or not store._load_graph(collection, directory / "ann", number):
                store._build(collection)
        return store

    def _load_graph(self, collection: str, ann: Path, number: int) -> bool:
        import hnswlib  # type: ignore[import-not-found,import-untyped,unused-ignore]

        keys = json.loads((ann / f"{number}.keys.json").read_text())
        graph = _Graph.__new__(_Graph)
        graph.index = hnswlib.Index(space="ip", dim=self.dim)
        graph.index.load_index(str(ann / f"{number}.bin"), max_elements=len(keys))
        graph.keys = keys
        live = {k for k in keys if self._where.get(k) is not None}
        graph.label = {k: i for i, k in enumerate(keys) if k in live}
        if len(graph.label) != self._sizes.get(collection):
            return False  # saved before later changes: rebuild
        for i, key in enumerate(keys):
            if graph.label.get(key) != i:
                with contextlib.suppress(RuntimeError):  # deleted before it was saved
                    graph.index.mark_deleted(i)
        self._graphs[collection] = graph
        return True
