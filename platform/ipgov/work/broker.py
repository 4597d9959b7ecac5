"""The Dramatiq broker that carries work, and the middleware that guards its messages.

The broker follows ``IPGOV_BROKER_URL``: ``redis://`` (Redis), ``amqp://`` (RabbitMQ), or
empty for the embedded default, an in-process broker whose worker threads run inside the API
server (nothing to install; durability comes from the database rows and recovery).
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Middleware, MiddlewareError, SkipMessage

from ipgov.settings import Settings

from .context import current_traceparent

__all__ = ["HEARTBEAT_TIMEOUT_MS", "MessageWithoutTenant", "TenantContextMiddleware",
           "build_broker", "held_messages"]

log = logging.getLogger("ipgov.work")
#: A Redis worker silent this long is dead: recovery's maintenance pass puts the messages it
#: had fetched back on the queue (docs/operations.md, "Degradation and recovery").
HEARTBEAT_TIMEOUT_MS = 15_000


class MessageWithoutTenant(MiddlewareError, ValueError):
    """A work message must name its tenant (a ``MiddlewareError``: Dramatiq only lets those
    propagate out of ``before_enqueue``; any other exception is logged and the send goes on)."""


class TenantContextMiddleware(Middleware):
    """Puts the trace context into outgoing work messages; refuses those without a tenant.

    ``actors`` are the work actors' names (the queue adds them as it declares the actors)."""

    def __init__(self) -> None:
        self.actors: set[str] = set()

    def before_enqueue(self, broker: dramatiq.Broker, message: Any, delay: int) -> None:
        if message.actor_name not in self.actors:
            return
        if not message.kwargs.get("tenant_id"):
            raise MessageWithoutTenant("work messages must carry tenant_id")
        if not message.kwargs.get("traceparent"):
            message.kwargs["traceparent"] = current_traceparent()

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        if message.actor_name in self.actors and not message.kwargs.get("tenant_id"):
            log.error("refused message %s: no tenant", message.message_id)
            raise SkipMessage("no tenant")


def _redis_broker(settings: Settings) -> dramatiq.Broker:
    """Redis with bounded waits: a cut or silent Redis fails a send (or a worker's fetch) after
    ``IPGOV_REDIS_TIMEOUT_SECONDS`` (one retry for a pooled connection Redis dropped), instead
    of blocking the thread for as long as Redis is silent."""
    import redis
    from dramatiq.brokers.redis import RedisBroker
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    timeout = settings.redis_timeout_seconds
    client = redis.Redis.from_url(settings.broker_url, socket_timeout=timeout,
                                  socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1))
    return RedisBroker(client=client, namespace=settings.broker_namespace,
                       heartbeat_timeout=HEARTBEAT_TIMEOUT_MS, dead_message_ttl=86_400_000)


def _amqp_url(settings: Settings) -> str:
    """The RabbitMQ URL with pika's socket and stack timeouts (unless the URL sets them)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(settings.broker_url)
    query = dict(parse_qsl(parts.query))
    timeout = settings.redis_timeout_seconds
    query.setdefault("socket_timeout", f"{timeout:g}")
    query.setdefault("stack_timeout", f"{2 * timeout:g}")
    query.setdefault("connection_attempts", "1")
    return urlunsplit(parts._replace(query=urlencode(query)))


def build_broker(settings: Settings) -> dramatiq.Broker:
    """The broker named by the settings, with AsyncIO and tenant-context middleware."""
    url = settings.broker_url
    if url.startswith(("redis://", "rediss://")):
        broker: dramatiq.Broker = _redis_broker(settings)
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=_amqp_url(settings))
    elif url in ("", "embedded", "stub://"):
        broker = StubBroker()
    else:
        raise ValueError(f"IPGOV_BROKER_URL: unsupported scheme in {url.split(':')[0]!r}")
    broker.add_middleware(AsyncIO())
    broker.add_middleware(TenantContextMiddleware())
    return broker


def held_messages(broker: dramatiq.Broker, queue_name: str) -> int | None:
    """How many messages ``broker`` holds for ``queue_name`` (waiting, delayed or fetched by
    a live worker), after putting back those of dead workers; None when the broker cannot
    tell (RabbitMQ, embedded). 0 means a message sent there is lost."""
    if is_embedded(broker):
        return None
    try:
        from dramatiq.brokers.redis import RedisBroker
    except ImportError:  # the redis client is not installed: no broker here is a Redis one
        return None
    if not isinstance(broker, RedisBroker):
        return None
    return sum(_redis_maintain(broker, name)
               for name in (queue_name, f"{queue_name}.DQ")) // 2


def _redis_maintain(broker: Any, queue_name: str) -> int:
    """Dramatiq's own maintenance (dead workers' fetched messages back on the queue), which it
    otherwise runs on one command in a thousand at random, then the queue's size (``qsize``
    counts the queue and its delay queue)."""
    from dramatiq.common import current_millis

    args = ["qsize", current_millis(), queue_name, broker.broker_id, broker.heartbeat_timeout,
            broker.dead_message_ttl, 1, broker._max_unpack_size()]
    return int(broker.scripts["dispatch"](args=args, keys=[broker.namespace]))


def is_embedded(broker: dramatiq.Broker) -> bool:
    """Whether ``broker`` is the in-process broker of the embedded default."""
    return isinstance(broker, StubBroker)
