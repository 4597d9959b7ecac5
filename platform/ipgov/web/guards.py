"""Authorizing plain HTTP routes (plugin uploads, exports, reports) like GraphQL fields."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException

from ipgov.authz.access import check_tenant_access
from ipgov.errors import Forbidden, NotFound
from ipgov.identity.service import Principal, authenticate
from ipgov.identity.tokens import AuthenticationError

__all__ = ["authorize_request"]


async def authorize_request(request: Request[Any, Any, Any], tenant_id: str, obj: str,
                            action: str) -> Principal:
    """The caller, when it may ``action`` on ``obj`` in ``tenant_id``.

    401 without valid credentials; otherwise the decision of GraphQL fields
    (``ipgov.authz.access``): 403 alike for another group's tenant and for an unknown id, and,
    for callers entitled to the tenant, 403 ``PLUGIN_DISABLED``, ``FORBIDDEN`` or
    ``TENANT_INACTIVE``; 404 only for platform-wide roles.
    """
    platform = request.app.state.platform
    try:
        principal = await authenticate(platform, request.headers.get("authorization"))
    except AuthenticationError as exc:
        raise NotAuthorizedException(detail=f"{exc.code}: {exc.message}") from None
    if principal is None:
        raise NotAuthorizedException(detail="sign in first: send 'Authorization: Bearer <token>'")
    try:
        check_tenant_access(platform.authz, principal.subject, tenant_id, obj, action)
    except NotFound as exc:
        raise NotFoundException(detail=f"{exc.code}: {exc.message}") from None
    except Forbidden as exc:
        raise PermissionDeniedException(detail=f"{exc.code}: {exc.message}") from None
    return principal
