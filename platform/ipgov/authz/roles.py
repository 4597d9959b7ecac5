"""Built-in roles and the core's own permissions and default grants.

Roles are names; what a role may do in a tenant is the set of ``p`` rules in that tenant's
domain. Plugins add grants for their own objects through ``register_role_grants``.
"""

from __future__ import annotations

from ipgov.plugins.contracts import Permission

__all__ = [
    "CORE_PERMISSIONS",
    "CORE_ROLE_GRANTS",
    "GROUP_PERMISSIONS",
    "GROUP_ROLES",
    "PLATFORM_ROLES",
    "READ_ONLY_ROLES",
    "ROLES",
    "TENANT_ROLES",
]

PLATFORM_ADMIN = "platform_admin"
PLATFORM_AUDITOR = "platform_auditor"
GROUP_ADMIN = "group_admin"
TENANT_ADMIN = "tenant_admin"
IP_MANAGER = "ip_manager"
REVIEWER = "reviewer"
CONTRIBUTOR = "contributor"
VIEWER = "viewer"
AUDITOR = "auditor"

TENANT_ROLES = (GROUP_ADMIN, TENANT_ADMIN, IP_MANAGER, REVIEWER, CONTRIBUTOR, VIEWER, AUDITOR)
PLATFORM_ROLES = (PLATFORM_ADMIN, PLATFORM_AUDITOR)
ROLES = PLATFORM_ROLES + TENANT_ROLES
READ_ONLY_ROLES = frozenset({VIEWER, AUDITOR, PLATFORM_AUDITOR})

CORE_PERMISSIONS = [
    Permission(
        "ipgov:tenant",
        ("read", "create", "update", "suspend", "archive", "merge"),
        "Tenants: read, onboard subsidiaries, change governance mode, suspend, merge",
    ),
    Permission("ipgov:member", ("read", "create", "delete"), "Memberships of users in a tenant"),
    Permission("ipgov:policy", ("read", "update"), "Authorization policies of a tenant"),
    Permission(
        "ipgov:service_account", ("read", "create", "delete"), "Service accounts and their API keys"
    ),
    Permission("ipgov:audit", ("read", "verify"), "The tenant's audit trail"),
    Permission("ipgov:plugin", ("read", "update"), "Which plugins are enabled for the tenant"),
    Permission(
        "ipgov:escalation", ("read", "create", "decide"), "Decisions escalated to the group"
    ),
    Permission("ipgov:supervision", ("read",), "The cross-tenant supervision view"),
    Permission("ipgov:review", ("read", "request"), "Governance reviews and their findings"),
    Permission("ipgov:directive", ("read", "update"), "Directives that findings call for"),
    Permission("ipgov:job", ("read", "cancel"), "Background jobs (ingestion, sweeps) and progress"),
    Permission("ipgov:notification", ("read", "manage"),
               "Notification destinations, rules and the delivery log"),
    Permission("ipgov:identity_provider", ("read", "manage"),
               "Identity providers for single sign-on and their claim mappings"),
    Permission("ipgov:provisioning", ("read", "manage"),
               "SCIM provisioning tokens of a group (its directory creates and removes users)"),
]

_ALL_CORE = [(p.object, a) for p in CORE_PERMISSIONS for a in p.actions]
_ADMIN_ONLY = {"ipgov:supervision", "ipgov:provisioning"}  # not read by every reading role
_READ_CORE = [(p.object, "read") for p in CORE_PERMISSIONS if p.object not in _ADMIN_ONLY]
_ADMIN_READS = {("ipgov:identity_provider", "read")}
"""Read by administrators and internal supervision only: who may sign in, and as what."""
_WORK_READS = [g for g in _READ_CORE if g not in _ADMIN_READS]

CORE_ROLE_GRANTS: dict[str, list[tuple[str, str]]] = {
    GROUP_ADMIN: _ALL_CORE,
    TENANT_ADMIN: [
        g for g in _ALL_CORE if g not in {("ipgov:tenant", "merge"), ("ipgov:escalation", "decide")}
    ],
    IP_MANAGER: _WORK_READS + [("ipgov:escalation", "create"), ("ipgov:review", "request"),
                              ("ipgov:directive", "update"), ("ipgov:job", "cancel")],
    REVIEWER: _WORK_READS + [("ipgov:audit", "verify"), ("ipgov:review", "request")],
    CONTRIBUTOR: [("ipgov:tenant", "read"), ("ipgov:plugin", "read"), ("ipgov:review", "read"),
                  ("ipgov:directive", "read"), ("ipgov:job", "read")],
    VIEWER: [("ipgov:tenant", "read"), ("ipgov:plugin", "read"), ("ipgov:review", "read"),
             ("ipgov:directive", "read"), ("ipgov:job", "read")],
    AUDITOR: _READ_CORE + [("ipgov:audit", "verify"), ("ipgov:supervision", "read")],
}
"""Default grants of the core objects; plugins add grants for theirs. docs/authorization.md
gives the reason of each (tests/contract/test_authorization_matrix.py keeps them equal)."""

PLATFORM_GRANTS: dict[str, list[tuple[str, str]]] = {
    PLATFORM_ADMIN: [  # not "update": a group's governance architecture is the group's
        ("ipgov:tenant", a) for a in ("read", "create", "suspend", "archive", "merge")
    ]
    + [
        ("ipgov:member", "read"),
        ("ipgov:member", "create"),
        ("ipgov:member", "delete"),
        ("ipgov:audit", "read"),
        ("ipgov:audit", "verify"),
        ("ipgov:plugin", "read"),
        ("ipgov:plugin", "update"),
        ("ipgov:policy", "read"),
        ("ipgov:identity_provider", "read"),  # the platform-wide providers (platform domain)
        ("ipgov:identity_provider", "manage"),
    ],
    PLATFORM_AUDITOR: [
        ("ipgov:tenant", "read"),
        ("ipgov:audit", "read"),
        ("ipgov:audit", "verify"),
        ("ipgov:supervision", "read"),
    ],
}
"""Grants in the platform's own domain; the platform domain's roles act on tenant management."""

GROUP_PERMISSIONS = frozenset({("ipgov:tenant", "merge"), ("ipgov:escalation", "decide")})
"""Acts on the group as a whole: mergers and the decisions subsidiaries escalate to it."""

GROUP_ROLES = frozenset(role for role, items in CORE_ROLE_GRANTS.items()
                        if GROUP_PERMISSIONS & set(items))
"""Roles granted only in a group's own tenant (``ipgov.authz.ceiling``)."""
