"""One tracer provider per platform; spans carry the tenant and plugin they served.

Tracing is off unless an OTLP endpoint is configured (``IPGOV_OTLP_ENDPOINT``) or
``IPGOV_TRACING=true``: the embedded default needs nothing. Each platform owns its provider (no
process-global state), so tests and several platforms in one process do not interfere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from ipgov.settings import Settings

__all__ = ["Telemetry", "current_plugin", "current_tenant", "tenant_context"]

current_tenant: ContextVar[str] = ContextVar("ipgov_trace_tenant", default="")
current_plugin: ContextVar[str] = ContextVar("ipgov_trace_plugin", default="")


@contextmanager
def tenant_context(tenant_id: str) -> Iterator[None]:
    """Spans started inside carry ``ipgov.tenant_id``."""
    token = current_tenant.set(tenant_id)
    try:
        yield
    finally:
        current_tenant.reset(token)


class TenantAttributes(SpanProcessor):
    """Stamps ``ipgov.tenant_id`` and ``ipgov.plugin`` on every span as it starts."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        tenant = current_tenant.get()
        if tenant:
            span.set_attribute("ipgov.tenant_id", tenant)
        plugin = current_plugin.get()
        if plugin:
            span.set_attribute("ipgov.plugin", plugin)

    def on_end(self, span: ReadableSpan) -> None:
        return None


class Telemetry:
    """The platform's tracer provider and the instrumentation built on it."""

    def __init__(self, settings: Settings, service: str = "ipgov-api") -> None:
        self.enabled = bool(settings.otlp_endpoint) or settings.tracing
        self.provider = TracerProvider(
            resource=Resource.create({"service.name": service}),
            sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
        )
        self.provider.add_span_processor(TenantAttributes())
        if settings.otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
            self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint)))
        self.tracer = self.provider.get_tracer("ipgov")

    def add_exporter(self, exporter: SpanExporter) -> None:
        """Export every finished span to ``exporter`` synchronously (tests, debugging)."""
        self.enabled = True
        self.provider.add_span_processor(SimpleSpanProcessor(exporter))

    def instrument_engine(self, engine: Any) -> None:
        """SQL spans for one engine (``AsyncEngine`` or sync ``Engine``)."""
        if not self.enabled:
            return
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        from opentelemetry.metrics import get_meter

        sync_engine = getattr(engine, "sync_engine", engine)
        if getattr(sync_engine, "_ipgov_traced", False):
            return
        counter = get_meter("ipgov.sql").create_up_down_counter(
            "db.client.connections.usage", unit="connections")
        EngineTracer(self.provider.get_tracer("ipgov.sql"), sync_engine, counter)
        sync_engine._ipgov_traced = True

    def litestar_plugins(self) -> list[Any]:
        """The Litestar OpenTelemetry plugin (HTTP server spans), when tracing is on."""
        if not self.enabled:
            return []
        from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

        config = OpenTelemetryConfig(tracer_provider=self.provider,
                                     exclude=["/healthz", "/readyz"])
        return [OpenTelemetryPlugin(config)]

    def shutdown(self) -> None:
        """Flush and stop exporters."""
        self.provider.shutdown()


def span_in_current_trace() -> trace.Span:
    """The current span (for adding attributes in resolvers)."""
    return trace.get_current_span()
