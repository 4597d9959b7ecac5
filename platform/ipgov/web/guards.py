"""Authorizing plain HTTP routes (plugin uploads, exports, reports) like GraphQL fields."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException

from ipgov.identity.service import Principal, authenticate
from ipgov.identity.tokens import AuthenticationError

__all__ = ["authorize_request"]


async def authorize_request(request: Request[Any, Any, Any], tenant_id: str, obj: str,
                            action: str) -> Principal:
    """The caller, when it may ``action`` on ``obj`` in ``tenant_id``.

    401 without valid credentials, 404 for an unknown tenant, 403 when forbidden or when the
    object's plugin is not enabled for the tenant.
    """
    platform = request.app.state.platform
    try:
        principal = await authenticate(platform, request.headers.get("authorization"))
    except AuthenticationError as exc:
        raise NotAuthorizedException(detail=f"{exc.code}: {exc.message}") from None
    if principal is None:
        raise NotAuthorizedException(detail="sign in first: send 'Authorization: Bearer <token>'")
    info = platform.authz.tenant_info(tenant_id)
    if info is None:
        raise NotFoundException(detail=f"no tenant with id {tenant_id!r}")
    plugin = obj.split(":", 1)[0]
    allowed = platform.authz.enforce(principal.subject, tenant_id, obj, action)
    if not allowed or (plugin != "ipgov" and plugin not in info.enabled_plugins):
        raise PermissionDeniedException(detail=f"you may not {action} {obj} in this tenant")
    return principal
