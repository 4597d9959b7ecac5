"""Shared plumbing of the organization area's GraphQL: rows to nodes, one tenant-scoped page,
one audited mutation whose domain errors become payload errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import Connection, DomainError, paginate, record_audit, user_errors

from ..services import aware

__all__ = ["inputs", "mutate", "node", "page"]

T = TypeVar("T")


def node(cls: type[T], row: Any, **extra: Any) -> T:
    """The GraphQL node ``cls`` filled from the row's attributes of the same names (times in
    UTC); ``extra`` supplies fields the row does not have."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name in extra:
            values[field.name] = extra[field.name]
            continue
        value = getattr(row, field.name)
        values[field.name] = aware(value) if isinstance(value, datetime) else value
    return cls(**values)


def inputs(data: Any) -> dict[str, Any]:
    """A Strawberry input object as keyword arguments for a service."""
    return {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}


async def page(info: Info, tenant_id: Any, model: type, to_node: Callable[[Any], Any], *,
               first: int, after: str | None, where: tuple = ()) -> Connection[Any]:
    """A page of ``model`` rows of one tenant, in id order."""
    ctx = info.context
    async with ctx.session(str(tenant_id)) as session:
        return await paginate(session, select(model).where(*where), [model.id], first=first,
                              after=after, maximum=ctx.platform.settings.max_page_size,
                              to_node=to_node, key=lambda r: [r.id])


async def mutate(info: Info, tenant_id: Any, payload: type[T], *, action: str, obj: str,
                 run: Callable[[AsyncSession], Awaitable[Any]],
                 to_node: Callable[[Any], Any], field: str) -> T:
    """Run a service in the tenant's transaction and audit it; errors become payload data."""
    ctx = info.context
    try:
        async with ctx.session(str(tenant_id)) as session:
            row = await run(session)
            await record_audit(ctx.platform, session, tenant_id=str(tenant_id), actor=ctx.actor,
                               action=f"ip_governance.{action}",
                               object_type=f"ip_governance:{obj}", object_id=row.id)
            result = to_node(row)
    except DomainError as exc:
        return payload(errors=user_errors(exc))  # type: ignore[call-arg]
    return payload(**{field: result})  # type: ignore[call-arg]
