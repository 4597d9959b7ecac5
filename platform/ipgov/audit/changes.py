"""Before and after values of the object an audit event is about (issue 15 item 14).

Mutations change ORM objects and then append an audit event naming the object
(``object_id``). This module keeps, per session, the attribute history of every object the
session flushes (SQLAlchemy resets the history at each flush, and autoflush happens often),
and ``take_changes`` hands the accumulated before/after values of one object to the event
being appended: every audited change says what changed without its call site doing anything.

What is recorded, bounded and safe to show an auditor:

- updates: each changed column with its first value in the transaction and its last;
- creations: the initial non-empty columns (``before`` is null); deletions: the last values;
- long text (``Text`` columns: descriptions, protected bodies) and anything named like a
  secret (password, secret, token, hash, key) is marked ``redacted`` without values;
- strings are cut at 200 characters, at most 40 fields per object, at most 2,000 objects
  remembered per session.
"""

from __future__ import annotations

import enum
import json
import re
import weakref
from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import LargeBinary, Text, event, inspect
from sqlalchemy.orm import Session

from ipgov.db.session import ScopedSession

from .models import AuditEvent, AuditHead

__all__ = ["primary_key", "take_changes"]

_KEY = "ipgov.audit.changes"
LIMIT_OBJECTS = 2000
LIMIT_FIELDS = 40
LIMIT_TEXT = 200
SKIPPED = frozenset({"id", "created_at", "updated_at"})
_SECRET = re.compile(r"password|secret|token|hash|salt|(^|_)key$", re.IGNORECASE)
_IGNORED = (AuditEvent, AuditHead)


def primary_key(obj: Any) -> str:
    """The key under which ``obj``'s change is recorded ('' for objects without one)."""
    return _pk(obj) or ""


def _pk(obj: Any) -> str | None:
    # from the attributes: in ``after_flush`` a just-inserted object has no identity key yet
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if len(key) != 1 or key[0] is None:
        return None
    return str(key[0])


def _value(value: Any) -> Any:
    """A JSON-safe, bounded rendering of a column value."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, default=str,
                                                           ensure_ascii=False, sort_keys=True)
    return text if len(text) <= LIMIT_TEXT else text[:LIMIT_TEXT - 1] + "…"


def _columns_of(model: Any) -> list[Any]:
    """The column attributes worth recording (not ids and timestamps, not ``__audit_skip__``)."""
    skipped = SKIPPED | set(getattr(model, "__audit_skip__", ()))
    return [a for a in inspect(model).column_attrs if a.key not in skipped]


def _columns(obj: Any) -> list[Any]:
    return _columns_of(type(obj))


def _redacted(attr: Any) -> bool:
    column = attr.columns[0]
    return bool(_SECRET.search(attr.key)) or isinstance(column.type, Text | LargeBinary)


def _history(obj: Any) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` of the columns changed since the last flush."""
    state, out = inspect(obj), {}
    for attr in _columns(obj):
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        before = hist.deleted[0] if hist.deleted else None
        after = hist.added[0] if hist.added else None
        out[attr.key] = [before, after]
    return out


def _values(obj: Any) -> dict[str, Any]:
    return {a.key: getattr(obj, a.key) for a in _columns(obj)
            if getattr(obj, a.key) not in (None, "", [], {})}


def _store(session: Session) -> OrderedDict[str, Any]:
    store = session.info.get(_KEY)
    if store is None:
        store = session.info[_KEY] = OrderedDict()
    return store


def _put(store: OrderedDict[str, Any], pk: str, entry: Any) -> None:
    store[pk] = entry
    store.move_to_end(pk)
    while len(store) > LIMIT_OBJECTS:
        store.popitem(last=False)


def _merge(store: OrderedDict[str, Any], pk: str, obj: Any) -> None:
    changed = _history(obj)
    if not changed:
        return
    entry = store.get(pk)
    if isinstance(entry, dict) and entry.get("change") == "updated":
        for name, (before, after) in changed.items():
            entry["fields"].setdefault(name, [before, after])[1] = after
        store.move_to_end(pk)
    elif entry is None:
        _put(store, pk, {"change": "updated", "model": type(obj), "fields": changed})


@event.listens_for(ScopedSession, "after_flush")
def _remember(session: Session, _ctx: Any) -> None:
    """Collect history while it still exists (``after_flush`` sees the pre-flush state)."""
    store = _store(session)
    for obj in session.dirty:
        pk = _pk(obj) if not isinstance(obj, _IGNORED) else None
        if pk is not None and session.is_modified(obj, include_collections=False):
            _merge(store, pk, obj)
    for obj in session.new:
        pk = _pk(obj) if not isinstance(obj, _IGNORED) else None
        if pk is not None:
            _put(store, pk, {"change": "created", "model": type(obj), "ref": weakref.ref(obj)})
    for obj in session.deleted:
        pk = _pk(obj) if not isinstance(obj, _IGNORED) else None
        if pk is not None:
            _put(store, pk, {"change": "deleted", "model": type(obj),
                             "fields": {k: [v, None] for k, v in _values(obj).items()}})


@event.listens_for(ScopedSession, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def _rendered(model: Any, fields: dict[str, list[Any]]) -> list[dict[str, Any]]:
    attrs = {a.key: a for a in _columns_of(model)}
    out = []
    for name, (before, after) in list(fields.items())[:LIMIT_FIELDS]:
        if name not in attrs or before == after:
            continue
        if _redacted(attrs[name]):
            out.append({"field": name, "redacted": True})
        else:
            out.append({"field": name, "before": _value(before), "after": _value(after)})
    return out


def take_changes(session: Any, object_id: str) -> dict[str, Any] | None:
    """The change of the object whose primary key is ``object_id`` since it was last audited
    in this transaction: ``{"change": created|updated|deleted, "fields": [...]}``, or None."""
    sync = getattr(session, "sync_session", session)
    entry = _store(sync).pop(str(object_id), None) if object_id else None
    if entry is None:
        return None
    if entry["change"] == "created":
        obj = entry["ref"]()
        if obj is None:
            return None
        fields = {k: [None, v] for k, v in _values(obj).items()}
    else:
        fields = entry["fields"]
    rendered = _rendered(entry["model"], fields)
    if not rendered:
        return None
    return {"change": entry["change"], "fields": rendered}
