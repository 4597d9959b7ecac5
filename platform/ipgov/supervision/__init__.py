"""The supervision view: read-only, audited, cross-tenant reads for auditors and group bodies.

``scope`` decides which tenants a caller may supervise and audits every read; ``queries``
computes the overview and details with a fixed number of SQL statements per page; ``exports``
serves the CSV export and the printable report.
"""

from __future__ import annotations

from .scope import SupervisionScope, audit_read, entitlement, narrow

__all__ = ["SupervisionScope", "audit_read", "entitlement", "narrow"]
