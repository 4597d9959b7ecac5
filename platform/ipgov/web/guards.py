"""Authenticating and authorizing plain HTTP routes (plugin uploads, exports, reports).

``authenticate_request`` is the one place where such routes learn who calls: a bearer header
(token or API key), the workspace's session cookie (``web.cookies``: CSRF-checked unless the
request is a GET), or on ``GET`` a signed download link (``?access=...``, made by the
``downloadLinks`` query) for the exact path requested, which is how a browser opens an export or
a report. ``authorize_request`` adds a tenant permission like a GraphQL field's ``requires``,
``authorize_any_request`` one held in any tenant like ``requires_any``: both ask the one decision
of ``ipgov.authz.access`` (the supervision exports too), and ``http_refusal`` turns its refusals
into HTTP answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Response

from ipgov.authz.access import check_any_access, check_tenant_access
from ipgov.errors import Forbidden, NotFound
from ipgov.i18n import negotiate, translate
from ipgov.identity.links import LINK_PARAMETER, principal_from_link
from ipgov.identity.service import Principal, authenticate
from ipgov.identity.tokens import AuthenticationError

from .cookies import SessionCookies

__all__ = ["authenticate_http", "authenticate_request", "authentication_failed",
           "authorize_any_request", "authorize_request", "http_refusal"]

_STATE_KEY = "ipgov_principal"
_SAFE_METHODS = frozenset({"GET", "HEAD"})


async def authenticate_http(platform: Any, request: Request[Any, Any, Any],
                            cookies: SessionCookies | None = None) -> Principal | None:
    """The caller named by the ``Authorization`` header, else by the workspace's access
    cookie (a state-changing request then needs its session's CSRF token); None when the
    request carries neither. Raises ``AuthenticationError``."""
    header = request.headers.get("authorization")
    if header:
        return await authenticate(platform, header)
    cookies = cookies or SessionCookies.of(request, platform)
    credential = cookies.credential()
    if credential is None:
        return None
    try:
        principal = await authenticate(platform, credential)
    except AuthenticationError as exc:
        if exc.code == "TOKEN_EXPIRED":  # the page renews it (refreshSession by its cookie)
            return None
        raise
    cookies.check_csrf(platform, principal, request.method)
    return principal


async def authenticate_request(request: Request[Any, Any, Any]) -> Principal:
    """The caller of a plain HTTP route (once per request); 401 without valid credentials."""
    known = request.scope.get("state", {}).get(_STATE_KEY)
    if known is not None:
        return known
    platform = request.app.state.platform
    link = request.query_params.get(LINK_PARAMETER)
    principal = await authenticate_http(platform, request)
    if principal is None and link and request.method in _SAFE_METHODS:
        principal = await principal_from_link(platform, link, request.url.path)
    elif principal is None:
        raise AuthenticationError("AUTH_REQUIRED", "Sign in first: send 'Authorization: Bearer "
                                  "<token>' or open a download link from the page.")
    if principal is None:
        raise AuthenticationError("AUTH_REQUIRED", "Sign in first.")
    request.scope.setdefault("state", {})[_STATE_KEY] = principal
    return principal


def authentication_failed(request: Request[Any, Any, Any], exc: AuthenticationError
                          ) -> Response[Any]:
    """401 for refused credentials, shaped like every GraphQL error (``UNAUTHENTICATED``, the
    precise ``reason``, the message in the request's language), on GraphQL and plain routes."""
    locale = negotiate(request.headers.get("accept-language"), None)
    message = (translate(exc.code, locale) if locale != "en" else None) or exc.message
    body = {"data": None, "errors": [{"message": message, "extensions": {
        "code": "UNAUTHENTICATED", "reason": exc.code, "messageEn": exc.message}}]}
    return Response(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


@contextmanager
def http_refusal() -> Iterator[None]:
    """Answer a refusal of the decision as HTTP: ``NotFound`` 404, ``Forbidden`` 403 (the
    detail is ``CODE: message``)."""
    try:
        yield
    except NotFound as exc:
        raise NotFoundException(detail=f"{exc.code}: {exc.message}") from None
    except Forbidden as exc:
        raise PermissionDeniedException(detail=f"{exc.code}: {exc.message}") from None


async def authorize_request(request: Request[Any, Any, Any], tenant_id: str, obj: str,
                            action: str, *, of_parent: bool = False) -> Principal:
    """The caller, when it may ``action`` on ``obj`` in ``tenant_id``.

    401 without valid credentials; otherwise the decision of GraphQL fields
    (``ipgov.authz.access``): 403 alike for another group's tenant and for an unknown id, and,
    for callers entitled to the tenant, 403 ``PLUGIN_DISABLED``, ``FORBIDDEN`` or
    ``TENANT_INACTIVE`` (a suspended or archived tenant is read-only on routes as in GraphQL);
    404 only for platform-wide roles. ``of_parent`` as in ``requires``.
    """
    platform = request.app.state.platform
    principal = await authenticate_request(request)
    with http_refusal():
        check_tenant_access(platform.authz, principal.subject, tenant_id, obj, action,
                            of_parent=of_parent)
    return principal


async def authorize_any_request(request: Request[Any, Any, Any], obj: str,
                                action: str) -> Principal:
    """The caller, when it may ``action`` on ``obj`` in at least one tenant (the route then
    filters, like a ``requires_any`` field); 401 without credentials, 403 otherwise."""
    platform = request.app.state.platform
    principal = await authenticate_request(request)
    with http_refusal():
        check_any_access(platform.authz, principal.subject, obj, action)
    return principal
