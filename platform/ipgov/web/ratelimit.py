"""Per-caller and per-tenant rate limits (OWASP API4): moving window, 429 with Retry-After.

Two walls, both before any resolver or database work:

- ``RateLimitMiddleware`` (ASGI) charges every API request to its caller: the user of a valid
  bearer token, the key id of an API key, or else the client address (anonymous callers,
  sign-in attempts, bad credentials). The token's signature is checked here without touching
  the database, so nobody can spend another user's budget with a forged token.
- ``TenantRateLimit`` (GraphQL extension) charges each operation, after validation and before
  execution, to every tenant its root fields name (``tenantId``, ``id``, ...) in which the
  caller holds a role; naming a tenant one does not belong to spends only one's own budget.

Limits use the ``limits`` library's moving window, in memory by default and in Redis when
``IPGOV_RATE_LIMIT_STORAGE=redis://...`` (shared by every API replica). An empty limit
string switches that limit off.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode
from graphql.error import GraphQLError
from graphql.utilities import value_from_ast_untyped
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from strawberry.extensions import SchemaExtension

from ipgov.settings import Settings

__all__ = ["RateLimitMiddleware", "RateLimits", "TenantRateLimit", "rate_limits"]

TENANT_ARGUMENTS = frozenset({"tenantId", "id", "parentId", "absorbingId", "rootId"})
# Rate-limited: the API (GraphQL), plugin routes (uploads, reports) and exports; static pages
# and probes are not (a browser loading the supervision UI would spend its budget on files).
LIMITED_PREFIXES = ("/plugins/", "/supervision/export", "/supervision/report")
_EXTRAS_KEY = "rate_limits"  # platform.extras["rate_limits|<storage>|<limits>"]


@dataclass(frozen=True)
class Rejection:
    """A request over a limit: which limit and how long until it may be retried."""

    scope: str
    retry_after: int

    def body(self) -> dict[str, Any]:
        """A GraphQL-shaped error body (clients parse one shape for every failure)."""
        return {"data": None, "errors": [self.error().formatted]}

    def error(self) -> GraphQLError:
        """The GraphQL error with code ``RATE_LIMITED``."""
        return GraphQLError(
            f"too many requests for this {self.scope}; retry in {self.retry_after} s",
            extensions={"code": "RATE_LIMITED", "scope": self.scope,
                        "retryAfter": self.retry_after})


def _storage(settings: Settings) -> Any:
    """The counters' storage: in memory, or Redis (redis-py) under the deployment's namespace."""
    url = settings.rate_limit_storage or "memory://"
    if url.startswith(("redis://", "rediss://")):
        return storage_from_string(f"async+{url}", implementation="redispy",
                                   key_prefix=f"{settings.broker_namespace}:ratelimit")
    return storage_from_string(url if url.startswith("async+") else f"async+{url}")


def _item(spec: str, setting: str) -> RateLimitItem | None:
    if not spec.strip():
        return None
    try:
        return parse(spec)
    except ValueError:
        raise ValueError(f"IPGOV_{setting.upper()}: expected a limit such as '600/minute', "
                         f"got {spec!r}") from None


class RateLimits:
    """The platform's limiters: ``user``, ``client`` (anonymous) and ``tenant``."""

    def __init__(self, settings: Settings) -> None:
        self.storage = _storage(settings)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.items = {
            "user": _item(settings.rate_limit_user, "rate_limit_user"),
            "client": _item(settings.rate_limit_anonymous, "rate_limit_anonymous"),
            "tenant": _item(settings.rate_limit_tenant, "rate_limit_tenant"),
        }

    async def hit(self, scope: str, key: str, cost: int = 1) -> Rejection | None:
        """Charge ``cost`` to ``key`` under the ``scope`` limit; a ``Rejection`` when over it."""
        item = self.items[scope]
        if item is None:
            return None
        if await self.limiter.hit(item, scope, key, cost=cost):
            return None
        stats = await self.limiter.get_window_stats(item, scope, key)
        return Rejection(scope, max(1, math.ceil(stats.reset_time - time.time())))


def rate_limits(platform: Any, settings: Settings | None = None) -> RateLimits:
    """The ``RateLimits`` for ``settings`` (the platform's by default), made on first use and
    kept in ``platform.extras``: apps built with the same limits share their counters."""
    settings = settings or platform.settings
    key = "|".join((_EXTRAS_KEY, settings.rate_limit_storage, settings.rate_limit_user,
                    settings.rate_limit_anonymous, settings.rate_limit_tenant))
    found = platform.extras.get(key)
    if found is None:
        found = platform.extras[key] = RateLimits(settings)
    return found


# --------------------------------------------------------------------------- per caller (ASGI)


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


async def caller_key(platform: Any, scope: dict[str, Any]) -> tuple[str, str]:
    """(limit scope, key) for a request: a verified user or API key id, else the client."""
    from ipgov.identity.apikeys import parse_api_key
    from ipgov.identity.tokens import AuthenticationError

    _scheme, _, credential = _header(scope, b"authorization").strip().partition(" ")
    credential = credential.strip()
    try:
        if credential.startswith("ipgov_"):
            return "user", "key:" + parse_api_key(credential)[0]
        if credential:
            verifier = platform.tokens.verifier
            if platform.settings.oidc_jwks_url:
                import asyncio

                claims = await asyncio.to_thread(verifier.verify, credential)
            else:
                claims = verifier.verify(credential)
            return "user", f"{claims.issuer}|{claims.subject}"
    except AuthenticationError:
        pass  # charged to the client; authentication proper refuses the request
    client = scope.get("client") or ("unknown", 0)
    return "client", str(client[0])


async def send_rejection(send: Any, rejection: Rejection) -> None:
    """Answer 429 with ``Retry-After`` and a GraphQL-shaped body."""
    body = json.dumps(rejection.body()).encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(rejection.retry_after).encode())]})
    await send({"type": "http.response.body", "body": body})


class RateLimitMiddleware:
    """ASGI middleware charging each HTTP request to its caller before the app sees it."""

    def __init__(self, app: Any, platform: Any, settings: Settings | None = None) -> None:
        self.app = app
        self.platform = platform
        self.settings = settings or platform.settings

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == self.settings.graphql_path
                                           or path.startswith(LIMITED_PREFIXES)):
            await self.app(scope, receive, send)
            return
        kind, key = await caller_key(self.platform, scope)
        rejection = await rate_limits(self.platform, self.settings).hit(kind, key)
        if rejection is not None:
            await send_rejection(send, rejection)
            return
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- per tenant (GraphQL)


def _root_fields(selection_set: SelectionSetNode) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set)


def _tenant_values(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for name, inner in value.items():
            if name in TENANT_ARGUMENTS and isinstance(inner, str):
                yield inner


def named_tenants(document: Any, operation_name: str | None,
                  variables: dict[str, Any] | None) -> set[str]:
    """Tenant ids named by the root fields' arguments of the operation to execute."""
    found: set[str] = set()
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None
                               or definition.name.value != operation_name):
            continue
        for field in _root_fields(definition.selection_set):
            args = {a.name.value: value_from_ast_untyped(a.value, variables or {})
                    for a in field.arguments or ()}
            found.update(_tenant_values(args))
            for inner in args.values():
                found.update(_tenant_values(inner))
    return found


class TenantRateLimit(SchemaExtension):
    """Charges each operation to the tenants it names; 429 + ``RATE_LIMITED`` when over."""

    def __init__(self, settings: Settings | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings

    async def on_execute(self) -> Any:  # type: ignore[override]
        ctx = self.execution_context
        context = ctx.context
        platform = getattr(context, "platform", None)
        principal = getattr(context, "principal", None)
        if platform is None or principal is None or ctx.graphql_document is None:
            yield
            return
        tenants = {t for t in named_tenants(ctx.graphql_document, ctx.operation_name,
                                            ctx.variables)
                   if platform.authz.roles_in(principal.subject, t)}
        if principal.tenant_id:
            tenants.add(principal.tenant_id)
        limits = rate_limits(platform, self.settings)
        for tenant_id in sorted(tenants):
            rejection = await limits.hit("tenant", tenant_id)
            if rejection is not None:
                ctx.result = GraphQLExecutionResult(data=None, errors=[rejection.error()])
                response = getattr(context, "response", None)
                if response is not None:
                    response.status_code = 429
                    response.headers["Retry-After"] = str(rejection.retry_after)
                break
        yield
