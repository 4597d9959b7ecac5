"""One decision for "may this subject do this in that tenant" (``check_tenant_access``) and
"in any tenant" (``check_any_access``), shared by GraphQL fields (``ipgov.graphql.permissions``),
plain HTTP routes (``ipgov.web.guards``) and the supervision exports, which reach it through
the guards.

The answer never tells an outsider more than an unknown id would: a caller with no
permission and no role in a tenant gets the same ``FORBIDDEN`` for its id as for an id that
names nothing (no existence oracle). Only callers entitled to the tenant learn why they are
refused: ``PLUGIN_DISABLED`` (the plugin is off there), ``FORBIDDEN`` (no such right) or
``TENANT_INACTIVE`` (suspended or archived: read-only). Platform-wide roles, who see every
tenant anyway, are told ``TENANT_NOT_FOUND`` for an id that names nothing.
"""

from __future__ import annotations

from typing import Any

from ipgov.errors import DomainError, Forbidden, NotFound

__all__ = ["READ_ACTIONS", "check_any_access", "check_tenant_access", "deciding_parent",
           "outsider_error"]

READ_ACTIONS = frozenset({"read", "verify"})
ENTITLEMENT = ("ipgov:tenant", "read")
"""Holding this in a tenant (any role there) is what makes its existence known to a caller."""


def outsider_error(authz: Any, subject: str, tenant_id: str, *,
                   field: str | None = None) -> DomainError:
    """The answer for a tenant id the caller may not learn anything about."""
    if authz.tenant_info(tenant_id) is None and authz.tenants_where(subject, *ENTITLEMENT) is None:
        return NotFound(f"no tenant with id {tenant_id!r}", code="TENANT_NOT_FOUND",
                        field=field)
    return Forbidden(f"you hold no role in a tenant with id {tenant_id!r}, or none exists",
                     field=field)


def deciding_parent(authz: Any, tenant_id: str) -> str:
    """The tenant that decides about ``tenant_id`` itself (suspending it): its parent, or the
    platform for a root. An unknown id is decided by the platform too, so it is answered like
    any other."""
    from ipgov.tenancy.models import PLATFORM_TENANT_ID

    parent = authz.directory.parent(tenant_id)
    return parent.id if parent is not None else PLATFORM_TENANT_ID


def check_any_access(authz: Any, subject: str, obj: str, action: str) -> set[str] | None:
    """The tenants where ``subject`` may ``action`` on ``obj`` (``None``: every tenant, a
    platform-wide role); ``Forbidden`` when there is none (lists filter by the answer)."""
    where = authz.tenants_where(subject, obj, action)
    if where is not None and not where:
        raise Forbidden(f"you may not {action} {obj} in any tenant")
    return where


def check_tenant_access(authz: Any, subject: str, tenant_id: str, obj: str, action: str,
                        *, decided_in: str | None = None, of_parent: bool = False,
                        field: str | None = None) -> None:
    """Raise unless ``subject`` may ``action`` on ``obj`` in ``tenant_id`` (see the module
    docstring for the answers and their order).

    ``decided_in`` names the tenant whose permission decides about ``tenant_id`` (with
    ``of_parent``: its parent, for suspending it); answers still speak only of ``tenant_id``,
    the id the caller sent."""
    if of_parent:
        decided_in = deciding_parent(authz, tenant_id)
    where = decided_in or tenant_id
    info, decider = authz.tenant_info(tenant_id), authz.tenant_info(where)
    allowed = (info is not None and decider is not None
               and authz.enforce(subject, where, obj, action))
    if not allowed and (info is None or not authz.enforce(subject, tenant_id, *ENTITLEMENT)):
        raise outsider_error(authz, subject, tenant_id, field=field)
    plugin = obj.split(":", 1)[0]
    if plugin != "ipgov" and plugin not in info.enabled_plugins:
        raise Forbidden(f"the {plugin} plugin is not enabled for this tenant",
                        code="PLUGIN_DISABLED", details={"plugin": plugin})
    if not allowed:
        by = " (its parent decides this)" if decided_in else ""
        raise Forbidden(f"you may not {action} {obj} in this tenant{by}")
    if action not in READ_ACTIONS and decider.status != "active":
        raise Forbidden(f"the tenant is {decider.status}: it can be read but not changed",
                        code="TENANT_INACTIVE")
