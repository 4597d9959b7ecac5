"""Technical solution <-> IP mapping (seed 7.4 c): solutions, links validated through the
``list_ip_objects`` hook (so any plugin's patents, applications or trade secrets can protect a
solution), and the IP inventory snapshot the coverage checks read."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import Conflict, InvalidInput, IpObject, PlatformContext, list_ip_objects, utcnow

from ..common import FieldErrors, get, text
from .models import IpInventoryItem, SolutionLink, TechnicalSolution

__all__ = ["FILING_KINDS", "SOURCE_KINDS", "create_solution", "find_ip_object", "link",
           "record_inventory", "sync_inventory", "unfiled_solution_texts", "unlink"]

SOURCE_KINDS = ("rd_project", "product")
COVERAGE_KINDS = ("patent", "application", "trade_secret")
FILING_KINDS = ("patent", "application")  # a link to one of these: the solution is filed


async def create_solution(session: AsyncSession, data: dict[str, Any]) -> TechnicalSolution:
    """Add a technical solution (every field problem at once)."""
    problems: list[tuple[str, str]] = []
    code = text(data.get("code"), "code", 60, required=True, problems=problems)
    if code and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", code):
        problems.append(("code", "code may hold letters, digits, '.', '_', '/' and '-' only"))
    title = text(data.get("title"), "title", 300, required=True, problems=problems)
    source_kind = data.get("source_kind") or ""
    if source_kind not in SOURCE_KINDS:
        problems.append(("sourceKind", f"sourceKind must be one of {', '.join(SOURCE_KINDS)}"))
    if code and (await session.execute(select(TechnicalSolution.id).where(
            TechnicalSolution.code == code))).first():
        problems.append(("code", f"the code {code!r} is taken in this tenant"))
    if problems:
        raise FieldErrors(problems)
    row = TechnicalSolution(code=code, title=title, source_kind=source_kind,
                            description=text(data.get("description"), "description", 20_000),
                            source_ref=text(data.get("source_ref"), "sourceRef", 200),
                            owner=text(data.get("owner"), "owner", 200))
    session.add(row)
    await session.flush()
    return row


async def find_ip_object(platform: PlatformContext, tenant_id: str, plugin: str, object_id: str
                         ) -> IpObject:
    """The IP object ``(plugin, object_id)`` of the tenant, asked of every enabled plugin."""
    found = [o for o in await list_ip_objects(platform, tenant_id, ids=[object_id], limit=10)
             if o.plugin == plugin and o.id == object_id and o.tenant_id == tenant_id]
    if not found:
        raise InvalidInput(f"no IP object {object_id!r} of plugin {plugin!r} in this tenant",
                           code="IP_OBJECT_NOT_FOUND", field="objectId")
    if found[0].kind not in COVERAGE_KINDS:
        raise InvalidInput(f"a {found[0].kind} cannot protect a technical solution; link "
                           f"a {', '.join(COVERAGE_KINDS)}", field="objectId")
    return found[0]


async def record_inventory(session: AsyncSession, objects: list[IpObject]) -> int:
    """Upsert the objects into the inventory snapshot; returns how many were new."""
    new = 0
    for obj in objects:
        row = (await session.execute(select(IpInventoryItem).where(
            IpInventoryItem.plugin == obj.plugin,
            IpInventoryItem.object_id == obj.id))).scalar_one_or_none()
        if row is None:
            row = IpInventoryItem(plugin=obj.plugin, object_id=obj.id)
            session.add(row)
            new += 1
        row.kind, row.ref, row.title = obj.kind, obj.ref[:200], obj.title[:500]
        row.status, row.synced_at = obj.status[:40], utcnow()
    await session.flush()
    return new


async def link(session: AsyncSession, solution_id: str, obj: IpObject, *, actor: str
               ) -> SolutionLink:
    """Link a solution to an IP object found through the hook."""
    solution = await get(session, TechnicalSolution, solution_id, "technical solution",
                         "solutionId")
    if (await session.execute(select(SolutionLink.id).where(
            SolutionLink.solution_id == solution.id, SolutionLink.plugin == obj.plugin,
            SolutionLink.object_id == obj.id))).first():
        raise Conflict(f"{solution.code} is linked to {obj.ref} already", code="DUPLICATE",
                       field="objectId")
    row = SolutionLink(solution_id=solution.id, plugin=obj.plugin, object_id=obj.id,
                       object_kind=obj.kind, ref=obj.ref[:200], title=obj.title[:500],
                       linked_by=actor)
    session.add(row)
    await record_inventory(session, [obj])
    return row


async def unlink(session: AsyncSession, link_id: str) -> None:
    """Remove a link (the solution and the IP object stay)."""
    row = await get(session, SolutionLink, link_id, "solution link")
    await session.execute(delete(SolutionLink).where(SolutionLink.id == row.id))


async def sync_inventory(platform: PlatformContext, tenant_id: str, session: AsyncSession,
                         limit: int = 5000) -> dict[str, int]:
    """Refresh the snapshot from ``list_ip_objects`` (objects gone are dropped)."""
    objects = [o for o in await list_ip_objects(platform, tenant_id, kinds=list(COVERAGE_KINDS),
                                                limit=limit)
               if o.tenant_id == tenant_id and o.kind in COVERAGE_KINDS]
    new = await record_inventory(session, objects)
    seen = {(o.plugin, o.id) for o in objects}
    stale = [r for r in (await session.execute(select(IpInventoryItem))).scalars()
             if (r.plugin, r.object_id) not in seen]
    for row in stale:
        await session.delete(row)
    await session.flush()
    return {"objects": len(objects), "new": new, "dropped": len(stale)}


async def unfiled_solution_texts(session: AsyncSession, tenant_id: str | None = None
                                 ) -> dict[str, tuple[TechnicalSolution, str]]:
    """Technical solutions linked to no patent or application (a trade secret does not file
    them), with their title and description: publishing one of them would take away the
    novelty a later patent application needs. ``tenant_id`` narrows a system session."""
    filed = select(SolutionLink.solution_id).where(SolutionLink.object_kind.in_(FILING_KINDS))
    stmt = select(TechnicalSolution).where(TechnicalSolution.id.not_in(filed))
    if tenant_id is not None:
        stmt = stmt.where(TechnicalSolution.tenant_id == tenant_id)
    rows = (await session.execute(stmt)).scalars().all()
    return {r.id: (r, "\n".join(p for p in (r.title, r.description) if p)) for r in rows}
