"""Per-request (or per-job) context: request id and acting principal, as context variables."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

__all__ = ["acting_through", "current_request_id", "new_request_id", "request_id_var"]

request_id_var: ContextVar[str] = ContextVar("ipgov_request_id", default="")

acting_through: ContextVar[str] = ContextVar("ipgov_acting_through", default="")
"""How the current caller acts when it is not directly: ``assistant`` while an AI assistant's
tool call runs (``ipgov.assistant``). Every audit event recorded meanwhile says so
(``details.via``), so a reader of the trail sees which changes an assistant made."""


def new_request_id() -> str:
    """A fresh request id, set for the current context and returned."""
    value = uuid.uuid4().hex
    request_id_var.set(value)
    return value


def current_request_id() -> str:
    """The request id of the current request or job ("" outside one)."""
    return request_id_var.get()
