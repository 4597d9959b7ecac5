"""``/mcp`` in ``ipgov serve``: the assistant server over Streamable HTTP.

Stateless (each POST carries a whole exchange; any replica answers it) with JSON answers.
The caller is named per request by its ``Authorization`` header, checked before the MCP
machinery sees the request: none or a refused one is answered 401 with the
``WWW-Authenticate`` challenge of the MCP authorization specification, pointing at the
protected-resource metadata (RFC 9728) served at
``/.well-known/oauth-protected-resource/mcp``, which names the authorization servers whose
bearer tokens ipgov accepts (its own issuer, and the OpenID provider of
``IPGOV_OIDC_ISSUER`` when configured). A request whose ``Origin`` is another site's is
refused (a web page cannot drive a user's assistant connection).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from mcp.server.transport_security import TransportSecuritySettings

from ipgov.i18n import negotiate, translate
from ipgov.identity.service import authenticate
from ipgov.identity.tokens import AuthenticationError

from .server import AssistantServer, Caller, Limit

__all__ = ["AssistantEndpoint", "METADATA_PATH", "MCP_PATH"]

MCP_PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource"


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


_PRINCIPAL = "ipgov_assistant_principal"


def _caller(ctx: Any) -> Caller:
    request = getattr(ctx, "request", None)
    headers = getattr(request, "headers", None) or {}
    client = getattr(request, "client", None)
    scope = getattr(request, "scope", None) or {}
    return Caller(authorization=headers.get("authorization"),
                  accept_language=headers.get("accept-language"),
                  address=getattr(client, "host", "") or "",
                  principal=(scope.get("state") or {}).get(_PRINCIPAL))


class AssistantEndpoint:
    """The ASGI app mounted at ``/mcp`` (and its metadata document)."""

    def __init__(self, platform: Any, schema: Any, limit: Limit) -> None:
        self.platform = platform
        self.assistant = AssistantServer(platform, schema, caller_of=_caller, limit=limit,
                                         transport="http")
        self.app = self.assistant.server.streamable_http_app(
            streamable_http_path="/", stateless_http=True, json_response=True,
            max_request_body_size=platform.settings.max_request_bytes,
            # the Origin check is ours (below): hosts differ per deployment
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The session manager's task group, for the application's lifespan."""
        async with self.assistant.server.session_manager.run():
            yield

    def metadata(self, base_url: str) -> dict[str, Any]:
        settings = self.platform.settings
        # ipgov's own tokens come from its sign-in (or are API keys) at its public address
        servers = [u for u in (settings.oidc_issuer, settings.public_url or base_url.rstrip("/"))
                   if u.startswith(("https://", "http://"))]
        return {"resource": base_url.rstrip("/") + MCP_PATH,
                "authorization_servers": servers, "bearer_methods_supported": ["header"],
                "resource_name": "ipgov", "resource_documentation":
                    base_url.rstrip("/") + "/docs/assistant"}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        locale = negotiate(_header(scope, b"accept-language"), None)
        origin, host = _header(scope, b"origin"), _header(scope, b"host")
        if origin and urlsplit(origin).netloc != host:
            await _answer(send, 403, {"error": "forbidden_origin", "error_description":
                                      translate("ASSISTANT_FOREIGN_ORIGIN", locale)
                                      or "requests from another site's pages are refused"})
            return
        try:
            principal = await authenticate(self.platform, _header(scope, b"authorization"))
        except AuthenticationError as exc:
            await self._challenge(scope, send, "invalid_token",
                                  translate(exc.code, locale) or exc.message)
            return
        if principal is None:
            await self._challenge(scope, send, "invalid_request",
                                  translate("AUTH_REQUIRED", locale) or "Sign in first.")
            return
        inner = dict(scope)
        # authenticated once per request: the tools take the caller from here
        inner["state"] = {**(scope.get("state") or {}), _PRINCIPAL: principal}
        inner["path"] = "/"  # the MCP app serves its root; Litestar mounted it at /mcp
        inner["root_path"] = scope.get("root_path", "") + MCP_PATH
        await self.app(inner, receive, send)

    async def _challenge(self, scope: dict[str, Any], send: Any, error: str,
                         description: str) -> None:
        scheme = scope.get("scheme", "http")
        host = _header(scope, b"host") or "localhost"
        metadata = f"{scheme}://{host}{METADATA_PATH}{MCP_PATH}"
        challenge = (f'Bearer error="{error}", resource_metadata="{metadata}"')
        await _answer(send, 401, {"error": error, "error_description": description},
                      [(b"www-authenticate", challenge.encode("latin-1", "replace"))])


async def _answer(send: Any, status: int, body: dict[str, Any],
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})
