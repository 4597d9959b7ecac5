"""Vector storage and exact cosine search, filtered by collection.

``ExactVectorStore`` keeps vectors in fixed-size blocks (float32 or float16) that are saved as
``.npy`` files and memory-mapped when loaded, so a few hundred thousand vectors cost little RAM.
Anything implementing ``VectorStore`` (e.g. a usearch/hnswlib index) can replace it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

__all__ = ["ExactVectorStore", "VectorStore"]

FORMAT_VERSION = 1
_MANIFEST = "vectors.json"
_DELETED = -1


class VectorStore(Protocol):
    """Vectors stored per key with the collection they belong to."""

    def __init__(self, dim: int, **options: Any) -> None:
        """An empty store of ``dim``-dimensional vectors (options are the store's own)."""

    def upsert(
        self, keys: Sequence[str], collection_ids: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Store (or replace) one vector per key, tagged with its collection id."""

    def remove(self, keys: Iterable[str]) -> int:
        """Forget these keys; return how many were stored."""

    def search(
        self, query: np.ndarray, collection_ids: frozenset[str], limit: int
    ) -> list[tuple[str, float]]:
        """Best ``limit`` (key, cosine) among vectors of ``collection_ids`` only."""

    def save(self, directory: Path) -> None:
        """Persist into ``directory``."""

    @classmethod
    def load(cls, directory: Path) -> VectorStore:
        """Open what ``save`` wrote."""

    def __len__(self) -> int:
        """Number of stored keys."""


@dataclass
class _Block:
    vectors: np.ndarray  # capacity x dim; a read-only memory map once full and loaded
    codes: np.ndarray  # collection code per row, _DELETED for replaced or removed rows
    keys: list[str]
    saved_rows: int = 0
    codes_dirty: bool = True

    @property
    def rows(self) -> int:
        return len(self.keys)


class ExactVectorStore:
    """Brute-force cosine search (vectors are L2-normalised, so a dot product) with numpy."""

    def __init__(self, dim: int, dtype: str = "float32", block_rows: int = 65_536) -> None:
        if dtype not in ("float32", "float16"):
            raise ValueError(f"vector dtype must be float32 or float16, not {dtype!r}")
        self.dim, self.dtype, self.block_rows = dim, dtype, block_rows
        self._collections: list[str] = []
        self._code: dict[str, int] = {}
        self._blocks: list[_Block] = []
        self._where: dict[str, tuple[int, int]] = {}
        self._saved_to: Path | None = None

    def __len__(self) -> int:
        return len(self._where)

    def upsert(
        self, keys: Sequence[str], collection_ids: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Append the vectors; a key already stored has its old row marked deleted."""
        if not len(keys) == len(collection_ids) == len(vectors):
            raise ValueError("keys, collection_ids and vectors must have the same length")
        if len(vectors) and vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have {vectors.shape[1]} dimensions, the store {self.dim}")
        self.remove(keys)
        for key, collection, vector in zip(keys, collection_ids, vectors, strict=True):
            block_no, block = self._open_block()
            row = block.rows
            block.vectors[row] = vector
            block.codes[row] = self._collection_code(collection)
            block.keys.append(key)
            block.codes_dirty = True
            self._where[key] = (block_no, row)

    def remove(self, keys: Iterable[str]) -> int:
        """Mark the rows of ``keys`` deleted; return how many keys were stored."""
        removed = 0
        for key in keys:
            where = self._where.pop(key, None)
            if where is not None:
                block = self._blocks[where[0]]
                block.codes[where[1]] = _DELETED
                block.codes_dirty = True
                removed += 1
        return removed

    def search(
        self, query: np.ndarray, collection_ids: frozenset[str], limit: int
    ) -> list[tuple[str, float]]:
        """Exact top ``limit`` by cosine among live rows of the given collections."""
        allowed = np.array([self._code[c] for c in collection_ids if c in self._code], np.int32)
        if allowed.size == 0 or limit <= 0:
            return []
        query = np.asarray(query, dtype=np.float32)
        found: list[tuple[float, str]] = []
        for block in self._blocks:
            found.extend(_block_top(block, allowed, query, limit))
        found.sort(key=lambda hit: (-hit[0], hit[1]))
        return [(key, score) for score, key in found[:limit]]

    def save(self, directory: Path) -> None:
        """Write changed blocks and the manifest (written last, so a crash leaves the old one)."""
        directory.mkdir(parents=True, exist_ok=True)
        full_rewrite = self._saved_to != directory
        for number, block in enumerate(self._blocks):
            stem = directory / f"block-{number:05d}"
            if full_rewrite or block.saved_rows != block.rows:
                np.save(f"{stem}.vectors.npy", np.asarray(block.vectors[: block.rows]))
                (Path(f"{stem}.keys.json")).write_text(json.dumps(block.keys))
                block.saved_rows = block.rows
            if full_rewrite or block.codes_dirty:
                np.save(f"{stem}.codes.npy", block.codes[: block.rows])
                block.codes_dirty = False
        manifest = {
            "format_version": FORMAT_VERSION,
            "dim": self.dim,
            "dtype": self.dtype,
            "block_rows": self.block_rows,
            "collections": self._collections,
            "blocks": [block.rows for block in self._blocks],
        }
        tmp = directory / f"{_MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest))
        tmp.replace(directory / _MANIFEST)
        self._saved_to = directory

    @classmethod
    def load(cls, directory: Path) -> ExactVectorStore:
        """Open a saved store; full blocks stay memory-mapped."""
        path = directory / _MANIFEST
        manifest = json.loads(path.read_text())
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{path}: format_version {manifest.get('format_version')!r} unknown")
        store = cls(manifest["dim"], manifest["dtype"], manifest["block_rows"])
        store._collections = list(manifest["collections"])
        store._code = {c: i for i, c in enumerate(store._collections)}
        for number, rows in enumerate(manifest["blocks"]):
            store._blocks.append(store._load_block(directory / f"block-{number:05d}", rows))
            for row, key in enumerate(store._blocks[-1].keys):
                if store._blocks[-1].codes[row] != _DELETED:
                    store._where[key] = (number, row)
        store._saved_to = directory
        return store

    def _load_block(self, stem: Path, rows: int) -> _Block:
        vectors = np.load(f"{stem}.vectors.npy", mmap_mode="r")
        keys = json.loads(Path(f"{stem}.keys.json").read_text())
        if len(keys) != rows or vectors.shape != (rows, self.dim):
            raise ValueError(f"{stem}: block holds {len(keys)} keys, manifest says {rows}")
        saved_codes = np.load(f"{stem}.codes.npy")
        if saved_codes.shape != (rows,):
            raise ValueError(f"{stem}: {saved_codes.shape[0]} collection codes for {rows} rows")
        codes = np.full(self.block_rows, _DELETED, dtype=np.int32)
        codes[:rows] = saved_codes
        if rows < self.block_rows:  # the open block is copied so it can grow
            grown = np.zeros((self.block_rows, self.dim), dtype=self.dtype)
            grown[:rows] = vectors
            vectors = grown
        return _Block(vectors, codes, keys, saved_rows=rows, codes_dirty=False)

    def _open_block(self) -> tuple[int, _Block]:
        if not self._blocks or self._blocks[-1].rows >= self.block_rows:
            vectors = np.zeros((self.block_rows, self.dim), dtype=self.dtype)
            codes = np.full(self.block_rows, _DELETED, dtype=np.int32)
            self._blocks.append(_Block(vectors, codes, []))
        return len(self._blocks) - 1, self._blocks[-1]

    def _collection_code(self, collection_id: str) -> int:
        code = self._code.get(collection_id)
        if code is None:
            code = self._code[collection_id] = len(self._collections)
            self._collections.append(collection_id)
        return code


def _block_top(
    block: _Block, allowed: np.ndarray, query: np.ndarray, limit: int
) -> list[tuple[float, str]]:
    """Best ``limit`` rows of one block whose collection is allowed."""
    rows = np.flatnonzero(np.isin(block.codes[: block.rows], allowed))
    if rows.size == 0:
        return []
    if rows.size == block.rows:
        candidates = np.asarray(block.vectors[: block.rows], dtype=np.float32)
    else:
        candidates = np.asarray(block.vectors[rows], dtype=np.float32)
    scores = candidates @ query
    if scores.size > limit:
        best = np.argpartition(-scores, limit - 1)[:limit]
    else:
        best = np.arange(scores.size)
    return [(float(scores[i]), block.keys[int(rows[i])]) for i in best]
