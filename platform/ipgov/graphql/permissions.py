"""Declaring and enforcing permissions on GraphQL fields.

Every resolver declares what it needs with one of the helpers below, passed as the field's
``extensions``: ``requires(obj, action)`` (one tenant, taken from an argument or the parent
object), ``requires_any(obj, action)`` (lists across the tenants where the caller may act; the
resolver filters with ``tenants_where``), ``authenticated()`` or ``public()``. The contract
test walks the schema and fails for any resolver without one.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from ipgov.authz.access import READ_ACTIONS, check_any_access, check_tenant_access, deciding_parent
from ipgov.errors import NotFound
from ipgov.telemetry.setup import current_plugin, current_tenant

__all__ = ["READ_ACTIONS", "Authorize", "authenticated", "check_permission", "public",
           "requires", "requires_any", "tenant_arg"]

TenantGetter = Callable[[Any, dict[str, Any]], str | None]


def tenant_arg(path: str) -> TenantGetter:
    """Take the tenant id from an argument; dotted paths reach into input objects."""
    # Resolvers receive Python argument names (``tenant_id``, ``input.parent_id``).
    parts = [re.sub(r"(?<!^)(?=[A-Z])", "_", part).lower() for part in path.split(".")]

    def getter(_source: Any, kwargs: dict[str, Any]) -> str | None:
        value: Any = kwargs
        for part in parts:
            value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
            if value is None:
                return None
        return str(value)

    return getter


def _from_source(source: Any, _kwargs: dict[str, Any]) -> str | None:
    return getattr(source, "tenant_id", None)


class Authorize(FieldExtension):
    """Checks a field's declared permission before its resolver runs."""

    def __init__(self, kind: str, obj: str = "", action: str = "",
                 tenant: TenantGetter | None = None, optional: bool = False,
                 of_parent: bool = False) -> None:
        super().__init__()
        self.kind, self.obj, self.action = kind, obj, action
        self.tenant = tenant
        self.optional = optional
        self.of_parent = of_parent

    def check(self, source: Any, info: Info, kwargs: dict[str, Any]) -> None:
        """Raise ``Unauthenticated``/``Forbidden``/``NotFound`` unless the call is allowed."""
        if self.kind == "public":
            return
        ctx = info.context
        principal = ctx.require_principal()
        if self.kind == "authenticated":
            return
        if self.kind == "any":
            check_any_access(ctx.platform.authz, principal.subject, self.obj, self.action)
            return
        tenant_id = (self.tenant or _from_source)(source, kwargs)
        if not tenant_id and self.optional:
            return
        if not tenant_id:
            raise NotFound("a tenant id is required", code="TENANT_REQUIRED", field="tenantId")
        self._check_tenant(ctx, principal.subject, tenant_id)

    def _check_tenant(self, ctx: Any, subject: str, tenant_id: str) -> None:
        authz = ctx.platform.authz
        decider = deciding_parent(authz, tenant_id) if self.of_parent else None
        current_tenant.set(decider or tenant_id)
        current_plugin.set(self.obj.split(":", 1)[0])
        check_tenant_access(authz, subject, tenant_id, self.obj, self.action,
                            decided_in=decider)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        self.check(source, info, kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        self.check(source, info, kwargs)
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result


def check_permission(info: Info, tenant_id: str, obj: str, action: str, *,
                     of_parent: bool = False) -> None:
    """Imperative form of ``requires`` for objects known only once a row is loaded (e.g. the
    classification level of a record): raises ``Unauthenticated``/``Forbidden``/``NotFound``
    exactly as a declared field permission does (the same answer for another tenant's id as
    for an unknown one)."""
    ctx = info.context
    principal = ctx.require_principal()
    check = Authorize("tenant", obj, action, of_parent=of_parent)
    check._check_tenant(ctx, principal.subject, tenant_id)


def requires(obj: str, action: str, tenant: str | TenantGetter | None = "tenantId",
             *, optional: bool = False, of_parent: bool = False) -> list:
    """The caller needs ``action`` on ``obj`` in the tenant named by ``tenant``.

    ``tenant`` is an argument name (dotted for input fields), a getter, or ``None`` to take
    ``tenant_id`` from the parent object. With ``optional``, a missing tenant (e.g. the parent
    of a root) lets the resolver run and return nothing. With ``of_parent`` the permission is
    needed in that tenant's parent (the platform for a group): decisions its parent takes,
    such as suspending it.
    """
    getter = tenant_arg(tenant) if isinstance(tenant, str) else tenant
    return [Authorize("tenant", obj, action, getter, optional, of_parent)]


def requires_any(obj: str, action: str) -> list:
    """The caller needs ``action`` on ``obj`` in at least one tenant; the resolver filters."""
    return [Authorize("any", obj, action)]


def authenticated() -> list:
    """Any signed-in caller (e.g. ``me``)."""
    return [Authorize("authenticated")]


def public() -> list:
    """No credentials needed (e.g. ``login``)."""
    return [Authorize("public")]
