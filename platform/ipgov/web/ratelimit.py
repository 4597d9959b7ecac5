"""Per-caller and per-tenant rate limits (OWASP API4): moving window, 429 with Retry-After.

Two walls, both before any resolver or database work:

- ``RateLimitMiddleware`` (ASGI) charges every API request to its caller (``ipgov.web.callers``):
  the user of a valid bearer token, an API key whose secret verifies, or else the client
  address (anonymous callers, sign-in attempts, bad credentials). The token's signature is
  checked here without touching the database, so nobody can spend another user's budget with
  a forged token or a victim's key id.
- ``TenantRateLimit`` (GraphQL extension) charges each operation, after validation and before
  execution, to every tenant its root fields name (``tenantId``, ``id``, ...) in which the
  caller holds a role; naming a tenant one does not belong to spends only one's own budget.

Limits use the ``limits`` library's moving window, in memory by default and in Redis when
``IPGOV_RATE_LIMIT_STORAGE=redis://...`` (shared by every API replica). An empty limit
string switches that limit off.

When the Redis store fails (refused, cut, or silent past ``IPGOV_REDIS_TIMEOUT_SECONDS``), the
platform degrades deliberately instead of answering 500: proven callers (``user`` and
``tenant`` budgets) fail open onto a per-process in-memory fallback budget with the same
limits, and anonymous callers (``client`` budget: sign-in, bad credentials) fail closed with
503 ``RATE_LIMIT_UNAVAILABLE`` and ``Retry-After``. After a failure the store is left alone for
``STORE_RETRY_SECONDS`` (requests go straight to the fallback), then tried again.
"""

from __future__ import annotations

import asyncio
import json
import logging
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
from limits.errors import StorageError
from limits.storage import storage_from_string
from strawberry.extensions import SchemaExtension

from ipgov.settings import Settings

from .callers import ApiKeyCache, Caller, ScimTokenCache, client_address, header

__all__ = ["RateLimitMiddleware", "RateLimits", "TenantRateLimit", "assistant_limit",
           "rate_limits"]

log = logging.getLogger("ipgov.web")
TENANT_ARGUMENTS = frozenset({"tenantId", "id", "parentId", "absorbingId", "rootId", "groupId"})
# Rate-limited: the API (GraphQL), plugin routes (uploads, reports), exports, sign-in redirects
# and SCIM; static pages and probes are not (a browser loading the supervision UI would spend
# its budget on files).
LIMITED_PREFIXES = ("/plugins/", "/supervision/export", "/supervision/report", "/auth/", "/scim/",
                    "/mcp")
STORE_RETRY_SECONDS = 5  # after a store failure: fallback only, then try the store again
#: What a failing store raises: limits wraps redis-py's errors (redis.exceptions.ConnectionError
#: is not an OSError); a silent store ends in our own timeout.
STORE_ERRORS = (StorageError, OSError, asyncio.TimeoutError)


@dataclass(frozen=True)
class Rejection:
    """A refused request: which budget, how long until it may be retried, status and code."""

    scope: str
    retry_after: int
    status: int = 429
    code: str = "RATE_LIMITED"

    def body(self) -> dict[str, Any]:
        """A GraphQL-shaped error body (clients parse one shape for every failure)."""
        return {"data": None, "errors": [self.error().formatted]}

    def error(self) -> GraphQLError:
        """The GraphQL error with code ``RATE_LIMITED`` (or ``RATE_LIMIT_UNAVAILABLE``)."""
        if self.code == "RATE_LIMITED":
            message = (f"too many requests for this {self.scope}; "
                       f"retry in {self.retry_after} s")
        else:
            message = ("sign-in and requests without valid credentials are paused while the "
                       f"rate-limit store is unavailable; retry in {self.retry_after} s")
        return GraphQLError(message, extensions={"code": self.code, "scope": self.scope,
                                                 "retryAfter": self.retry_after})


def _storage(settings: Settings) -> Any:
    """The counters' storage: in memory, or Redis (redis-py) under the deployment's namespace."""
    url = settings.rate_limit_storage or "memory://"
    if url.startswith(("redis://", "rediss://")):
        timeout = settings.redis_timeout_seconds
        return storage_from_string(f"async+{url}", implementation="redispy",
                                   key_prefix=f"{settings.broker_namespace}:ratelimit",
                                   wrap_exceptions=True, socket_timeout=timeout,
                                   socket_connect_timeout=timeout)
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
        self.shared = (settings.rate_limit_storage or "").startswith(("redis://", "rediss://"))
        self.fallback = MovingWindowRateLimiter(storage_from_string("async+memory://"))
        self.timeout = settings.redis_timeout_seconds
        self.api_keys = ApiKeyCache(settings.api_key_cache_seconds)
        self.scim_tokens = ScimTokenCache(settings.api_key_cache_seconds)
        self._down_until = 0.0
        self.items = {
            "user": _item(settings.rate_limit_user, "rate_limit_user"),
            "client": _item(settings.rate_limit_anonymous, "rate_limit_anonymous"),
            "tenant": _item(settings.rate_limit_tenant, "rate_limit_tenant"),
        }

    @property
    def store_down(self) -> bool:
        """Whether the shared store failed within the last ``STORE_RETRY_SECONDS``."""
        return time.monotonic() < self._down_until

    async def hit(self, scope: str, key: str, cost: int = 1) -> Rejection | None:
        """Charge ``cost`` to ``key`` under the ``scope`` limit; a ``Rejection`` when over it
        (or, for anonymous callers, when the shared store is unavailable)."""
        item = self.items[scope]
        if item is None:
            return None
        if not self.store_down:
            try:
                return await asyncio.wait_for(self._hit(self.limiter, item, scope, key, cost),
                                              self.timeout)
            except STORE_ERRORS as exc:
                self._failed(exc)
        if scope == "client":  # fail closed: sign-in and anonymous calls wait for the store
            return Rejection(scope, STORE_RETRY_SECONDS, 503, code="RATE_LIMIT_UNAVAILABLE")
        return await self._hit(self.fallback, item, scope, key, cost)

    async def _hit(self, limiter: MovingWindowRateLimiter, item: RateLimitItem, scope: str,
                   key: str, cost: int) -> Rejection | None:
        allowed = await limiter.hit(item, scope, key, cost=cost)
        if limiter is self.limiter and self._down_until:
            self._down_until = 0.0
            log.warning("rate-limit store is back; shared counters in use again")
        if allowed:
            return None
        stats = await limiter.get_window_stats(item, scope, key)
        return Rejection(scope, max(1, math.ceil(stats.reset_time - time.time())),
                         code="RATE_LIMITED")

    def _failed(self, exc: BaseException) -> None:
        if not self._down_until:
            log.warning("rate-limit store unavailable (%s): authenticated callers use the "
                        "in-process fallback budget, anonymous callers get 503",
                        type(exc).__name__)
        self._down_until = time.monotonic() + STORE_RETRY_SECONDS

    async def store_available(self) -> bool | None:
        """Whether the shared store answers a ping (None: counters are in memory)."""
        if not self.shared:
            return None
        try:
            return await asyncio.wait_for(self.storage.check(), self.timeout)
        except STORE_ERRORS:
            return False


def rate_limits(platform: Any, settings: Settings | None = None) -> RateLimits:
    """The ``RateLimits`` for ``settings`` (the platform's by default), made on first use and
    kept in ``platform.rate_limiters``: apps built with the same limits share their counters."""
    settings = settings or platform.settings
    key = "|".join((settings.rate_limit_storage, settings.rate_limit_user,
                    settings.rate_limit_anonymous, settings.rate_limit_tenant))
    found: RateLimits | None = platform.rate_limiters.get(key)
    if found is None:
        found = platform.rate_limiters[key] = RateLimits(settings)
    return found


def assistant_limit(platform: Any, settings: Settings | None = None) -> Any:
    """The per-caller budget of an assistant's tool calls (``ipgov.assistant``): the user
    limit, counted apart from the caller's own requests (an assistant looping on a tool
    spends its budget, not the person's); seconds to wait when spent, else None."""
    limits = rate_limits(platform, settings)

    async def limit(principal: Any) -> int | None:
        rejection = await limits.hit("user", f"assistant:{principal.subject}")
        return rejection.retry_after if rejection is not None else None

    return limit


# --------------------------------------------------------------------------- per caller (ASGI)


async def charge_caller(platform: Any, limits: RateLimits,
                        scope: dict[str, Any]) -> Rejection | None:
    """Charge the request to its proven caller, else to its client address."""
    from ipgov.identity.tokens import AuthenticationError

    from .cookies import access_in_cookie_header

    _scheme, _, credential = header(scope, b"authorization").strip().partition(" ")
    credential = credential.strip() or access_in_cookie_header(header(scope, b"cookie")) or ""
    try:
        if credential.startswith("ipgov_"):
            return await _charge_api_key(platform, limits, scope, credential)
        if credential.startswith("ipgovscim_"):
            return await _charge_scim_token(platform, limits, scope, credential)
        if credential:
            verifier = platform.tokens.verifier
            if platform.settings.oidc_jwks_url:
                claims = await asyncio.to_thread(verifier.verify, credential)
            else:
                claims = verifier.verify(credential)
            return await _charge(limits, Caller("user", f"{claims.issuer}|{claims.subject}"))
    except AuthenticationError:
        pass  # charged to the client; authentication proper refuses the request
    return await _charge(limits, client_address(scope))


async def _charge_api_key(platform: Any, limits: RateLimits, scope: dict[str, Any],
                          credential: str) -> Rejection | None:
    """An API key pays as itself only when its secret verifies."""
    from ipgov.identity.apikeys import parse_api_key

    key_id, secret = parse_api_key(credential)
    return await _charge_secret(platform, limits, limits.api_keys, scope, key_id, secret, "key")


async def _charge_scim_token(platform: Any, limits: RateLimits, scope: dict[str, Any],
                             credential: str) -> Rejection | None:
    """A SCIM token pays as itself once its secret verifies, as an API key does; anything
    shaped otherwise pays as the client address."""
    from ipgov.identity.scim.tokens import parse_token

    parsed = parse_token(credential)
    if parsed is None:
        return await _charge(limits, client_address(scope))
    return await _charge_secret(platform, limits, limits.scim_tokens, scope, *parsed, "scim")


async def _charge_secret(platform: Any, limits: RateLimits, cache: ApiKeyCache,
                         scope: dict[str, Any], key_id: str, secret: str, label: str
                         ) -> Rejection | None:
    """A credential pays as itself only when its secret verifies; a key id not cached yet
    costs the client address one request first (the lookup is then bounded by that budget)."""
    client, paid = client_address(scope), False
    if not cache.cached(key_id):
        rejection = await _charge(limits, client)
        if rejection is not None:
            return rejection
        paid = True
    if await cache.verifies(platform, key_id, secret):
        return await _charge(limits, Caller("user", f"{label}:{key_id}"))
    return None if paid else await _charge(limits, client)


async def _charge(limits: RateLimits, caller: Caller) -> Rejection | None:
    return await limits.hit(caller.scope, caller.key)


SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


async def send_rejection(send: Any, rejection: Rejection, *, scim: bool = False) -> None:
    """Answer 429 (or 503) with ``Retry-After`` and a GraphQL-shaped body (for ``/scim/``, a
    SCIM error body: RFC 7644 §3.12, which a directory reads and retries after)."""
    content_type = b"application/json"
    shaped: dict[str, Any] = rejection.body()
    if scim:
        content_type = b"application/scim+json"
        shaped = {"schemas": [SCIM_ERROR], "status": str(rejection.status),
                  "detail": rejection.error().message}
    body = json.dumps(shaped).encode()
    await send({"type": "http.response.start", "status": rejection.status, "headers": [
        (b"content-type", content_type), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(rejection.retry_after).encode())]})
    await send({"type": "http.response.body", "body": body})


class RateLimitMiddleware:
    """ASGI middleware charging each HTTP request (and each WebSocket upgrade at the GraphQL
    path) to its caller before the app sees it."""

    def __init__(self, app: Any, platform: Any, settings: Settings | None = None) -> None:
        self.app = app
        self.platform = platform
        self.settings = settings or platform.settings

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        socket = scope["type"] == "websocket" and path == self.settings.graphql_path
        if not socket and (scope["type"] != "http" or not (
                path == self.settings.graphql_path or path.startswith(LIMITED_PREFIXES))):
            await self.app(scope, receive, send)
            return
        limits = rate_limits(self.platform, self.settings)
        rejection = await charge_caller(self.platform, limits, scope)
        if rejection is not None and socket:  # a WebSocket upgrade (subscriptions): refused
            await send({"type": "websocket.close", "code": 1008,  # handshake answered 403
                        "reason": "rate limited; retry later"})
        elif rejection is not None:
            await send_rejection(send, rejection, scim=path.startswith("/scim/"))
        else:
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

    async def on_execute(self) -> Any:
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
                    response.status_code = rejection.status
                    response.headers["Retry-After"] = str(rejection.retry_after)
                break
        yield
