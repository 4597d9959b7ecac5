"""SCIM Groups of one provisioning tenant, and the roles their members hold.

A directory group is stored as it is named. A name ``ipgov:<tenant slug>:<role>`` (e.g.
``ipgov:hanwei-semiconductor:ip_manager``) maps the group to that role in that tenant, which
must be within the token's reach (``reach.parse_group_name``); any other name, colons and all,
is a plain group that confers nothing (directories push every group assigned to the
application). The name is read when the group is created or renamed: a group stored before
the ``ipgov:`` prefix was required keeps the role its ``<slug>:<role>`` name gave it until the
directory renames it. Members are
users this tenant provisioned; naming anyone else is refused like an id that names nothing.
Every change of name or members re-derives the roles of the users it touches (``sync``).
"""

from __future__ import annotations

from typing import Any

from scim2_models import GroupMember, InvalidValueException, Meta, NotFoundException
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput

from ..models import User
from .models import ScimGroup, ScimGroupMember, ScimUser
from .reach import parse_group_name
from .resources import GROUP_MODEL
from .sync import Pair, Provisioning, sync_roles

__all__ = ["MAX_MEMBERS", "create", "delete_group", "list_groups", "resource_of", "save"]

MAX_MEMBERS = 10_000
"""Members of one group (a Group carries its members whole: SCIM pages no member list)."""


async def _members(prov: Provisioning, session: AsyncSession, group_ids: list[str]
                   ) -> dict[str, list[tuple[str, str]]]:
    """``group id -> [(user id, display name)]`` for a page of groups, one statement."""
    found: dict[str, list[tuple[str, str]]] = {g: [] for g in group_ids}
    rows = await session.execute(
        select(ScimGroupMember.group_id, User.id,
               func.coalesce(ScimGroupMember.display, User.display_name))
        .join(User, User.id == ScimGroupMember.user_id)
        .where(ScimGroupMember.tenant_id == prov.tenant_id,
               ScimGroupMember.group_id.in_(group_ids)).order_by(User.id))
    for group_id, user_id, name in rows.all():
        found[group_id].append((user_id, name))
    return found


def to_resource(prov: Provisioning, group: ScimGroup, members: list[tuple[str, str]] | None
                ) -> Any:
    """The SCIM view of a group (``members`` None: left out, as asked)."""
    resource = GROUP_MODEL(id=group.id, display_name=group.display_name,
                           external_id=group.external_id)
    resource.meta = Meta(resource_type="Group", created=group.created_at,
                         last_modified=group.updated_at,
                         location=f"{prov.base_url}/Groups/{group.id}")
    if members:
        resource.members = [GroupMember.model_validate(
            {"value": u, "display": name, "type": "User", "$ref": f"{prov.base_url}/Users/{u}"})
            for u, name in members]
    return resource


async def get(prov: Provisioning, session: AsyncSession, group_id: str) -> ScimGroup:
    """The group ``group_id`` of this tenant; ``404`` for any other id."""
    group = (await session.execute(select(ScimGroup).where(
        ScimGroup.tenant_id == prov.tenant_id, ScimGroup.id == str(group_id)[:36]))).scalar()
    if group is None:
        raise NotFoundException(detail=f"no group {str(group_id)[:36]!r} here")
    return group


async def resource_of(prov: Provisioning, session: AsyncSession, group_id: str,
                      with_members: bool = True) -> Any:
    """The SCIM resource of ``group_id``."""
    group = await get(prov, session, group_id)
    members = (await _members(prov, session, [group.id]))[group.id] if with_members else None
    return to_resource(prov, group, members)


async def list_groups(prov: Provisioning, session: AsyncSession,
                      condition: ColumnElement[bool], start: int, count: int,
                      with_members: bool) -> tuple[int, list[Any]]:
    """``(totalResults, page)`` of the groups matching ``condition`` (1-based ``start``)."""
    base = select(ScimGroup).where(ScimGroup.tenant_id == prov.tenant_id, condition)
    total = (await session.execute(select(func.count()).select_from(base.subquery()))
             ).scalar_one()
    rows = list((await session.execute(base.order_by(ScimGroup.created_at, ScimGroup.id)
                                       .offset(start - 1).limit(count))).scalars()) if count else []
    members = await _members(prov, session, [g.id for g in rows]) if with_members else {}
    return total, [to_resource(prov, g, members.get(g.id) if with_members else None)
                   for g in rows]


async def _member_ids(prov: Provisioning, session: AsyncSession, resource: Any
                      ) -> dict[str, str | None]:
    """The users ``resource`` names as members (with the display the directory gave), all of
    them provisioned by this tenant."""
    wanted: dict[str, str | None] = {}
    for member in resource.members or []:
        if member.type not in (None, "User"):
            raise InvalidValueException(detail="a member of a group must be a user (nested "
                                        "groups are not supported)")
        wanted[str(member.value or "")[:36]] = (member.display or None) and \
            str(member.display)[:300]
    if len(wanted) > MAX_MEMBERS:
        raise InvalidValueException(detail=f"a group has at most {MAX_MEMBERS} members")
    known = set((await session.execute(select(ScimUser.user_id).where(
        ScimUser.tenant_id == prov.tenant_id, ScimUser.user_id.in_(sorted(wanted))))).scalars())
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise InvalidValueException(detail=f"no user {unknown[0]!r} is provisioned by this "
                                    "group: members must be users it provisioned")
    return wanted


def _target(prov: Provisioning, display_name: str) -> tuple[str | None, str | None]:
    try:
        target = parse_group_name(prov.reach, display_name)
    except InvalidInput as exc:
        raise InvalidValueException(detail=exc.message) from None
    return target.tenant_id, target.role


async def save(prov: Provisioning, session: AsyncSession, group: ScimGroup, resource: Any,
               *, created: bool = False) -> None:
    """Write ``resource`` (validated, complete) to ``group`` and re-derive the roles of
    every user who joined, left, or whose group now means another role."""
    before: set[str] = set() if created else set((await session.execute(select(
        ScimGroupMember.user_id).where(ScimGroupMember.group_id == group.id))).scalars())
    released: frozenset[Pair] = frozenset()
    if group.target_tenant_id and group.role:
        released = frozenset({(group.target_tenant_id, group.role)})
    members = await _member_ids(prov, session, resource)
    after = set(members)
    name = (resource.display_name or "")[:300]
    if created or name != group.display_name:  # an unchanged name keeps what it was read as
        group.target_tenant_id, group.role = _target(prov, name)
    group.display_name = name
    group.display_name_key = group.display_name.strip().casefold()
    group.external_id, group.updated_at = resource.external_id, utcnow()
    await session.execute(delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id))
    session.add_all(ScimGroupMember(tenant_id=prov.tenant_id, group_id=group.id, user_id=u,
                                    display=members[u]) for u in sorted(after))
    await session.flush()
    await _resync(prov, session, before | after, released)
    await prov.audit(session, "scim.group_created" if created else "scim.group_updated",
                     group.id, {"role": group.role, "tenant_id": group.target_tenant_id,
                                "joined": len(after - before), "left": len(before - after)})


async def _resync(prov: Provisioning, session: AsyncSession, user_ids: set[str],
                  released: frozenset[Pair]) -> None:
    for user_id in sorted(user_ids):
        user = await session.get(User, user_id)
        if user is not None:
            await sync_roles(prov, session, user, released)


async def create(prov: Provisioning, session: AsyncSession, resource: Any) -> Any:
    """Store a new group (a validated creation request); the stored resource."""
    group = ScimGroup(tenant_id=prov.tenant_id, display_name="", display_name_key="")
    session.add(group)
    await session.flush()
    await save(prov, session, group, resource, created=True)
    return await resource_of(prov, session, group.id)


async def delete_group(prov: Provisioning, session: AsyncSession, group_id: str) -> None:
    """Delete a group; its members lose the role it conferred (unless another confers it)."""
    group = await get(prov, session, group_id)
    members = set((await session.execute(select(ScimGroupMember.user_id).where(
        ScimGroupMember.group_id == group.id))).scalars())
    released = (frozenset({(group.target_tenant_id, group.role)})
                if group.target_tenant_id and group.role else frozenset())
    await session.execute(delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id))
    await session.delete(group)
    await session.flush()
    await _resync(prov, session, members, released)
    await prov.audit(session, "scim.group_deleted", group_id, {"left": len(members)})
