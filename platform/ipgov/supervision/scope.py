"""Who may supervise which tenants, and the audit record of every supervision read.

A caller holding ``ipgov:supervision read`` in a tenant supervises that tenant and every
descendant, whatever the governance mode in between: a group sees its decentralized
subsidiaries only through this view. Platform roles (``tenants_where`` returns ``None``)
supervise every tenant except the platform's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ipgov.errors import Forbidden
from ipgov.tenancy.models import PLATFORM_TENANT_ID

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["OBJECT", "SupervisionScope", "audit_read", "descendants", "entitlement", "narrow"]

OBJECT = "ipgov:supervision"
ACTION = "read"


@dataclass(frozen=True)
class SupervisionScope:
    """The tenants a caller may supervise and the roots whose audit chains record its reads."""

    subject: str
    roots: tuple[str, ...]
    tenant_ids: frozenset[str]

    def __contains__(self, tenant_id: object) -> bool:
        return tenant_id in self.tenant_ids


def descendants(platform: Platform, roots: Iterable[str]) -> set[str]:
    """``roots`` and every tenant below them (from the tenant directory)."""
    return platform.authz.directory.subtree(roots)


def entitlement(platform: Platform, subject: str) -> SupervisionScope:
    """The caller's supervision scope; ``Forbidden`` when it is empty."""
    directory = platform.authz.directory
    held = directory.entitled(subject, OBJECT, ACTION)
    if held is None:
        return SupervisionScope(subject, (PLATFORM_TENANT_ID,), directory.tenants())
    held -= {PLATFORM_TENANT_ID}
    if not held:
        raise Forbidden("you may not read the supervision view in any tenant")
    # a tenant below another held one is covered by it: only the topmost are roots
    roots = tuple(sorted(t for t in held
                         if not any(a.id in held for a in directory.ancestors(t))))
    return SupervisionScope(subject, roots, frozenset(directory.subtree(roots)))


def narrow(platform: Platform, scope: SupervisionScope, root_id: str | None = None,
           tenant_ids: Iterable[str] | None = None) -> set[str]:
    """The scope restricted to ``root_id``'s subtree and to ``tenant_ids``.

    Any id outside the scope is ``Forbidden`` (the same answer for an unknown id, so that the
    existence of other tenants does not leak).
    """
    ids = set(scope.tenant_ids)
    if root_id is not None:
        if str(root_id) not in scope:
            raise Forbidden("this tenant is outside your supervision scope", field="rootId")
        ids &= descendants(platform, [str(root_id)])
    if tenant_ids is not None:
        wanted = {str(t) for t in tenant_ids}
        if not wanted <= scope.tenant_ids:
            raise Forbidden("a tenant is outside your supervision scope", field="tenantIds")
        ids &= wanted
    return ids


async def audit_read(platform: Platform, scope: SupervisionScope, *, field: str, size: int,
                     filters: dict[str, Any] | None = None) -> None:
    """Append ``supervision.read`` to the chain of every entitlement root of the caller."""
    details = {"field": field, "scope_size": size,
               "filters": {k: v for k, v in (filters or {}).items() if v not in (None, [], "")}}
    async with platform.db.system_session("supervision: audit read") as session:
        for root in scope.roots:
            await platform.audit(session, tenant_id=root, actor=scope.subject,
                                 action="supervision.read", object_type=OBJECT,
                                 object_id=field, details=details)
