"""Signed page cursors: one codec for every list of the core and the plugins.

A cursor carries the sort key of the last item of a page and the name of the list it belongs
to, signed with HMAC-SHA256 under a key derived from the platform's audit key (shared by every
API replica). Clients cannot forge one: a huge integer, a nested array, a cursor of another
list or an altered byte is ``BAD_CURSOR``, never a database error. ``CursorSigning`` makes the
platform's codec current for each GraphQL operation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from strawberry.extensions import SchemaExtension

from ipgov.errors import InvalidInput

__all__ = ["CursorCodec", "CursorSigning", "current_codec", "decode_cursor", "encode_cursor",
           "list_kind", "typed_values"]

MAX_CURSOR_CHARS = 1024
_MAC_BYTES = 16
_INT64 = 2 ** 63


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _bad_cursor(field: str) -> InvalidInput:
    return InvalidInput("the cursor was altered, belongs to another list or comes from another "
                        "installation; start again from the first page", code="BAD_CURSOR",
                        field=field)


class CursorCodec:
    """Signs and verifies page cursors (HMAC-SHA256 with a platform key).

    A cursor holds the sort key of the last item of a page and the list it belongs to, so a
    client cannot forge one (a huge integer, a nested array, another list's key): anything
    but a cursor this platform issued for this list is ``BAD_CURSOR``."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def of(cls, platform: Any) -> CursorCodec:
        """The platform's codec: its key is derived from the audit key, which every API
        replica shares, so a cursor from one replica is valid on the others."""
        codec: CursorCodec | None = platform.cursor_codec
        if codec is None:
            secret = hmac.new(platform.audit_key.secret, b"ipgov graphql cursor v1",
                              hashlib.sha256).digest()
            codec = platform.cursor_codec = cls(secret)
        return codec

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, values: Sequence[Any], kind: str = "") -> str:
        """An opaque cursor for ``values`` (the sort key) in the list called ``kind``."""
        payload = json.dumps([kind, list(values)], default=str,
                             separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, cursor: str, width: int, kind: str = "", field: str = "after") -> list[Any]:
        """The sort key inside a cursor this codec issued for ``kind``; ``BAD_CURSOR``
        for anything else."""
        if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS:
            raise _bad_cursor(field)
        try:
            payload_text, mac_text = cursor.split(".")
            payload = _unb64(payload_text)
            if not hmac.compare_digest(self._mac(payload), _unb64(mac_text)):
                raise _bad_cursor(field)
            found_kind, values = json.loads(payload)
        except (ValueError, TypeError):
            raise _bad_cursor(field) from None
        if found_kind != kind or not isinstance(values, list) or len(values) != width:
            raise _bad_cursor(field)
        if not all(_plain(v) for v in values):
            raise _bad_cursor(field)
        return values


def _plain(value: Any) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, float | str):
        return True
    return isinstance(value, int) and -_INT64 <= value < _INT64


_codec: ContextVar[CursorCodec | None] = ContextVar("ipgov_cursor_codec", default=None)
_process_codec = CursorCodec(secrets.token_bytes(32))  # outside a GraphQL operation


def current_codec() -> CursorCodec:
    """The codec of the current GraphQL operation (set by ``CursorSigning``)."""
    return _codec.get() or _process_codec


class CursorSigning(SchemaExtension):
    """Makes the platform's cursor codec current for one operation."""

    def on_operation(self) -> Iterator[None]:
        platform = getattr(self.execution_context.context, "platform", None)
        token = _codec.set(CursorCodec.of(platform) if platform is not None else None)
        try:
            yield
        finally:
            _codec.reset(token)


def encode_cursor(values: Sequence[Any], kind: str = "") -> str:
    """An opaque, signed cursor from the sort key of the last item."""
    return current_codec().encode(values, kind)


def decode_cursor(cursor: str, width: int, kind: str = "") -> list[Any]:
    """The sort key inside a signed cursor; ``BAD_CURSOR`` for anything else."""
    return current_codec().decode(cursor, width, kind)


def list_kind(order: Sequence[Any]) -> str:
    """What a cursor of ``paginate`` is bound to: the sort columns (``table.column``)."""
    return ",".join(str(column) for column in order)


def typed_values(order: Sequence[Any], values: list[Any]) -> list[Any]:
    """Cursor values back in their columns' Python types (dates travel as text)."""
    out = []
    for column, value in zip(order, values, strict=True):
        try:
            kind = column.type.python_type
        except (AttributeError, NotImplementedError):
            kind = None
        if isinstance(value, str) and kind is not None and kind in _FROM_TEXT:
            try:
                value = _FROM_TEXT[kind](value)
            except (ValueError, ArithmeticError):
                raise _bad_cursor("after") from None
        out.append(value)
    return out


_FROM_TEXT: dict[type, Callable[[str], Any]] = {
    date: date.fromisoformat, datetime: datetime.fromisoformat, Decimal: Decimal}
