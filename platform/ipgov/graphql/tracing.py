"""One span per GraphQL operation, with its name, type and outcome (not one per resolver)."""

from __future__ import annotations

from collections.abc import Iterator

from opentelemetry.trace import Status, StatusCode
from strawberry.extensions import SchemaExtension

__all__ = ["OperationTracing"]


class OperationTracing(SchemaExtension):
    """Wraps each operation in a ``graphql <type> <name>`` span when tracing is on."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        telemetry = getattr(getattr(context, "platform", None), "telemetry", None)
        if telemetry is None or not telemetry.enabled:
            yield
            return
        with telemetry.tracer.start_as_current_span("graphql") as span:
            yield
            name = self.execution_context.operation_name or "anonymous"
            span.update_name(f"graphql {name}")
            span.set_attribute("graphql.operation.name", name)
            op_type = self.execution_context.operation_type
            span.set_attribute("graphql.operation.type", getattr(op_type, "value", str(op_type)))
            result = self.execution_context.result
            errors = getattr(result, "errors", None) or []
            span.set_attribute("graphql.errors", len(errors))
            if errors:
                codes = sorted({(e.extensions or {}).get("code", "") for e in errors})
                span.set_attribute("graphql.error_codes", ",".join(c for c in codes if c))
                span.set_status(Status(StatusCode.ERROR))
