"""Request body and upload size limits (OWASP API4), enforced while the body streams in.

``/plugins/...`` routes (uploads: patent files, asset imports) may receive up to
``IPGOV_MAX_UPLOAD_BYTES``; every other route (GraphQL) ``IPGOV_MAX_REQUEST_BYTES``. A
declared ``Content-Length`` over the limit is refused at once with 413, before the handler
runs; a chunked body is counted as it is read and refused with 413 as soon as it passes the
limit, so an oversized body is never buffered whole.
"""

from __future__ import annotations

import json
from typing import Any

from litestar.exceptions import ClientException

from ipgov.settings import Settings

__all__ = ["BodySizeLimitMiddleware", "body_limit_for"]

UPLOAD_PREFIX = "/plugins/"


def body_limit_for(settings: Settings, path: str) -> int:
    """The largest body accepted on ``path``."""
    if path.startswith(UPLOAD_PREFIX):
        return settings.max_upload_bytes
    return settings.max_request_bytes


def _message(limit: int) -> str:
    return f"the request body is larger than {limit} bytes"


def _declared_length(scope: dict[str, Any]) -> int | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodySizeLimitMiddleware:
    """ASGI middleware refusing bodies over the route's limit with 413 ``PAYLOAD_TOO_LARGE``."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(self.settings, scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit, scim=scope.get("path", "").startswith("/scim/"))
            return
        seen = 0

        async def counted_receive() -> dict[str, Any]:
            nonlocal seen
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ClientException(status_code=413, detail=_message(limit),
                                          extra={"code": "PAYLOAD_TOO_LARGE"})
            return message

        await self.app(scope, counted_receive, send)


async def _refuse(send: Any, limit: int, *, scim: bool = False) -> None:
    """413 with a GraphQL-shaped body, or a SCIM error body (RFC 7644 §3.12) under /scim/."""
    shaped: dict[str, Any] = {"data": None, "errors": [{
        "message": _message(limit),
        "extensions": {"code": "PAYLOAD_TOO_LARGE", "limit": limit}}]}
    if scim:
        shaped = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "413",
                  "detail": _message(limit)}
    body = json.dumps(shaped).encode()
    content_type = b"application/scim+json" if scim else b"application/json"
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", content_type), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
