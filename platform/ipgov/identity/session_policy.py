"""A person's session timeouts: the platform's bounds, tightened by the strictest policy of the
groups they are a member in (``session_admin`` sets a group's; ``sessions`` applies them at
sign-in and at every refresh)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.tenancy.models import Tenant

from .models import Membership

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["SessionPolicy", "effective_policy", "platform_policy"]


@dataclass(frozen=True)
class SessionPolicy:
    """Idle and absolute timeouts in seconds, and whether the platform's defaults apply."""

    idle_seconds: int
    absolute_seconds: int
    platform_default: bool = False


def platform_policy(platform: Platform) -> SessionPolicy:
    settings = platform.settings
    return SessionPolicy(settings.refresh_ttl_seconds, settings.session_max_seconds, True)


async def effective_policy(platform: Platform, session: AsyncSession, user_id: str
                           ) -> SessionPolicy:
    """The strictest policy of the groups the user is a member in (the platform's bounds
    when none tightens them)."""
    base = platform_policy(platform)
    roots = select(Tenant.root_id).join(Membership, Membership.tenant_id == Tenant.id).where(
        Membership.user_id == user_id)
    idle, absolute = (await session.execute(
        select(func.min(Tenant.session_idle_seconds), func.min(Tenant.session_max_seconds))
        .where(Tenant.id.in_(roots)))).one()
    if idle is None and absolute is None:
        return base
    return SessionPolicy(min(base.idle_seconds, idle or base.idle_seconds),
                         min(base.absolute_seconds, absolute or base.absolute_seconds))
