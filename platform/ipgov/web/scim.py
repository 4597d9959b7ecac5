"""``/scim/v2``: the SCIM 2.0 service (RFC 7644) a group's directory provisions users through.

A thin route: it authenticates the group's SCIM bearer token, opens the session (read-only
for reads), hands the request to ``ipgov.identity.scim.protocol`` (or ``discovery``) and sends
the reply as ``application/scim+json``. Every failure is a SCIM error body (RFC 7644 §3.12),
an unknown path included; outages keep the application's 503. Bodies are bounded by
``IPGOV_MAX_REQUEST_BYTES`` (``ipgov.web.limits``) and requests are rate limited per token
(``ipgov.web.ratelimit``).
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, route
from litestar.exceptions import HTTPException
from litestar.response import Response
from pydantic_core import from_json
from scim2_models import (
    InvalidSyntaxException,
    NotFoundException,
    NotImplementedException,
    SCIMException,
    UnauthorizedException,
)

from ipgov.db import TenantScope
from ipgov.identity.scim import discovery, protocol, tokens
from ipgov.identity.scim.errors import scim_error
from ipgov.identity.scim.reach import reach_of
from ipgov.identity.scim.sync import Provisioning
from ipgov.runtime import Platform

__all__ = ["SCIM_PATH", "scim_routes"]

SCIM_PATH = "/scim/v2"
MEDIA_TYPE = "application/scim+json"
DISCOVERY = frozenset({"ServiceProviderConfig", "ResourceTypes", "Schemas"})
RESOURCES = frozenset({"Users", "Groups"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class MethodNotAllowed(SCIMException):
    """405: the endpoint exists, the method does not (``Allow`` names those that do)."""

    status = 405

    def __init__(self, allowed: str) -> None:
        super().__init__(detail=f"this endpoint answers {allowed} only")
        self.allowed = allowed


class UnsupportedMediaType(SCIMException):
    """415: a body that is not JSON."""

    status = 415


def _reply(status: int, body: dict[str, Any] | None, headers: dict[str, str]) -> Response[bytes]:
    content = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    return Response(content, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _query(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in request.query_params.items()}


async def _body(request: Request[Any, Any, Any]) -> bytes:
    media = (request.headers.get("content-type") or "").partition(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/")
                                            and media.endswith("+json")):
        raise UnsupportedMediaType(detail="send the body as application/scim+json")
    return await request.body()


def _check_method(method: str, allowed: str) -> None:
    if method not in allowed.split(", "):
        raise MethodNotAllowed(allowed)


async def _dispatch(prov: Provisioning, session: Any, request: Request[Any, Any, Any],
                    endpoint: str, item: str | None) -> protocol.Reply:
    method, limit = request.method, prov.platform.settings.max_page_size
    if item is None and method == "GET":
        return await protocol.search(prov, session, endpoint, _query(request), limit)
    if item is None:
        _check_method(method, "GET, POST")
        return await protocol.create(prov, session, endpoint, await _body(request))
    if item == ".search":
        _check_method(method, "POST")
        payload = from_json(await _body(request))
        if not isinstance(payload, dict):
            raise InvalidSyntaxException(detail="a search is a JSON object")
        return await protocol.search(prov, session, endpoint, payload, limit)
    if method == "GET":
        return await protocol.get_one(prov, session, endpoint, item, _query(request))
    _check_method(method, "GET, PUT, PATCH, DELETE")
    if method == "DELETE":
        return await protocol.delete(prov, session, endpoint, item)
    body = await _body(request)
    act = protocol.replace if method == "PUT" else protocol.patch
    return await act(prov, session, endpoint, item, body)


def _credential(request: Request[Any, Any, Any]) -> str:
    scheme, _, credential = (request.headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise UnauthorizedException(detail="send the group's SCIM token: 'Authorization: "
                                    "Bearer ipgovscim_...'")
    return credential.strip()


async def _serve(platform: Platform, request: Request[Any, Any, Any], endpoint: str,
                 item: str | None, base_url: str) -> protocol.Reply:
    credential = _credential(request)
    write = request.method in WRITES and endpoint in RESOURCES
    scope = TenantScope.system(f"scim: {request.method} {endpoint}")
    async with platform.db.session(scope, readonly=not write) as session:
        token = await tokens.verify_token(platform, session, credential)
        if endpoint in DISCOVERY:
            _check_method(request.method, "GET")
            return discovery.discovery(endpoint, item, _query(request), base_url,
                                       platform.settings.max_page_size)
        if endpoint == ".search":
            raise NotImplementedException(detail="search one endpoint: /Users/.search or "
                                          "/Groups/.search")
        if endpoint not in RESOURCES:
            raise NotFoundException(detail=f"no SCIM endpoint /{endpoint[:40]}")
        prov = Provisioning(platform, token, reach_of(platform.authz.directory,
                                                      token.tenant_id), base_url)
        reply = await _dispatch(prov, session, request, endpoint, item)
    if prov.roles_changed:
        await platform.authz.refresh()
    if tokens.needs_use_noted(token):
        await tokens.note_use(platform, token.id)
    return reply


@route([SCIM_PATH, f"{SCIM_PATH}/{{endpoint:str}}", f"{SCIM_PATH}/{{endpoint:str}}/{{item:str}}",
        f"{SCIM_PATH}/{{endpoint:str}}/{{item:str}}/{{rest:path}}"],
       http_method=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def scim(request: Request[Any, Any, Any], endpoint: str = "", item: str | None = None,
               rest: str | None = None) -> Response[bytes]:
    """Every SCIM request: one route, so that every answer, 404 and 405 included, is SCIM's."""
    platform: Platform = request.app.state.platform
    base_url = str(request.base_url).rstrip("/") + SCIM_PATH
    try:
        if rest is not None:
            _credential(request)
            raise NotFoundException(detail="no such SCIM resource")
        reply = await _serve(platform, request, endpoint, item, base_url)
    except HTTPException as exc:  # the body limit, raised while the body streams in
        return _reply(exc.status_code, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:"
                                                    "Error"], "status": str(exc.status_code),
                                        "detail": str(exc.detail)}, {})
    except Exception as exc:
        answer = scim_error(exc)
        if answer is None:
            raise
        status, body, headers = answer
        if isinstance(exc, MethodNotAllowed):
            headers["Allow"] = exc.allowed
        return _reply(status, body, headers)
    return _reply(reply.status, reply.body, reply.headers)


def scim_routes() -> list[Any]:
    """The SCIM route."""
    return [scim]
