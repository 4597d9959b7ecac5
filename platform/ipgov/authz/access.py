"""One decision for "may this subject do this in that tenant", shared by GraphQL fields
(``ipgov.graphql.permissions``) and plain HTTP routes (``ipgov.web.guards``).

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

__all__ = ["READ_ACTIONS", "check_tenant_access", "outsider_error"]

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


def check_tenant_access(authz: Any, subject: str, tenant_id: str, obj: str, action: str,
                        *, decided_in: str | None = None, field: str | None = None) -> None:
    """Raise unless ``subject`` may ``action`` on ``obj`` in ``tenant_id`` (see the module
    docstring for the answers and their order).

    ``decided_in`` names the tenant whose permission decides about ``tenant_id`` (its parent,
    for suspending it); answers still speak only of ``tenant_id``, the id the caller sent."""
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
