"""The GraphQL kit: the plumbing every plugin's resolvers share, written once.

- **Pages**: ``tenant_page`` / ``page_in`` run a keyset page (``paginate``) bounded by the
  configured ``max_page_size``; a page size above it is ``PAGE_SIZE``, never a silent cut,
  and no call site names the maximum.
- **Mutations**: ``mutate`` authorizes (an optional permission known only from the input,
  beside the one the field declares), runs the service in one tenant-scoped transaction,
  appends the audit event in that same transaction and returns the payload; every
  ``DomainError`` (one field or several, ``ipgov.validation.FieldErrors``) comes back as
  ``errors`` in the payload, in the request's language, with nothing stored.
- **Inputs**: ``input_values`` turns a Strawberry input into service keyword arguments;
  ``validate`` runs several field checks and reports every bad field at once.
- **Rows to types**: ``to_type`` / ``row_mapper`` fill a Strawberry type from an ORM row by
  field name (times in UTC), with explicit overrides for what is not a plain copy.

Resolvers stay thin: read arguments, call a service through these helpers, shape the answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.errors import DomainError
from ipgov.validation import FieldErrors

from .audit_types import actor_field
from .errors import UserError, user_errors
from .pagination import Connection, paginate
from .permissions import check_permission

__all__ = ["actor_field", "column_key", "errors_as_data", "input_values", "max_page_size",
           "mutate", "page_in",
           "row_mapper",
           "tenant_page", "to_type", "validate"]

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")

AnyInfo = Info[Any, Any]
SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def _same(row: Any) -> Any:
    return row


# ------------------------------------------------------------------------------ pages


def max_page_size(info: AnyInfo) -> int:
    """The configured bound of every page (``IPGOV_MAX_PAGE_SIZE``)."""
    return int(info.context.platform.settings.max_page_size)


def column_key(order: Sequence[Any]) -> Callable[[Any], list[Any]]:
    """The cursor key of a row ordered by ``order``: its attributes named like the columns."""
    names = [column.key for column in order]
    return lambda row: [getattr(row, name) for name in names]


async def page_in(info: AnyInfo, session: AsyncSession, stmt: Select[Any],
                  order: Sequence[Any], *, first: int, after: str | None,
                  to_node: Callable[[Any], Any] = _same,
                  key: Callable[[Any], Sequence[Any]] | None = None,
                  descending: bool = False) -> Connection[Any]:
    """A page of ``stmt`` in an open session, bounded by the configured maximum page size.

    ``order`` is unique as a whole (ascending, or descending when asked); ``key`` defaults
    to ``column_key(order)``."""
    return await paginate(session, stmt, order, first=first, after=after,
                          maximum=max_page_size(info), to_node=to_node,
                          key=key or column_key(order), descending=descending)


async def tenant_page(info: AnyInfo, tenant_id: str, stmt: Select[Any], order: Sequence[Any],
                      *, first: int, after: str | None,
                      to_node: Callable[[Any], Any] = _same,
                      key: Callable[[Any], Sequence[Any]] | None = None) -> Connection[Any]:
    """``page_in`` in a session of one tenant (opened and closed here)."""
    async with info.context.session(str(tenant_id)) as session:
        return await page_in(info, session, stmt, order, first=first, after=after,
                             to_node=to_node, key=key)


# ------------------------------------------------------------------------------ mutations


async def mutate(
    info: AnyInfo,
    tenant_id: str,
    payload: Callable[..., P],
    field: str | None,
    work: Callable[[AsyncSession], Awaitable[R]],
    *,
    action: str | None,
    object_type: str = "",
    to_node: Callable[[R], Any] = _same,
    object_id: Callable[[R], str] | None = None,
    details: Callable[[R], dict[str, Any] | None] | None = None,
    permission: tuple[str, str] | None = None,
    session: SessionFactory | None = None,
    errors: Callable[[DomainError], list[UserError]] = user_errors,
    commit_if: Callable[[R], bool] | None = None,
    then: Callable[[R], Awaitable[Any]] | None = None,
) -> P:
    """Run ``work`` in one transaction of ``tenant_id``, audit it, return ``payload``.

    ``payload(**{field: to_node(result)})`` on success (``payload(**to_node(result))`` when
    ``field`` is ``None``: a payload of several fields); ``payload(errors=errors(exc))`` when
    ``work`` (or the node conversion) raised a ``DomainError``: the transaction rolls back, so
    nothing is stored and no event is written. ``action`` and ``object_type`` name the audit
    event (``ip_governance.risk.created``, ``ip_governance:risk``), written in the same
    transaction with ``object_id(result)`` (default ``result.id``) and ``details(result)``;
    ``action=None`` is for a service that audits itself (e.g. ``enqueue_job``).
    ``permission`` ``(object, action)`` is checked in the tenant first, for a permission
    beyond the field's declared one; a refusal is the field's ``FORBIDDEN``, as a declared
    permission gives. ``session`` opens another session than the tenant's (e.g. a
    ``multi_session`` over the tenant's lineage). ``commit_if(result)`` false rolls the
    work back (no event either) and still answers with its node: an all-or-nothing import
    that found bad rows reports them without storing the good ones. ``then(result)``, when
    given, builds the node after the commit instead of ``to_node`` (a fresh read of what was
    stored); its ``DomainError`` is data too.
    """
    if permission is not None:
        check_permission(info, str(tenant_id), *permission)
    opened = session() if session is not None else info.context.session(str(tenant_id))
    node: Any = None
    try:
        async with opened as open_session:
            result = await work(open_session)
            if commit_if is not None and not commit_if(result):
                raise _RolledBack(to_node(result))
            if action is not None:
                await _audit(info, open_session, str(tenant_id), action, object_type,
                             object_id(result) if object_id else str(result.id),  # type: ignore[attr-defined]
                             details(result) if details else None)
            if then is None:
                node = to_node(result)
        if then is not None:
            node = await then(result)
    except DomainError as exc:
        return payload(errors=errors(exc))
    except _RolledBack as rolled_back:
        node = rolled_back.node
    return payload(**node) if field is None else payload(**{field: node})


async def errors_as_data(payload: Callable[..., P], run: Callable[[], Awaitable[P]], *,
                         errors: Callable[[DomainError], list[UserError]] = user_errors) -> P:
    """``await run()``, or ``payload(errors=...)`` when it raised a ``DomainError``: for the
    reads a mutation makes before ``mutate`` (what the write depends on)."""
    try:
        return await run()
    except DomainError as exc:
        return payload(errors=errors(exc))


class _RolledBack(Exception):
    """Leaves the transaction of a mutation whose result says it must not be stored."""

    def __init__(self, node: Any) -> None:
        super().__init__("rolled back")
        self.node = node


async def _audit(info: AnyInfo, session: AsyncSession, tenant_id: str, action: str,
                 object_type: str, object_id: str, details: dict[str, Any] | None) -> None:
    """The audit event of a mutation, in its session (``ipgov.api.record_audit``'s rule on
    names: ``<plugin>:<object>`` and ``<plugin>.<...>``; a bad name is a bug, ``ValueError``)."""
    plugin = object_type.split(":", 1)[0]
    if ":" not in object_type or not action.startswith(f"{plugin}."):
        raise ValueError(f"audit action {action!r} must start with {plugin!r} + '.', the plugin "
                         f"of object type {object_type!r}")
    await info.context.platform.audit(session, tenant_id=tenant_id, actor=info.context.actor,
                                      action=action, object_type=object_type,
                                      object_id=object_id, details=details)


# ------------------------------------------------------------------------------ inputs


def input_values(data: Any, *, exclude: Sequence[str] = (),
                 nested: bool = False) -> dict[str, Any]:
    """A Strawberry input as keyword arguments for a service (snake_case names; ``ID``
    values are plain strings already); ``nested`` turns inputs inside it into dicts too."""
    values = dataclasses.asdict(data) if nested else {
        f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
    return {name: value for name, value in values.items() if name not in exclude}


def validate(*checks: Callable[[], Any]) -> list[Any]:
    """Run every check (a callable raising ``InvalidInput``); their results in order, or one
    error reporting every bad field together (``FieldErrors``)."""
    found = FieldErrors()
    results = [found.check(check) for check in checks]
    found.raise_if_any()
    return results


# ------------------------------------------------------------------------------ rows to types


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, list):
        return list(value)
    return value


def to_type(cls: type[T], row: Any, /, **overrides: Any) -> T:
    """``cls`` filled from ``row``'s attributes of the same names (times in UTC, lists
    copied); ``overrides`` give the fields that are not a plain copy. A field the row lacks
    and no override gives is an ``AttributeError`` naming it: a mapping bug, found early."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init:
            continue
        if f.name in overrides:
            values[f.name] = overrides[f.name]
        elif f.name in _DECLARATIVE:  # the model class's, never a column: say where it comes from
            raise AttributeError(f"{cls.__name__}.{f.name} needs an override: {f.name!r} of a "
                                 "model is SQLAlchemy's, not a column")
        else:
            values[f.name] = _plain(getattr(row, f.name))
    return cls(**values)


_DECLARATIVE = frozenset({"metadata", "registry"})


def row_mapper(cls: type[T], /, **overrides: Callable[[Any], Any]) -> Callable[[Any], T]:
    """A converter ``row -> cls`` (``to_type``), each override computed from the row."""

    def convert(row: Any) -> T:
        return to_type(cls, row, **{name: fn(row) for name, fn in overrides.items()})

    convert.__doc__ = f"The {cls.__name__} of a row."
    return convert
