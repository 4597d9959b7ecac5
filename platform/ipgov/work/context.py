"""The tenant and W3C trace context a message of work carries, in one place.

A request records the caller's ``traceparent`` with the row and in the message; the worker
restores both the trace context and the tenant (log and span attributes) around the work, so
a review or job joins the trace of the request that asked for it, also when recovery resends
it later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry.propagate import extract, inject

from ipgov.telemetry.setup import tenant_context

__all__ = ["carried", "current_traceparent"]


def current_traceparent() -> str | None:
    """The caller's W3C ``traceparent`` (None outside a sampled trace)."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def carried(tenant_id: str, traceparent: str | None) -> Iterator[None]:
    """Inside: the trace context of ``traceparent`` and the tenant ``tenant_id``."""
    token = otel_context.attach(extract({"traceparent": traceparent or ""}))
    try:
        with tenant_context(tenant_id):
            yield
    finally:
        otel_context.detach(token)
