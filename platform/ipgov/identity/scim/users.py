"""SCIM Users of one provisioning tenant: create (or link), read, list, replace, patch, delete.

A SCIM User is a platform ``User`` plus its ``ScimUser`` row. Every read and write names the
provisioning tenant, so a token never sees, changes or deletes another tenant's users: they
are not found, exactly like ids that name nothing.

- **Create** makes a platform user; when the e-mail belongs to an existing user who was never
  provisioned and whose every membership lies within the token's reach (invited before the
  directory was connected), that user is linked instead. Any other existing e-mail is a
  ``uniqueness`` conflict.
- **Active** ``false`` deprovisions (``sync.deprovision``); ``true`` again restores the roles
  the user's groups confer (his old tokens stay void).
- **Delete** deprovisions, then anonymises the platform user (e-mail, name and password
  cleared; the row stays so that the audit trail, which is never deleted, still resolves
  its ids) and forgets the SCIM row: the userName may be provisioned again, as a new user.
"""

from __future__ import annotations

from typing import Any

from scim2_models import GroupMembership, Meta, NotFoundException, UniquenessException
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.i18n import normalize

from ..models import Membership, User
from ..service import create_user
from .models import ScimGroup, ScimGroupMember, ScimUser, ScimUserEmail
from .resources import USER_MODEL
from .sync import Provisioning, deprovision, sync_roles

__all__ = ["create", "delete_user", "get", "list_users", "save"]

MAX_EMAILS = 20
_NOT_STORED = {"id", "meta", "groups"}


def _emails(resource: Any) -> list[str]:
    """The resource's addresses, primary first, case-folded, at most ``MAX_EMAILS``."""
    entries = sorted(resource.emails or [], key=lambda e: not e.primary)
    found: list[str] = []
    for entry in entries:
        value = str(entry.value or "").strip().casefold()
        if value and value not in found:
            found.append(value)
    return found[:MAX_EMAILS]


def _display_name(resource: Any) -> str:
    name = resource.name
    parts = [name.given_name, name.family_name] if name else []
    return (resource.display_name or (name.formatted if name else None)
            or " ".join(p for p in parts if p) or resource.user_name)[:200]


def to_resource(prov: Provisioning, row: ScimUser, user: User, groups: list[ScimGroup]
                ) -> Any:
    """The SCIM view of a provisioned user, with its location and its groups."""
    resource = USER_MODEL.model_validate(row.resource)
    resource.id = user.id
    if not user.active:  # what the directory left out stays out while the user is active
        resource.active = False
    resource.meta = Meta(resource_type="User", created=row.created_at,
                         last_modified=row.updated_at, location=f"{prov.base_url}/Users/{user.id}")
    resource.groups = [GroupMembership.model_validate(
        {"value": g.id, "display": g.display_name, "$ref": f"{prov.base_url}/Groups/{g.id}",
         "type": "direct"}) for g in groups] or None
    return resource


async def _groups_of(prov: Provisioning, session: AsyncSession, user_ids: list[str]
                     ) -> dict[str, list[ScimGroup]]:
    found: dict[str, list[ScimGroup]] = {u: [] for u in user_ids}
    rows = await session.execute(
        select(ScimGroupMember.user_id, ScimGroup).join(ScimGroup,
                                                        ScimGroup.id == ScimGroupMember.group_id)
        .where(ScimGroupMember.tenant_id == prov.tenant_id,
               ScimGroupMember.user_id.in_(user_ids)).order_by(ScimGroup.display_name_key))
    for user_id, group in rows.all():
        found[user_id].append(group)
    return found


async def get(prov: Provisioning, session: AsyncSession, user_id: str) -> tuple[ScimUser, User]:
    """The provisioned user ``user_id`` of this tenant; ``404`` for any other id."""
    row = (await session.execute(select(ScimUser, User).join(User, User.id == ScimUser.user_id)
                                 .where(ScimUser.tenant_id == prov.tenant_id,
                                        ScimUser.user_id == str(user_id)[:36]))).first()
    if row is None:
        raise NotFoundException(detail=f"no user {str(user_id)[:36]!r} provisioned here")
    return row[0], row[1]


async def resource_of(prov: Provisioning, session: AsyncSession, user_id: str) -> Any:
    """The SCIM resource of ``user_id`` (with its groups)."""
    row, user = await get(prov, session, user_id)
    return to_resource(prov, row, user, (await _groups_of(prov, session, [user.id]))[user.id])


async def list_users(prov: Provisioning, session: AsyncSession, condition: ColumnElement[bool],
                     start: int, count: int) -> tuple[int, list[Any]]:
    """``(totalResults, page)`` of the users matching ``condition`` (1-based ``start``)."""
    base = (select(ScimUser, User).join(User, User.id == ScimUser.user_id)
            .where(ScimUser.tenant_id == prov.tenant_id, condition))
    total = (await session.execute(select(func.count()).select_from(base.subquery()))
             ).scalar_one()
    rows = (await session.execute(base.order_by(ScimUser.created_at, ScimUser.user_id)
                                  .offset(start - 1).limit(count))).all() if count else []
    groups = await _groups_of(prov, session, [u.id for _r, u in rows])
    return total, [to_resource(prov, r, u, groups[u.id]) for r, u in rows]


async def _check_unique(prov: Provisioning, session: AsyncSession, key: str, email: str,
                        user_id: str | None) -> User | None:
    """Refuse a userName taken in this tenant; return the existing user of ``email``."""
    taken = (await session.execute(select(ScimUser.user_id).where(
        ScimUser.tenant_id == prov.tenant_id, ScimUser.user_name_key == key))).scalar()
    if taken is not None and taken != user_id:
        raise UniquenessException(detail="another user of this group has this userName")
    owner = (await session.execute(select(User).where(User.email == email))).scalar()
    if owner is not None and owner.id != user_id and user_id is not None:
        raise UniquenessException(detail="another platform user has this e-mail address")
    return owner


async def _linkable(prov: Provisioning, session: AsyncSession, user: User) -> bool:
    """An existing user a token may take over: never provisioned, every membership (at
    least one) within reach."""
    if (await session.execute(select(ScimUser.user_id).where(ScimUser.user_id == user.id))
            ).scalar() is not None:
        return False
    tenants = set((await session.execute(select(Membership.tenant_id).where(
        Membership.user_id == user.id))).scalars())
    return bool(tenants) and tenants <= prov.reach.ids


async def create(prov: Provisioning, session: AsyncSession, resource: Any) -> Any:
    """Provision ``resource`` (a validated creation request); the stored resource."""
    emails = _emails(resource)
    key = resource.user_name.strip().casefold()
    existing = await _check_unique(prov, session, key, emails[0], None)
    if existing is not None and not await _linkable(prov, session, existing):
        raise UniquenessException(detail="a platform user with this e-mail address exists "
                                  "and is not one this group may provision")
    user = existing or await create_user(session, email=emails[0],
                                         display_name=_display_name(resource))
    row = ScimUser(user_id=user.id, tenant_id=prov.tenant_id, user_name="", user_name_key="")
    session.add(row)
    await save(prov, session, row, user, resource, created=True)
    await prov.audit(session, "scim.user_linked" if existing else "scim.user_created", user.id,
                     {"external_id": resource.external_id, "active": user.active})
    return to_resource(prov, row, user, [])


async def save(prov: Provisioning, session: AsyncSession, row: ScimUser, user: User,
               resource: Any, *, created: bool = False) -> None:
    """Write ``resource`` (validated, complete) to the rows; a change of ``active``
    deprovisions or restores; audited by the caller (create) or here (changes)."""
    emails = _emails(resource)
    key = resource.user_name.strip().casefold()
    if not created:
        await _check_unique(prov, session, key, emails[0], user.id)
    row.user_name, row.user_name_key = resource.user_name[:300], key[:300]
    row.external_id = resource.external_id
    row.resource = resource.model_dump(mode="json", exclude=_NOT_STORED)
    row.updated_at = utcnow()
    user.email, user.display_name = emails[0], _display_name(resource)
    language = normalize(resource.preferred_language or resource.locale)
    if language:  # notices and errors in the language the directory gives (en, zh-CN)
        user.locale = language
    await session.execute(delete(ScimUserEmail).where(ScimUserEmail.user_id == user.id))
    session.add_all(ScimUserEmail(tenant_id=prov.tenant_id, user_id=user.id, value_key=e[:320])
                    for e in emails)
    await session.flush()
    await _set_active(prov, session, user, resource.active is not False, created)


async def _set_active(prov: Provisioning, session: AsyncSession, user: User, active: bool,
                      created: bool) -> None:
    if active == user.active:
        if created:
            await sync_roles(prov, session, user)
        return
    if not active:
        ended = await deprovision(prov, session, user)
        await prov.audit(session, "scim.user_deactivated", user.id, ended)
        return
    user.active = True
    await sync_roles(prov, session, user)
    await prov.audit(session, "scim.user_reactivated", user.id, {})


async def changed(prov: Provisioning, session: AsyncSession, user_id: str, resource: Any
                  ) -> Any:
    """Store a replaced or patched ``resource`` of ``user_id``; the stored resource."""
    row, user = await get(prov, session, user_id)
    await save(prov, session, row, user, resource)
    await prov.audit(session, "scim.user_updated", user.id,
                     {"external_id": resource.external_id, "active": user.active})
    return await resource_of(prov, session, user_id)


async def delete_user(prov: Provisioning, session: AsyncSession, user_id: str) -> None:
    """Deprovision and anonymise ``user_id``; the audit trail keeps every event."""
    row, user = await get(prov, session, user_id)
    ended = await deprovision(prov, session, user) if user.active else {}
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.display_name, user.password_hash, user.external_subject = "(deleted)", None, None
    for table in (ScimGroupMember, ScimUserEmail):
        await session.execute(delete(table).where(table.user_id == user.id))
    await session.delete(row)
    await session.flush()
    await prov.audit(session, "scim.user_deleted", user.id, dict(ended))
