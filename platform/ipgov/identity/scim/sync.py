"""Roles follow directory groups, and deprovisioning ends every access at once.

A provisioned user holds role R in tenant T while he is active and a member of at least one
directory group that maps to (T, R) (named ``ipgov:<slug>:<role>``:
``reach.parse_group_name``). Only the (tenant, role) pairs some group of the provisioning
tenant maps are managed: a role given by hand in another pair is left alone. Deactivating
(``active: false``) or deleting a user removes every one of his memberships in the tenants the
token reaches, revokes his sessions (a new token generation: every access token he holds is
refused on its next request, in every process) and disables the service accounts he owns there
(their API keys stop at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Membership, ServiceAccount, User
from ..service import add_membership, remove_membership
from ..service_accounts import disable_service_account
from ..sessions import revoke_user_sessions
from .models import ScimGroup, ScimGroupMember, ScimToken
from .reach import Reach

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["Provisioning", "deprovision", "sync_roles"]

OBJECT = "ipgov:provisioning"
Pair = tuple[str, str]


@dataclass
class Provisioning:
    """One SCIM request: the platform, the verified token and the tenants it reaches.

    ``base_url`` is where ``/scim/v2`` is served (resource locations); ``roles_changed`` tells
    the route to refresh the authorization engine after commit."""

    platform: Platform
    token: ScimToken
    reach: Reach
    base_url: str = ""
    roles_changed: bool = field(default=False)

    @property
    def tenant_id(self) -> str:
        """The provisioning tenant: every SCIM row read or written belongs to it."""
        return self.token.tenant_id

    @property
    def actor(self) -> str:
        """Who the audit trail names for the directory's changes."""
        return f"scim:{self.token.id}"

    async def audit(self, session: AsyncSession, action: str, object_id: str,
                    details: Mapping[str, object]) -> None:
        """Append an event to the provisioning tenant's trail."""
        await self.platform.audit(session, tenant_id=self.tenant_id, actor=self.actor,
                                  action=action, object_type=OBJECT, object_id=object_id,
                                  details=dict(details))


async def _managed_and_wanted(prov: Provisioning, session: AsyncSession, user_id: str
                              ) -> tuple[set[Pair], set[Pair]]:
    """The pairs the provisioning tenant's groups map, and those of the user's groups."""
    rows = (await session.execute(
        select(ScimGroup.target_tenant_id, ScimGroup.role, ScimGroupMember.user_id)
        .outerjoin(ScimGroupMember, (ScimGroupMember.group_id == ScimGroup.id)
                   & (ScimGroupMember.user_id == user_id))
        .where(ScimGroup.tenant_id == prov.tenant_id, ScimGroup.target_tenant_id.is_not(None))
    )).all()
    managed = {(t, r) for t, r, _m in rows if t in prov.reach.ids}
    wanted = {(t, r) for t, r, member in rows if member and t in prov.reach.ids}
    return managed, wanted


async def sync_roles(prov: Provisioning, session: AsyncSession, user: User,
                     released: frozenset[Pair] = frozenset()) -> None:
    """Make the user's memberships in reach match his groups (none while inactive);
    ``released`` names pairs a group mapped until this change (renamed or deleted)."""
    managed, wanted = await _managed_and_wanted(prov, session, user.id)
    managed |= released
    if not user.active:
        wanted = set()
    held = (await session.execute(select(Membership).where(
        Membership.user_id == user.id, Membership.tenant_id.in_(sorted(prov.reach.ids))
    ))).scalars().all()
    have = {(m.tenant_id, m.role): m for m in held}
    for tenant_id, role in sorted(wanted - set(have)):
        await add_membership(prov.platform, session, tenant_id=tenant_id, user_id=user.id,
                             role=role, actor=prov.actor)
        prov.roles_changed = True
    for pair, membership in sorted(have.items()):
        if pair not in wanted and (pair in managed or not user.active):
            await remove_membership(prov.platform, session, tenant_id=membership.tenant_id,
                                    membership_id=membership.id, actor=prov.actor)
            prov.roles_changed = True


async def deprovision(prov: Provisioning, session: AsyncSession, user: User) -> dict[str, int]:
    """End every access of ``user``: inactive, sessions revoked, owned service accounts in
    reach disabled, memberships in reach removed; returns what ended (for the audit)."""
    user.active = False
    ended = await revoke_user_sessions(prov.platform, session, user)
    owned = (await session.execute(select(ServiceAccount).where(
        ServiceAccount.owner_user_id == user.id, ServiceAccount.disabled_at.is_(None),
        ServiceAccount.tenant_id.in_(sorted(prov.reach.ids))))).scalars().all()
    for account in owned:
        await disable_service_account(prov.platform, session, tenant_id=account.tenant_id,
                                      service_account_id=account.id, actor=prov.actor)
        prov.roles_changed = True
    await sync_roles(prov, session, user)
    return {"sessions": ended, "service_accounts": len(owned)}
