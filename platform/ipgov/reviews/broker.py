"""Dramatiq plumbing: the broker, the tenant/trace middleware, the review actor, the queue.

The broker follows ``IPGOV_BROKER_URL``: ``redis://`` (Redis), ``amqp://`` (RabbitMQ), or
empty for the embedded default, an in-process broker whose worker threads run inside the API
server (nothing to install; durability comes from the database rows and recovery).

The tenant and the W3C trace context travel as message arguments; the middleware refuses to
send or process a message without a tenant, and the actor restores both inside its coroutine
(the AsyncIO middleware runs actors on its own event-loop thread, where the worker thread's
context variables are not visible).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Middleware, MiddlewareError, SkipMessage
from opentelemetry import context as otel_context
from opentelemetry.propagate import extract, inject

from ipgov.settings import Settings

__all__ = ["ACTOR_NAME", "QUEUE_NAME", "ReviewQueue", "TenantContextMiddleware", "build_broker"]

log = logging.getLogger("ipgov.reviews")
QUEUE_NAME = "ipgov-reviews"
ACTOR_NAME = "ipgov_run_review"
JOB_QUEUE_NAME = "ipgov-jobs"
JOB_ACTOR_NAME = "ipgov_run_job"
_TENANT_ACTORS = frozenset({ACTOR_NAME, JOB_ACTOR_NAME})
#: A Redis worker silent this long is dead: recovery's maintenance pass puts the messages it
#: had fetched back on the queue (docs/operations.md, "Degradation and recovery").
HEARTBEAT_TIMEOUT_MS = 15_000


class MessageWithoutTenant(MiddlewareError, ValueError):
    """A review message must name its tenant (a ``MiddlewareError``: Dramatiq only lets those
    propagate out of ``before_enqueue``; any other exception is logged and the send goes on)."""


class TenantContextMiddleware(Middleware):
    """Puts the trace context into outgoing messages; refuses messages without a tenant."""

    def before_enqueue(self, broker: dramatiq.Broker, message: Any, delay: int) -> None:
        if message.actor_name not in _TENANT_ACTORS:
            return
        if not message.kwargs.get("tenant_id"):
            raise MessageWithoutTenant("review and job messages must carry tenant_id")
        if not message.kwargs.get("traceparent"):
            carrier: dict[str, str] = {}
            inject(carrier)
            message.kwargs["traceparent"] = carrier.get("traceparent")

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        if message.actor_name in _TENANT_ACTORS and not message.kwargs.get("tenant_id"):
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


class ReviewQueue:
    """The broker with the review and job actors of one process; ``send`` enqueues a review
    run, ``send_job`` a plugin job (both on the same broker, separate queues)."""

    def __init__(self, broker: dramatiq.Broker,
                 execute: Callable[[str, str], Any] | None = None,
                 execute_job: Callable[[str, str], Any] | None = None) -> None:
        self.broker = broker
        self.embedded = isinstance(broker, StubBroker)
        self._execute = execute
        self._execute_job = execute_job

        async def run_job(job_id: str, tenant_id: str, traceparent: str | None = None) -> None:
            from ipgov.telemetry.setup import tenant_context

            token = otel_context.attach(extract({"traceparent": traceparent or ""}))
            try:
                with tenant_context(tenant_id):
                    if self._execute_job is None:
                        raise RuntimeError("this process only sends jobs")
                    outcome = await self._execute_job(job_id, tenant_id)
                    log.info("job %s (%s): %s", job_id, tenant_id, outcome)
            finally:
                otel_context.detach(token)

        self.job_actor = dramatiq.actor(run_job, broker=broker, actor_name=JOB_ACTOR_NAME,
                                        queue_name=JOB_QUEUE_NAME, max_retries=5,
                                        min_backoff=500, max_backoff=10_000,
                                        time_limit=6 * 3_600_000)

        async def run_review(run_id: str, tenant_id: str, traceparent: str | None = None) -> None:
            from ipgov.telemetry.setup import tenant_context

            token = otel_context.attach(extract({"traceparent": traceparent or ""}))
            try:
                with tenant_context(tenant_id):
                    if self._execute is None:
                        raise RuntimeError("this process only sends reviews")
                    outcome = await self._execute(run_id, tenant_id)
                    log.info("review %s (%s): %s", run_id, tenant_id, outcome)
            finally:
                otel_context.detach(token)

        self.actor = dramatiq.actor(run_review, broker=broker, actor_name=ACTOR_NAME,
                                    queue_name=QUEUE_NAME, max_retries=5,
                                    min_backoff=500, max_backoff=10_000)

    def send(self, run_id: str, tenant_id: str, traceparent: str | None = None) -> None:
        """Enqueue the run; without ``traceparent`` the middleware adds the caller's context
        (recovery passes the one stored with the run, so resent runs join the request's trace).
        """
        kwargs = {"run_id": run_id, "tenant_id": tenant_id}
        if traceparent:
            kwargs["traceparent"] = traceparent
        self.actor.send_with_options(kwargs=kwargs)

    def send_job(self, job_id: str, tenant_id: str, traceparent: str | None = None) -> None:
        """Enqueue a job (see ``send``)."""
        kwargs = {"job_id": job_id, "tenant_id": tenant_id}
        if traceparent:
            kwargs["traceparent"] = traceparent
        self.job_actor.send_with_options(kwargs=kwargs)

    def held(self, queue_name: str) -> int | None:
        """How many messages the broker holds for ``queue_name`` (waiting, delayed or fetched
        by a live worker), after putting back those of dead workers; None when the broker
        cannot tell (RabbitMQ, embedded). 0 means a message sent there is lost."""
        from dramatiq.brokers.redis import RedisBroker

        if not isinstance(self.broker, RedisBroker):
            return None
        return sum(_redis_maintain(self.broker, name)
                   for name in (queue_name, f"{queue_name}.DQ")) // 2

    def start_worker(self, threads: int) -> dramatiq.Worker:
        """Run worker threads in this process (the embedded default)."""
        worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=200)
        worker.start()
        return worker


def _redis_maintain(broker: Any, queue_name: str) -> int:
    """Dramatiq's own maintenance (dead workers' fetched messages back on the queue), which it
    otherwise runs on one command in a thousand at random, then the queue's size (``qsize``
    counts the queue and its delay queue)."""
    from dramatiq.common import current_millis

    args = ["qsize", current_millis(), queue_name, broker.broker_id, broker.heartbeat_timeout,
            broker.dead_message_ttl, 1, broker._max_unpack_size()]
    return int(broker.scripts["dispatch"](args=args, keys=[broker.namespace]))
