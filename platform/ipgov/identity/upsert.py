"""``INSERT ... ON CONFLICT`` for the dialect of a session (SQLite and PostgreSQL both have it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["insert_for"]


def insert_for(session: AsyncSession, table: Any) -> Any:
    """An insert on ``table`` with ``on_conflict_do_update``/``_do_nothing`` for the session's
    database (the two dialects spell these identically in SQLAlchemy)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
