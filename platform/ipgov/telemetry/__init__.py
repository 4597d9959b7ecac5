"""OpenTelemetry for ipgov: traces for HTTP, GraphQL operations, SQL (and, later, workers)."""

from .setup import Telemetry, current_plugin, current_tenant

__all__ = ["Telemetry", "current_plugin", "current_tenant"]
