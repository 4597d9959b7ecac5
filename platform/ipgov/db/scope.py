"""Tenant scopes: which tenants a database session may read and write.

Every session carries exactly one scope. A session without one refuses to run a query:
"no tenant" is an error, never "all tenants". The system scope (migrations, provisioning,
policy loading) and multi-tenant scopes (the supervision view) are explicit and carry a reason
so that their use can be audited.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TenantScope", "TenantScopeError"]


class TenantScopeError(RuntimeError):
    """A query or write outside (or without) the session's tenant scope."""

    code = "TENANT_SCOPE"


@dataclass(frozen=True)
class TenantScope:
    """The tenants a session may touch; ``tenant_ids=None`` means the system scope."""

    tenant_ids: frozenset[str] | None
    reason: str = ""

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
        """The value of ``app.tenant_ids`` that PostgreSQL row-level security reads."""
        return "*" if self.tenant_ids is None else ",".join(sorted(self.tenant_ids))
