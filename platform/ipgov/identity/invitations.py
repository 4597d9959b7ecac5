"""Invitations: a tenant admin invites an address to hold a role; the link is used once.

The link (``/account/#invitation=<secret>``, only a hash is stored) goes by e-mail when SMTP is
configured, and is shown to the inviting admin otherwise (or when sending failed). Accepting
sets the password of a new account (or of one created without a password) and signs in; an
address whose account already has a password must be signed in as that account to accept, so
an invitation can never take over an existing account. The role is granted at acceptance
through ``add_membership``, in the same transaction as the acceptance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz.ceiling import assert_may_grant
from ipgov.db.base import utcnow
from ipgov.errors import Conflict, Forbidden, InvalidInput, NotFound

from .factors.tickets import SecondStep, begin_sign_in
from .mail import Mailer, MailError, invitation_message
from .models import Invitation, Membership, User
from .onetime import hash_secret, new_secret
from .passwords import hash_password
from .recovery import checked_password, public_url
from .sessions import SignedIn

if TYPE_CHECKING:
    from ipgov.runtime import Platform

    from .service import Principal

__all__ = ["Accepted", "Invited", "accept_invitation", "create_invitation", "deliver",
           "revoke_invitation"]


@dataclass(frozen=True)
class Invited:
    """A stored invitation and its link (to show when it could not be e-mailed)."""

    invitation: Invitation
    link: str


@dataclass(frozen=True)
class Accepted:
    """An accepted invitation: the membership, and a session when a password was set."""

    invitation: Invitation
    membership_id: str
    signed_in: SignedIn | SecondStep | None


async def create_invitation(platform: Platform, session: AsyncSession, *, tenant_id: str,
                            email: str, role: str, display_name: str | None, actor: str,
                            granter: str | None = None) -> Invited:
    """Store an invitation (replacing an open one for the same address and role), audited.

    ``granter`` (the inviting caller's subject; ``None`` for operators) must be able to grant
    ``role`` there: the role ceiling of ``ipgov.authz.ceiling`` applies to invitations as to
    memberships, service accounts and policies."""
    from .service import _check_role, _email

    email = _email(email)
    _check_role(tenant_id, role)
    if granter is not None:
        assert_may_grant(platform, granter, tenant_id, role)
    await _refuse_existing_member(platform, session, tenant_id, email, role)
    now = utcnow()
    await session.execute(update(Invitation).where(
        Invitation.tenant_id == tenant_id, Invitation.email == email, Invitation.role == role,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now))
    await _check_bound(platform, session, tenant_id, now)
    plaintext, digest = new_secret()
    invitation = Invitation(
        tenant_id=tenant_id, email=email, role=role, invited_by=actor, token_hash=digest,
        display_name=(display_name or "").strip()[:200], expires_at=now + timedelta(
            seconds=platform.settings.invitation_ttl_seconds))
    session.add(invitation)
    await session.flush()
    await platform.audit(session, tenant_id=tenant_id, actor=actor, action="invitation.created",
                         object_type="ipgov:member", object_id=invitation.id,
                         details={"email": email, "role": role})
    await platform.record_event(
        session, tenant_id=tenant_id, type="member.invited", actor=actor,
        object_id=invitation.id,
        payload={"tenant_id": tenant_id, "invitation_id": invitation.id, "role": role,
                 "expires_at": invitation.expires_at.isoformat()})
    return Invited(invitation, public_url(platform, f"invitation={plaintext}"))


async def _refuse_existing_member(platform: Platform, session: AsyncSession, tenant_id: str,
                                  email: str, role: str) -> None:
    """``DUPLICATE_MEMBERSHIP`` when the address already holds the role in the tenant.

    Users are not tenant data (the app role has no privilege on them): the address is looked
    up in a named system session, the membership in the caller's tenant session."""
    async with platform.db.system_session("identity: invitee by address") as system:
        user_id = (await system.execute(select(User.id).where(User.email == email))).scalar()
    if user_id is None:
        return
    held = (await session.execute(select(Membership.id).where(
        Membership.tenant_id == tenant_id, Membership.role == role,
        Membership.user_id == user_id))).first()
    if held:
        raise Conflict("this address already holds the role here", code="DUPLICATE_MEMBERSHIP",
                       field="email")


async def _check_bound(platform: Platform, session: AsyncSession, tenant_id: str,
                       now: datetime) -> None:
    limit = platform.settings.max_pending_invitations
    pending = (await session.execute(select(func.count(Invitation.id)).where(
        Invitation.tenant_id == tenant_id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now))).scalar_one()
    if pending >= limit:
        raise Conflict(f"the tenant has {limit} open invitations; revoke some first",
                       code="INVITATION_LIMIT", details={"limit": limit})


async def deliver(platform: Platform, invited: Invited, tenant_name: str) -> bool:
    """E-mail the link when SMTP is configured; True when the server took the message."""
    mailer = Mailer.from_settings(platform.settings)
    if mailer is None:
        return False
    inv = invited.invitation
    subject, body = invitation_message(tenant_name, inv.role, invited.link,
                                       inv.expires_at.strftime("%Y-%m-%d %H:%M UTC"))
    try:
        await mailer.send(inv.email, subject, body)
    except MailError:
        return False
    async with platform.db.tenant_session(inv.tenant_id) as session:
        await session.execute(update(Invitation).where(Invitation.id == inv.id)
                              .values(delivered=True))
    return True


def _invalid() -> InvalidInput:
    return InvalidInput("the invitation is unknown, used, revoked or expired; ask for a new one",
                        code="INVITATION_INVALID", field="token")


async def _open_invitation(session: AsyncSession, digest: str) -> Invitation:
    invitation = (await session.execute(select(Invitation).where(
        Invitation.token_hash == digest, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow()))).scalar_one_or_none()
    if invitation is None:
        raise _invalid()
    return invitation


async def accept_invitation(platform: Platform, *, token: str, password: str | None,
                            display_name: str | None, principal: Principal | None, client: str
                            ) -> Accepted:
    """Accept an invitation once: the account (password set when it has none) and the role."""
    digest = hash_secret(token)
    async with platform.db.system_session("identity: read invitation") as session:
        invitation = await _open_invitation(session, digest)
        user = (await session.execute(select(User).where(User.email == invitation.email))
                ).scalar_one_or_none()
    needs_password = user is None or user.password_hash is None
    if needs_password:
        new_hash = await asyncio.to_thread(hash_password, checked_password(password or ""))
    elif principal is None or principal.id != user.id:
        raise Forbidden("this address already has an account: sign in as it, then open the "
                        "link again", code="INVITATION_SIGN_IN_REQUIRED")
    async with platform.db.system_session("identity: accept invitation") as session:
        return await _accept(platform, session, digest, display_name,
                             new_hash if needs_password else None, client)


async def _accept(platform: Platform, session: AsyncSession, digest: str,
                  display_name: str | None, new_hash: str | None, client: str) -> Accepted:
    from .service import add_membership, create_user

    invitation = await _open_invitation(session, digest)
    claimed = cast("CursorResult[Any]", await session.execute(update(Invitation).where(
        Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())))
    if claimed.rowcount != 1:
        raise _invalid()
    user = (await session.execute(select(User).where(User.email == invitation.email))
            ).scalar_one_or_none()
    name = (display_name or "").strip()[:200] or invitation.display_name or invitation.email
    if user is None:
        user = await create_user(session, email=invitation.email, display_name=name)
    if new_hash is not None:
        user.password_hash, user.password_changed_at = new_hash, utcnow()
    invitation.accepted_user_id = user.id
    membership_id = await _grant(platform, session, invitation, user, add_membership)
    await platform.audit(session, tenant_id=invitation.tenant_id, actor=user.id,
                         action="invitation.accepted", object_type="ipgov:member",
                         object_id=invitation.id,
                         details={"user_id": user.id, "role": invitation.role})
    signed_in = None
    if new_hash is not None:
        signed_in = await begin_sign_in(platform, session, user, client=client[:64],
                                        how="invitation")
    return Accepted(invitation, membership_id, signed_in)


async def _grant(platform: Platform, session: AsyncSession, invitation: Invitation, user: User,
                 add_membership: Callable[..., Awaitable[Membership]]) -> str:
    held = (await session.execute(select(Membership.id).where(
        Membership.tenant_id == invitation.tenant_id, Membership.user_id == user.id,
        Membership.role == invitation.role))).scalar()
    if held:
        return held
    membership = await add_membership(platform, session, tenant_id=invitation.tenant_id,
                                      user_id=user.id, role=invitation.role,
                                      actor=invitation.invited_by)
    return membership.id


async def revoke_invitation(platform: Platform, session: AsyncSession, *, tenant_id: str,
                            invitation_id: str, actor: str) -> Invitation:
    """Withdraw an open invitation of the tenant (its link stops working), audited."""
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None or invitation.tenant_id != tenant_id:
        raise NotFound("no such invitation in this tenant", code="INVITATION_NOT_FOUND",
                       field="invitationId")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Conflict("the invitation was already accepted or revoked",
                       code="INVITATION_CLOSED")
    invitation.revoked_at = utcnow()
    await platform.audit(session, tenant_id=tenant_id, actor=actor, action="invitation.revoked",
                         object_type="ipgov:member", object_id=invitation.id,
                         details={"email": invitation.email, "role": invitation.role})
    return invitation
