"""The Litestar application: GraphQL at ``/graphql``, health probes, the JWKS document."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router, asgi, get
from litestar.middleware import DefineMiddleware
from litestar.response import Response
from strawberry.litestar import make_graphql_controller

from ipgov import __version__
from ipgov.assistant.http import MCP_PATH, METADATA_PATH, AssistantEndpoint
from ipgov.context import new_request_id
from ipgov.db.outage import outage_types, unavailable_dependency
from ipgov.graphql.context import IpgovContext
from ipgov.graphql.schema import build_schema
from ipgov.i18n import negotiate
from ipgov.identity.revocations import RevocationFollower
from ipgov.identity.tokens import AuthenticationError
from ipgov.live.hub import LiveHub
from ipgov.runtime import Platform
from ipgov.settings import Settings
from ipgov.web.account import account_routes
from ipgov.web.bodyguard import RequestBodyGuard
from ipgov.web.calendar import calendar_routes
from ipgov.web.cookies import SessionCookies
from ipgov.web.extension_files import extension_file_routes
from ipgov.web.guards import authenticate_http, authentication_failed
from ipgov.web.home import home_routes
from ipgov.web.ide import ide_controller, openapi_config
from ipgov.web.limits import BodySizeLimitMiddleware
from ipgov.web.live import live_controller, live_options
from ipgov.web.pages import page_routes
from ipgov.web.ratelimit import RateLimitMiddleware, TenantRateLimit, assistant_limit
from ipgov.web.saml import saml_routes
from ipgov.web.scim import scim_routes
from ipgov.web.shell import workspace_built, workspace_routes
from ipgov.web.sso import sso_routes
from ipgov.work.worker import start_work

__all__ = ["create_app"]

log = logging.getLogger("ipgov.web")


def _locale(request: Request[Any, Any, Any], default: str | None) -> str:
    return negotiate(request.headers.get("accept-language"), default)  # ipgov.i18n


def _context_getter(platform: Platform
                    ) -> Callable[[Request[Any, Any, Any]], Awaitable[IpgovContext]]:
    async def get_context(request: Request[Any, Any, Any]) -> IpgovContext:
        request_id = new_request_id()
        cookies = SessionCookies.of(request, platform)
        # a refused credential raises AuthenticationError: 401 (web.guards.authentication_failed);
        # a WebSocket signs in at connection_init instead (web/live.py)
        socket = str(request.scope["type"]) == "websocket"
        principal = None if socket else await authenticate_http(platform, request, cookies)
        locale = principal.locale if principal else None
        return IpgovContext(platform=platform, principal=principal, request_id=request_id,
                            locale=_locale(request, locale), loaders={},
                            client_address=request.client.host if request.client else "",
                            session_cookies=cookies)

    return get_context


def _middleware(middleware: Callable[..., Any], **options: Any) -> DefineMiddleware:
    """Our ASGI middlewares take the scope as a plain dict, which Litestar's ``Scope`` (a union
    of TypedDicts) does not accept as a parameter type."""
    return DefineMiddleware(middleware, **options)


def _health_routes(platform: Platform) -> list[Any]:
    @get("/healthz", sync_to_thread=False, include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[dict[str, Any]]:
        from .readiness import readiness

        ready, states = await readiness(platform)
        if not ready:
            return Response({"status": "unavailable", **states}, status_code=503)
        return Response({"status": "ready", **states, "policyVersion": platform.authz.version})

    @get("/.well-known/jwks.json", sync_to_thread=False, include_in_schema=False)
    def jwks() -> dict[str, Any]:
        keys: dict[str, Any] = platform.tokens.issuer.jwks()
        return keys

    from ipgov.audit.export import audit_export_routes
    from ipgov.supervision.exports import export_routes

    return [healthz, readyz, jwks, *export_routes(), *audit_export_routes()]


def _assistant_routes(endpoint: AssistantEndpoint) -> list[Any]:
    """``/mcp`` (the assistant server, ipgov.assistant) and its protected-resource metadata."""

    @asgi(MCP_PATH, is_mount=True, copy_scope=True)
    async def mcp(scope: Any, receive: Any, send: Any) -> None:
        await endpoint(scope, receive, send)

    @get([METADATA_PATH, METADATA_PATH + MCP_PATH], sync_to_thread=False,
         include_in_schema=False)
    def resource_metadata(request: Request[Any, Any, Any]) -> dict[str, Any]:
        return endpoint.metadata(str(request.base_url))

    return [mcp, resource_metadata]


# --- outages (security suite, issues 9 and 22): a clear 503 instead of a bare 500 ----------
_OUTAGE_BODY = {"data": None, "errors": [{
    "message": "the database is unavailable; retry in a few seconds",
    "extensions": {"code": "DATABASE_UNAVAILABLE"}}]}


def _service_unavailable(dependency: str) -> dict[str, Any]:
    return {"data": None, "errors": [{
        "message": f"a service this request needs ({dependency}) is unavailable; retry in a "
                   "few seconds", "extensions": {"code": "SERVICE_UNAVAILABLE",
                                                 "dependency": dependency}}]}


def _database_unavailable(_request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    dependency = unavailable_dependency(exc)
    if dependency is None:
        log.error("unhandled error", exc_info=exc)
        return Response({"status_code": 500, "detail": "Internal Server Error"},
                        status_code=500)
    log.warning("%s unavailable: %s", dependency, type(exc).__name__)
    body = _OUTAGE_BODY if dependency == "database" else _service_unavailable(dependency)
    return Response(body, status_code=503, headers={"Retry-After": "5"})


def _outage_handlers() -> dict[int | type[Exception], Any]:
    """Every exception type an unavailable dependency raises, mapped to the 503 handler."""
    from sqlalchemy.exc import SQLAlchemyError


    types: list[type[Exception]] = [OSError, SQLAlchemyError]
    types += [t for _name, found in outage_types() for t in found]
    return dict.fromkeys(types, _database_unavailable)
# --- end database outages ---------------------------------------------------------------------


def create_app(platform: Platform, settings: Settings | None = None) -> Litestar:
    """Build the application for a prepared platform; start-up loads policies."""
    settings = settings or platform.settings
    schema = build_schema(settings, platform.registry,
                          operation_limits=[lambda: TenantRateLimit(settings)])
    graphql = ide_controller(live_controller(make_graphql_controller(
        schema, path=settings.graphql_path, context_getter=_context_getter(platform),
        allow_queries_via_get=False,
        graphql_ide=None if settings.is_production else "graphiql",  # from the package
        **live_options(settings),  # subscriptions over WebSocket (web/live.py)
    )))
    plugin_routes = [r for _p, r in platform.catalog.routes]
    workspace = workspace_built()  # the web application at / (else the landing page is there)
    plugin_router = Router(path="/plugins", route_handlers=plugin_routes) if plugin_routes else None
    assistant = AssistantEndpoint(platform, schema, assistant_limit(platform, settings))

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await platform.authz.start()
        revocations = RevocationFollower.of(platform)
        await revocations.start()  # followed like policies (IPGOV_POLICY_POLL_SECONDS)
        stop_work = await start_work(platform)
        try:
            async with assistant.running():  # /mcp's session manager
                yield
        finally:
            await LiveHub.of(platform).stop()
            await stop_work()
            await revocations.stop()
            await platform.authz.stop()

    app = Litestar(
        route_handlers=[graphql, *_health_routes(platform), *page_routes(settings),
                        *home_routes(settings, at_root=not workspace), *account_routes(),
                        *(workspace_routes() if workspace else []), *extension_file_routes(),
                        *calendar_routes(), *sso_routes(), *saml_routes(), *scim_routes(),
                        *_assistant_routes(assistant),
                        *([plugin_router] if plugin_router else [])],
        lifespan=[lifespan],
        request_max_body_size=max(settings.max_request_bytes, settings.max_upload_bytes),
        # abuse limits (docs/security.md): per-caller rate limits, then body size per route
        middleware=[_middleware(RateLimitMiddleware, platform=platform, settings=settings),
                    _middleware(BodySizeLimitMiddleware, settings=settings),
                    _middleware(RequestBodyGuard, settings=settings)],  # malformed: 400
        plugins=platform.telemetry.litestar_plugins(),
        openapi_config=openapi_config(__version__),  # /schema without a CDN
        debug=False,
        exception_handlers={AuthenticationError: authentication_failed,  # 401, GraphQL-shaped
                            **_outage_handlers()},  # unavailable dependencies: 503
    )
    app.state.platform = platform
    app.state.schema = schema
    return app
