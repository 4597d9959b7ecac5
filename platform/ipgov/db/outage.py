"""Telling an outage of a dependency (lost, refused or silent connection) from a bad request.

``is_outage`` is about the database; ``unavailable_dependency`` names any dependency the
request path talks to (database, Redis, the broker) so the API can answer 503 with a clear
code instead of 500. Redis and AMQP client errors are not ``OSError`` subclasses: they are
named here.
"""

from __future__ import annotations

__all__ = ["is_outage", "outage_types", "unavailable_dependency"]


def is_outage(exc: BaseException) -> bool:
    """A lost, refused or timed-out database connection (not a bad statement)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, OSError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    return type(exc).__module__.startswith("asyncpg") and "Connection" in type(exc).__name__


def outage_types() -> list[tuple[str, tuple[type[Exception], ...]]]:
    """(dependency, exception types meaning it is unavailable) for the installed clients."""
    found: list[tuple[str, tuple[type[Exception], ...]]] = []
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeout

        found.append(("redis", (RedisConnectionError, RedisTimeout)))
    except ImportError:
        pass
    from limits.errors import StorageError

    found.append(("rate-limit store", (StorageError,)))
    from dramatiq.errors import BrokerConnectionError

    broker: tuple[type[Exception], ...] = (BrokerConnectionError,)
    try:
        from pika.exceptions import AMQPConnectionError

        broker += (AMQPConnectionError,)
    except ImportError:
        pass
    found.append(("broker", broker))
    return found


def unavailable_dependency(exc: BaseException) -> str | None:
    """``database``, ``redis``, ``rate-limit store`` or ``broker`` when ``exc`` says that
    dependency is unavailable; None for anything else (a bug: answer 500 and log it)."""
    for dependency, types in outage_types():
        if isinstance(exc, types):
            return dependency
    return "database" if is_outage(exc) else None
