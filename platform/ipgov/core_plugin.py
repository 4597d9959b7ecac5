"""The core's own contributions, registered as a built-in plugin through the public hooks.

Like datasette's ``DEFAULT_PLUGINS``: the core declares its permissions, review models and
review checks with the same hooks a partner implements, so the plugin catalog validates them
with the same rules and every consumer reads one list. Registered by
``ipgov.startup.new_registry`` before the installed plugins; never enabled or disabled.
"""

from __future__ import annotations

from ipgov.authz.roles import CORE_PERMISSIONS
from ipgov.events.catalog import EventType
from ipgov.events.core_types import CORE_EVENT_TYPES
from ipgov.events.models import Event
from ipgov.identity.factors.models import MODELS as FACTOR_MODELS
from ipgov.identity.scim.models import MODELS as SCIM_MODELS
from ipgov.identity.sso.models import MODELS as SSO_MODELS
from ipgov.notify.models import MODELS as NOTIFICATION_MODELS
from ipgov.plugins.contracts import API_VERSION, Permission, PluginInfo
from ipgov.plugins.hookspecs import hookimpl
from ipgov.reviews.checks import Check
from ipgov.reviews.core_checks import CORE_CHECKS
from ipgov.reviews.models import (
    CheckResult,
    Directive,
    Finding,
    ReviewRun,
    ReviewSchedule,
    ReviewSettings,
)

PLUGIN_INFO = PluginInfo(name="core", version="0.1.0", api_version=API_VERSION,
                         description="The core's permissions, review models, checks and events")


@hookimpl
def register_permissions() -> list[Permission]:
    """The objects the core protects (tenants, users, reviews, audit, ...)."""
    return list(CORE_PERMISSIONS)


@hookimpl
def register_models() -> list[type]:
    """The review models, the event outbox, notifications, single sign-on, SCIM provisioning
    and second factors (the shared metadata needs them before any plugin's)."""
    return [ReviewRun, CheckResult, Finding, Directive, ReviewSchedule, ReviewSettings, Event,
            *NOTIFICATION_MODELS, *SSO_MODELS, *SCIM_MODELS, *FACTOR_MODELS]


@hookimpl
def register_checks() -> list[Check]:
    """The core's checks: audit-trail integrity and governance subjects."""
    return list(CORE_CHECKS)


@hookimpl
def register_event_types() -> list[EventType]:
    """The core's events: reviews, directives, escalations, tenancy, invitations."""
    return list(CORE_EVENT_TYPES)
