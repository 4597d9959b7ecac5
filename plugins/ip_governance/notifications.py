"""What ip_governance tells the notification machinery: who holds a RACI role (rules routed
by RACI) and the asset deadlines in users' calendar feeds."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import CalendarEntry

from .organization.models import OrgMember, RaciAssignment
from .risk_assets.models import IpAsset, IpAssetDeadline

__all__ = ["deadline_entries", "raci_holders"]

MAX_ENTRIES = 2000
KIND_WORDS = {"en": "deadline", "zh-CN": "期限"}


async def raci_holders(session: AsyncSession, selectors: list[str]) -> list[str]:
    """The user ids of active organization members holding ``process:role`` assignments."""
    wanted = [tuple(s.rsplit(":", 1)) for s in selectors if ":" in s]
    if not wanted:
        return []
    rows = (await session.execute(
        select(RaciAssignment.process, RaciAssignment.role, OrgMember.user_id)
        .join(OrgMember, OrgMember.id == RaciAssignment.member_id)
        .where(OrgMember.active.is_(True), OrgMember.user_id.is_not(None)))).all()
    return sorted({user for process, role, user in rows if (process, role) in wanted})


async def deadline_entries(session: AsyncSession, locale: str, start: date,
                           end: date) -> list[CalendarEntry]:
    """Open asset deadlines from ``start`` to ``end`` as all-day calendar entries."""
    rows = (await session.execute(
        select(IpAssetDeadline, IpAsset.title)
        .join(IpAsset, IpAsset.id == IpAssetDeadline.asset_id)
        .where(IpAssetDeadline.status == "open", IpAssetDeadline.due_on >= start,
               IpAssetDeadline.due_on <= end)
        .order_by(IpAssetDeadline.due_on).limit(MAX_ENTRIES))).all()
    word = KIND_WORDS.get(locale, KIND_WORDS["en"])
    return [CalendarEntry(uid=f"ip_governance.deadline.{d.id}",
                          title=f"{d.kind} {word}: {title[:200]}",
                          on=d.due_on, object_type="ip_governance:asset",
                          description=((d.explanation or {}).get(locale)
                                       or d.description)[:500],
                          path="/x/ip_governance/deadline-list")
            for d, title in rows]
