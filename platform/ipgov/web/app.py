"""The Litestar application: GraphQL at ``/graphql``, health probes, the JWKS document."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router, get
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import DefineMiddleware
from litestar.response import Response
from strawberry.litestar import make_graphql_controller

from ipgov.context import new_request_id
from ipgov.db.outage import is_outage
from ipgov.graphql.context import IpgovContext
from ipgov.graphql.schema import build_schema
from ipgov.i18n import negotiate
from ipgov.identity.service import authenticate, load_revocations
from ipgov.identity.tokens import AuthenticationError
from ipgov.runtime import Platform
from ipgov.settings import Settings
from ipgov.web.limits import BodySizeLimitMiddleware
from ipgov.web.pages import page_routes
from ipgov.web.ratelimit import RateLimitMiddleware

__all__ = ["create_app"]

log = logging.getLogger("ipgov.web")


def _locale(request: Request[Any, Any, Any], default: str | None) -> str:
    return negotiate(request.headers.get("accept-language"), default)  # ipgov.i18n


def _context_getter(platform: Platform):  # type: ignore[no-untyped-def]
    async def get_context(request: Request[Any, Any, Any]) -> IpgovContext:
        request_id = new_request_id()
        try:
            principal = await authenticate(platform, request.headers.get("authorization"))
        except AuthenticationError as exc:
            raise NotAuthorizedException(detail=f"{exc.code}: {exc.message}") from None
        locale = principal.locale if principal else None
        return IpgovContext(platform=platform, principal=principal, request_id=request_id,
                            locale=_locale(request, locale), loaders={})

    return get_context


def _health_routes(platform: Platform) -> list[Any]:
    @get("/healthz", sync_to_thread=False, include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[dict[str, Any]]:
        try:
            async with platform.db.system_session("readiness probe") as session:
                from sqlalchemy import text

                await session.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("not ready: %s", type(exc).__name__)
            return Response({"status": "unavailable", "database": "down"}, status_code=503)
        return Response({"status": "ready", "policyVersion": platform.authz.version})

    @get("/.well-known/jwks.json", sync_to_thread=False, include_in_schema=False)
    def jwks() -> dict[str, Any]:
        return platform.tokens.issuer.jwks()

    from ipgov.audit.export import audit_export_routes
    from ipgov.supervision.exports import export_routes

    return [healthz, readyz, jwks, *export_routes(), *audit_export_routes()]


# --- database outages (security suite, issue 9): a clear 503 instead of a bare 500 -----------
_OUTAGE_BODY = {"data": None, "errors": [{
    "message": "the database is unavailable; retry in a few seconds",
    "extensions": {"code": "DATABASE_UNAVAILABLE"}}]}


def _database_unavailable(_request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if not is_outage(exc):
        log.error("unhandled error", exc_info=exc)
        return Response({"status_code": 500, "detail": "Internal Server Error"},
                        status_code=500)
    log.warning("database unavailable: %s", type(exc).__name__)
    return Response(_OUTAGE_BODY, status_code=503, headers={"Retry-After": "5"})
# --- end database outages ---------------------------------------------------------------------


async def start_reviews(platform: Platform):  # type: ignore[no-untyped-def]
    """Attach the review queue; in the embedded default also run workers and recovery here."""
    import asyncio

    from ipgov.reviews.broker import ReviewQueue, build_broker
    from ipgov.reviews.recovery import recovery_loop
    from ipgov.reviews.worker import WorkerRuntime

    settings = platform.settings
    if settings.broker_url:
        platform.extras["review_queue"] = ReviewQueue(build_broker(settings))

        async def stop_sender() -> None:
            return None

        return stop_sender
    runtime = WorkerRuntime(settings)
    platform.extras["review_queue"] = runtime.queue
    worker = runtime.queue.start_worker(settings.worker_threads)
    recovery = asyncio.create_task(recovery_loop(platform, every=5.0))

    async def stop() -> None:
        recovery.cancel()
        await asyncio.to_thread(worker.stop)
        await runtime.close_from_other_loop()

    return stop


def create_app(platform: Platform, settings: Settings | None = None) -> Litestar:
    """Build the application for a prepared platform; start-up loads policies."""
    settings = settings or platform.settings
    schema = build_schema(settings, platform.registry)
    graphql = make_graphql_controller(
        schema, path=settings.graphql_path, context_getter=_context_getter(platform),
        allow_queries_via_get=False,
        graphql_ide=None if settings.is_production else "graphiql",
    )
    plugin_routes = [r for _p, routes in platform.registry.results_by_plugin("register_routes")
                     for r in routes]
    plugin_router = Router(path="/plugins", route_handlers=plugin_routes) if plugin_routes else None

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await platform.authz.start()
        await load_revocations(platform)
        stop_reviews = await start_reviews(platform)
        try:
            yield
        finally:
            await stop_reviews()
            await platform.authz.stop()

    app = Litestar(
        route_handlers=[graphql, *_health_routes(platform), *page_routes(),
                        *([plugin_router] if plugin_router else [])],
        lifespan=[lifespan],
        request_max_body_size=max(settings.max_request_bytes, settings.max_upload_bytes),
        # abuse limits (docs/security.md): per-caller rate limits, then body size per route
        middleware=[DefineMiddleware(RateLimitMiddleware, platform=platform, settings=settings),
                    DefineMiddleware(BodySizeLimitMiddleware, settings=settings)],
        plugins=platform.telemetry.litestar_plugins(),
        debug=False,
        exception_handlers={OSError: _database_unavailable,  # database outages: 503
                            __import__("sqlalchemy.exc").exc.SQLAlchemyError:
                                _database_unavailable},
    )
    app.state.platform = platform
    app.state.schema = schema
    return app
