"""Declarative base, id generation and the ``TenantScoped`` mixin every tenant-owned model uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "TenantScoped", "UTCDateTime", "new_id", "utcnow", "JSON"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A random, non-guessable identifier (UUID4 as text) for any row."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Timezone-aware current time in UTC; all stored times are UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the offset (``timestamptz``); SQLite keeps none and its driver returns
    naive values. Writing converts to UTC (a naive value is taken as UTC) and reading attaches
    UTC, so every model attribute, API field and export carries an offset on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, _dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every model, core and plugins alike, so one metadata holds the whole schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict: JSON, list: JSON, datetime: UTCDateTime()}


class TenantScoped:
    """Mixin for rows owned by one tenant.

    The core session filters every query on these models to the session's tenant scope and
    stamps ``tenant_id`` on insert; on PostgreSQL row-level security checks the same column.
    Models set ``__movable_on_absorption__ = False`` when a merger must not move their rows
    (the audit trail stays with the tenant that wrote it).
    """

    __movable_on_absorption__: bool = True
    if TYPE_CHECKING:  # set by each mapped model; declared here for code that walks the mixin
        __tablename__: str

    @declared_attr
    def tenant_id(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(
            String(36), ForeignKey("tenants.id", ondelete="RESTRICT"), index=True, nullable=False
        )
