"""Tenant scopes: which tenants a database session may read and write.

Every session carries exactly one scope. A session without one refuses to run a query:
"no tenant" is an error, never "all tenants". The system scope (migrations, provisioning,
policy loading) and multi-tenant scopes (the supervision view) are explicit and carry a reason
so that their use can be audited.

Tenant ids are validated as canonical UUIDs when a scope is made: they reach PostgreSQL's
``app.tenant_ids`` setting joined by commas, so nothing but a UUID may ever get there. The
system scope has no setting at all: on PostgreSQL it connects as a separate role (see
``ipgov.db.rls``), and the app role has no "every tenant" value it could ask for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ipgov.errors import InvalidInput

__all__ = ["InvalidTenantId", "TenantScope", "TenantScopeError", "canonical_tenant_id"]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class TenantScopeError(RuntimeError):
    """A query or write outside (or without) the session's tenant scope."""

    code = "TENANT_SCOPE"


class InvalidTenantId(TenantScopeError, InvalidInput):
    """A tenant id that is not a UUID: refused before it can reach the database."""

    code = "INVALID_TENANT_ID"

    def __init__(self, value: object) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        InvalidInput.__init__(self, f"tenant id {shown} is not a UUID", field="tenantId",
                              code=self.code)


def canonical_tenant_id(value: object) -> str:
    """``value`` as a lower-case, hyphenated UUID; ``InvalidTenantId`` for anything else."""
    if not isinstance(value, str):
        raise InvalidTenantId(value)
    text = value.strip().lower()
    if _UUID.fullmatch(text) is None:
        raise InvalidTenantId(value)
    return text


@dataclass(frozen=True)
class TenantScope:
    """The tenants a session may touch; ``tenant_ids=None`` means the system scope."""

    tenant_ids: frozenset[str] | None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.tenant_ids is not None:
            ids = frozenset(canonical_tenant_id(t) for t in self.tenant_ids)
            object.__setattr__(self, "tenant_ids", ids)

    @classmethod
    def tenant(cls, tenant_id: str) -> TenantScope:
        """Scope of one tenant: the ordinary request and worker scope."""
        if not tenant_id:
            raise TenantScopeError("a tenant scope needs a tenant id")
        return cls(frozenset({tenant_id}))

    @classmethod
    def tenants(cls, tenant_ids: set[str] | frozenset[str], reason: str) -> TenantScope:
        """Scope over several tenants (supervision); a reason is mandatory."""
        if not reason:
            raise TenantScopeError("a multi-tenant scope needs a reason")
        return cls(frozenset(tenant_ids), reason)

    @classmethod
    def system(cls, reason: str) -> TenantScope:
        """Unfiltered scope for platform operations; a reason is mandatory."""
        if not reason:
            raise TenantScopeError("the system scope needs a reason")
        return cls(None, reason)

    @property
    def is_system(self) -> bool:
        """True for the unfiltered platform scope."""
        return self.tenant_ids is None

    @property
    def single_tenant(self) -> str | None:
        """The tenant id when the scope covers exactly one tenant."""
        if self.tenant_ids is not None and len(self.tenant_ids) == 1:
            return next(iter(self.tenant_ids))
        return None

    def allows(self, tenant_id: str | None) -> bool:
        """Whether a row of ``tenant_id`` may be read or written in this scope."""
        return self.tenant_ids is None or tenant_id in self.tenant_ids

    def rls_setting(self) -> str:
        """The value of ``app.tenant_ids`` that PostgreSQL row-level security reads.

        Only tenant scopes have one (validated UUIDs joined by commas); the system scope
        does not use the app role's connection at all.
        """
        if self.tenant_ids is None:
            raise TenantScopeError("the system scope has no row-level security setting: it "
                                   "connects as the system role")
        return ",".join(sorted(self.tenant_ids))
