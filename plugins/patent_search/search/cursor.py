"""Opaque, tamper-proof page cursors: where the previous page ended, signed with HMAC-SHA256.

A cursor records the position (offset; sort value, tie-breaker and key of the last hit, so paging
continues after that hit even when documents were added in between) and a fingerprint of the
query, the collections and the sort; a cursor altered by a byte, or replayed against another
query or other collections, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from patent_search.search.model import InvalidCursorError, SearchRequest

__all__ = ["CursorCodec", "CursorPosition"]

KEY_FILE = Path("keys") / "search-cursor.key"
_MAC_BYTES = 16


@dataclass(frozen=True)
class CursorPosition:
    """The end of the previous page: hits seen so far, the last hit's sort value, tie and key."""

    offset: int
    value: float
    tie: int
    key: str



def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(request: SearchRequest) -> str:
    """What a cursor is bound to: the query text, the collections and the sort."""
    material = json.dumps([request.query, sorted(request.collection_ids), request.sort,
                           request.syntax])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


class CursorCodec:
    """Encodes and verifies cursors with one secret key (shared by every process via a file)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_data_dir(cls, data_dir: Path | None) -> CursorCodec:
        """The key in ``<data_dir>/keys/search-cursor.key``, created on first use."""
        if data_dir is None:
            return cls(secrets.token_bytes(32))
        path = Path(data_dir) / KEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls(path.read_bytes())
        with os.fdopen(fd, "wb") as handle:
            key = secrets.token_bytes(32)
            handle.write(key)
        return cls(key)

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, request: SearchRequest, position: CursorPosition) -> str:
        """An opaque cursor for the page after ``position``."""
        payload = json.dumps({"f": fingerprint(request), "o": position.offset,
                              "v": position.value, "t": position.tie, "k": position.key},
                             separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, request: SearchRequest) -> CursorPosition | None:
        """The position ``request.cursor`` points at, or :class:`InvalidCursorError`."""
        if request.cursor is None:
            return None
        refused = InvalidCursorError(
            "invalid cursor: it was altered or issued for another query; "
            "search again without a cursor")
        try:
            payload_text, mac_text = request.cursor.split(".")
            payload = _unb64(payload_text)
            if not hmac.compare_digest(self._mac(payload), _unb64(mac_text)):
                raise refused
            data = json.loads(payload)
            position = CursorPosition(int(data["o"]), float(data["v"]), int(data["t"]),
                                      str(data["k"]))
        except (ValueError, KeyError, TypeError):
            raise refused from None
        if data.get("f") != fingerprint(request) or position.offset < 0:
            raise refused
        return position
