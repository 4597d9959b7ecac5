"""Telling a database outage (lost or refused connection) from a bad statement."""

from __future__ import annotations

__all__ = ["is_outage"]


def is_outage(exc: BaseException) -> bool:
    """A lost or refused database connection (not a bad statement)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, OSError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    return type(exc).__module__.startswith("asyncpg") and "Connection" in type(exc).__name__
