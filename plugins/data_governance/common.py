"""Helpers shared by every area: field-level validation errors (and their payload form) and
row lookup. Pages and audited mutations come from the core's GraphQL kit (``ipgov.api``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import DomainError, InvalidInput, NotFound, UserError

__all__ = ["FieldErrors", "aware", "camel", "get", "ordered_id", "payload_errors", "plain",
           "text"]

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


async def get(session: AsyncSession, model: type[T], object_id: str, what: str,
              field: str = "id") -> T:
    """The row of the session's tenant with ``object_id`` (``NotFound`` naming ``what``)."""
    row = (await session.execute(select(model).where(
        model.id == str(object_id)))).scalar_one_or_none()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no {what} with id {object_id!r} in this tenant", code="NOT_FOUND",
                       field=field)
    return row
