"""The public surface of ipgov for plugins: import from here, and from nowhere else in ipgov.

Plugins (first-party and partner alike) use only these names, the way pytest plugins import
``pytest`` and never ``_pytest``. Everything here is covered by the plugin API version
``API_VERSION``; a breaking change bumps it.
"""

from __future__ import annotations

from ipgov.db.base import Base, TenantScoped, new_id, utcnow
from ipgov.db.scope import TenantScope, TenantScopeError
from ipgov.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from ipgov.graphql.errors import UserError, user_errors
from ipgov.graphql.pagination import Connection, Edge, PageInfo, paginate
from ipgov.graphql.permissions import authenticated, public, requires, requires_any
from ipgov.plugins.contracts import (
    API_VERSION,
    GraphQLContribution,
    Permission,
    PluginInfo,
    SupervisionMetric,
    TenantEvent,
)
from ipgov.plugins.hookspecs import hookimpl
from ipgov.reviews.checks import (
    Check,
    CheckContext,
    FindingDraft,
    Function,
    GovernanceDomain,
    Severity,
)
from ipgov.reviews.events import PlatformEvent, emit_event
from ipgov.tenancy.decisions import deciding_tenant, escalate_if_reserved

__all__ = [
    "API_VERSION",
    "Base",
    "Check",
    "CheckContext",
    "FindingDraft",
    "Function",
    "GovernanceDomain",
    "Severity",
    "Conflict",
    "Connection",
    "DomainError",
    "Edge",
    "Forbidden",
    "GraphQLContribution",
    "InvalidInput",
    "NotFound",
    "PageInfo",
    "Permission",
    "PlatformEvent",
    "PluginInfo",
    "SupervisionMetric",
    "TenantEvent",
    "TenantScope",
    "TenantScopeError",
    "TenantScoped",
    "UserError",
    "authenticated",
    "deciding_tenant",
    "emit_event",
    "escalate_if_reserved",
    "hookimpl",
    "new_id",
    "paginate",
    "public",
    "requires",
    "requires_any",
    "user_errors",
    "utcnow",
]
