"""Readiness: can this process serve its requests? Each dependency that matters, probed at once.

- ``database``: ``SELECT 1`` through the app's own pool (connect, pool and statement timeouts
  apply, and the probe itself gives up after ``PROBE_SECONDS``);
- ``rateLimitStore``: a Redis ping, when the counters live in Redis;
- ``broker``: a Redis ping, or a TCP connection to RabbitMQ, when a broker is configured.

Every probed dependency is named in the answer (``up`` or ``down``); any one down makes it 503.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

__all__ = ["PROBE_SECONDS", "readiness"]

log = logging.getLogger("ipgov.web")
PROBE_SECONDS = 3.0


async def _database(platform: Any) -> bool:
    """Every engine answers: the app role's (requests) and, on PostgreSQL, the system role's
    (sign-in, authorization, recovery), each through its own pool."""
    from sqlalchemy import text

    for engine in platform.db.engines:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    return True


async def _rate_limit_store(platform: Any) -> bool:
    from .ratelimit import rate_limits

    return bool(await rate_limits(platform).store_available())


async def _broker(platform: Any) -> bool:
    url = platform.settings.broker_url
    queue = platform.work.queue
    if url.startswith(("redis://", "rediss://")) and queue is not None:
        return bool(await asyncio.to_thread(queue.broker.client.ping))
    parts = urlsplit(url)
    _reader, writer = await asyncio.open_connection(parts.hostname or "localhost",
                                                    parts.port or 5672)
    writer.close()
    return True


def _probes(platform: Any) -> dict[str, Any]:
    settings = platform.settings
    probes = {"database": _database}
    if settings.rate_limit_storage.startswith(("redis://", "rediss://")):
        probes["rateLimitStore"] = _rate_limit_store
    if settings.broker_url.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        probes["broker"] = _broker
    return probes


async def _probe(name: str, probe: Any, platform: Any) -> bool:
    try:
        return await asyncio.wait_for(probe(platform), PROBE_SECONDS)
    except Exception as exc:  # any failure means "not ready"; the log says which and why
        log.warning("not ready: %s is down (%s)", name, type(exc).__name__)
        return False


async def readiness(platform: Any) -> tuple[bool, dict[str, str]]:
    """(ready, dependency -> ``up``/``down``), every probe run concurrently."""
    probes = _probes(platform)
    results = await asyncio.gather(*(_probe(n, p, platform) for n, p in probes.items()))
    states = {name: "up" if ok else "down" for name, ok in zip(probes, results, strict=True)}
    return all(results), states
