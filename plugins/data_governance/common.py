"""Helpers shared by every area: field-level validation errors, row lookup, and the GraphQL
plumbing (a page of rows in the tenant's session; a mutation run, audited, errors as data)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    InvalidInput,
    NotFound,
    UserError,
    paginate,
    record_audit,
)

__all__ = ["FieldErrors", "aware", "camel", "get", "mutate", "ordered_id", "page",
           "payload_errors", "plain", "text", "to_dict"]

T = TypeVar("T")
PLUGIN = "data_governance"


class FieldErrors(InvalidInput):
    """Several fields at fault at once; ``problems`` lists (field path, message)."""

    def __init__(self, problems: list[tuple[str, str]], *, code: str = "INVALID_INPUT") -> None:
        first_field, first_message = problems[0]
        summary = f"{len(problems)} field(s) invalid; first: {first_field}: {first_message}"
        super().__init__(summary, code=code, field=first_field)
        self.problems = problems


def payload_errors(exc: DomainError) -> list[UserError]:
    """One ``UserError`` per field at fault (or the single error)."""
    if isinstance(exc, FieldErrors):
        return [UserError(code=exc.code, message=m, field=f) for f, m in exc.problems]
    return [UserError(code=exc.code, message=exc.message, field=exc.field)]


def ordered_id() -> str:
    """A 36-character id that sorts by creation time (microseconds, then random): lists that
    read oldest first page on the id alone, which every backend compares the same way."""
    import time
    import uuid

    return f"{time.time_ns() // 1000:016x}-{uuid.uuid4().hex[:19]}"


def aware(moment: datetime) -> datetime:
    """A timestamp with a time zone (SQLite returns naive UTC ones)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def camel(name: str) -> str:
    """``system_of_record`` -> ``systemOfRecord`` (field names in errors are GraphQL's)."""
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def text(value: str | None, field: str, max_len: int, *, required: bool = False,
         problems: list[tuple[str, str]] | None = None) -> str:
    """Stripped text; a problem (collected, or raised) when missing or too long."""
    value = (value or "").strip()
    message = ""
    if required and not value:
        message = f"{field} is required"
    elif len(value) > max_len:
        message = f"{field} is longer than {max_len} characters"
    if message:
        if problems is None:
            raise InvalidInput(message, code="REQUIRED" if not value else None, field=field)
        problems.append((field, message))
    return value


def plain(value: str | None) -> str:
    """A short identifier-like value: lower case, spaces and dashes as underscores."""
    return re.sub(r"[\s-]+", "_", (value or "").strip().lower())


def to_dict(obj: Any) -> dict[str, Any]:
    """A strawberry input as a dict of snake_case fields (ids as plain strings)."""
    return {k: (str(v) if isinstance(v, str) else v)
            for k, v in dataclasses.asdict(obj).items()}


async def get(session: AsyncSession, model: type[T], object_id: str, what: str,
              field: str = "id") -> T:
    """The row of the session's tenant with ``object_id`` (``NotFound`` naming ``what``)."""
    row = (await session.execute(select(model).where(
        model.id == str(object_id)))).scalar_one_or_none()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no {what} with id {object_id!r} in this tenant", code="NOT_FOUND",
                       field=field)
    return row


async def page(info: Info, tenant_id: strawberry.ID, stmt: Any, order: list[Any], first: int,
               after: str | None, to_node: Callable[[Any], Any]) -> Connection[Any]:
    """A keyset page of ``stmt`` in the tenant's session."""
    ctx = info.context
    async with ctx.session(str(tenant_id)) as session:
        return await paginate(session, stmt, order, first=first, after=after,
                              maximum=ctx.platform.settings.max_page_size, to_node=to_node,
                              key=lambda r: [getattr(r, c.key) for c in order])


async def mutate(info: Info, tenant_id: strawberry.ID, action: str, object_type: str,
                 work: Callable[[AsyncSession], Awaitable[tuple[str, Any]]],
                 payload: Callable[..., Any], field: str,
                 details: Callable[[Any], dict[str, Any]] | None = None) -> Any:
    """Run ``work`` in the tenant's transaction and audit it; domain errors become data and
    nothing is stored. ``work`` returns (object id, node); the payload gets the node."""
    ctx = info.context
    try:
        async with ctx.session(str(tenant_id)) as session:
            object_id, node = await work(session)
            await record_audit(ctx.platform, session, tenant_id=str(tenant_id), actor=ctx.actor,
                               action=f"{PLUGIN}.{action}", object_type=object_type,
                               object_id=object_id,
                               details=details(node) if details else None)
    except DomainError as exc:
        return payload(errors=payload_errors(exc))
    return payload(**{field: node})
