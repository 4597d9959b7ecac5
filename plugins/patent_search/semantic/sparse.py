"""A minimal CSR matrix in numpy (no scipy): just what LSA needs to fit and encode."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Csr"]

_CHUNK_NNZ = 16_384  # the (nnz x k) temporary stays cache-sized: measured fastest


def _segment_sum(segments: np.ndarray, values: np.ndarray, out: np.ndarray) -> None:
    """Add each row of ``values`` into ``out[segment]``; ``segments`` must be sorted."""
    if segments.size == 0:
        return
    starts = np.flatnonzero(np.r_[True, segments[1:] != segments[:-1]])
    out[segments[starts]] += np.add.reduceat(values, starts, axis=0)


@dataclass
class Csr:
    """A sparse ``rows x cols`` float32 matrix in compressed-sparse-row form."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    cols: int
    _by_column: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    def _row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.rows, dtype=np.int64), np.diff(self.indptr))

    def dot(self, dense: np.ndarray) -> np.ndarray:
        """``self @ dense`` for a dense ``cols x k`` matrix."""
        out = np.zeros((self.rows, dense.shape[1]), dtype=np.float32)
        row_ids = self._row_ids()
        for start in range(0, self.data.size, _CHUNK_NNZ):
            end = start + _CHUNK_NNZ
            values = dense[self.indices[start:end]] * self.data[start:end, None]
            _segment_sum(row_ids[start:end], values, out)
        return out

    def tdot(self, dense: np.ndarray) -> np.ndarray:
        """``self.T @ dense`` for a dense ``rows x k`` matrix."""
        if self._by_column is None:  # column-major order, computed once per matrix
            order = np.argsort(self.indices, kind="stable")
            self._by_column = (self.indices[order], self._row_ids()[order], self.data[order])
        cols, rows, data = self._by_column
        out = np.zeros((self.cols, dense.shape[1]), dtype=np.float32)
        for start in range(0, data.size, _CHUNK_NNZ):
            end = start + _CHUNK_NNZ
            _segment_sum(cols[start:end], dense[rows[start:end]] * data[start:end, None], out)
        return out
