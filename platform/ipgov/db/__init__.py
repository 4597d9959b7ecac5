"""Database layer: base model, tenant scopes and scoped sessions."""

from .base import Base, TenantScoped, new_id, utcnow
from .scope import TenantScope, TenantScopeError
from .session import Database, ScopedSession, orm_filter_enabled, scope_of

__all__ = [
    "Base",
    "Database",
    "ScopedSession",
    "TenantScope",
    "TenantScopeError",
    "TenantScoped",
    "new_id",
    "orm_filter_enabled",
    "scope_of",
    "utcnow",
]
