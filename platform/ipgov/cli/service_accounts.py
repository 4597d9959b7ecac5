"""``ipgov service-account``: service accounts beside members, and their keys' lifecycle.

The operator's commands (no privilege ceiling: whoever runs the CLI holds the database).
``list`` shows members and service accounts of a tenant side by side; ``create``, ``rotate``,
``revoke`` and ``disable`` go through the same services as GraphQL, audited the same way.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import or_, select

from ipgov.identity.models import ApiKey, Membership, ServiceAccount, User
from ipgov.identity.service_accounts import (
    create_service_account,
    disable_service_account,
    key_state,
    revoke_api_key,
    rotate_api_key,
)
from ipgov.runtime import Platform

from .common import async_command, echo_rows, fail, tenant_id_of

__all__ = ["service_account"]

MAX_LIST = 1000


@click.group("service-account")
def service_account() -> None:
    """List service accounts beside members; create, rotate, revoke and disable keys."""


async def _tenant(platform: Platform, ref: str) -> str:
    return await tenant_id_of(platform, ref)


async def _account_id(session: Any, tenant_id: str, ref: str) -> str:

    found = (await session.execute(select(ServiceAccount.id).where(
        ServiceAccount.tenant_id == tenant_id, ServiceAccount.disabled_at.is_(None),
        or_(ServiceAccount.id == ref, ServiceAccount.name == ref)))).scalar_one_or_none()
    if found is None:
        fail(f"no active service account {ref!r} in this tenant")
    return found


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@service_account.command("list")
@click.argument("tenant_ref")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, MAX_LIST))
@async_command
async def list_accounts(platform: Platform, tenant_ref: str, limit: int) -> None:
    """Members and service accounts of TENANT_REF, side by side."""

    tid = await _tenant(platform, tenant_ref)
    rows: list[tuple[str, ...]] = []
    async with platform.db.system_session("cli: members and service accounts") as s:
        members = (await s.execute(select(User.email, Membership.role).join(
            User, User.id == Membership.user_id).where(Membership.tenant_id == tid)
            .order_by(User.email).limit(limit + 1))).all()
        rows += [("user", email, role, "-", "-", "-") for email, role in members]
        found = (await s.execute(select(ServiceAccount).where(
            ServiceAccount.tenant_id == tid, ServiceAccount.disabled_at.is_(None))
            .order_by(ServiceAccount.name).limit(limit + 1))).scalars().all()
        owners = dict((await s.execute(select(User.id, User.email).where(
            User.id.in_([a.owner_user_id for a in found if a.owner_user_id])))).all())
        keys = (await s.execute(select(ApiKey).where(
            ApiKey.service_account_id.in_([a.id for a in found])))).scalars().all()
    for account in found:
        live = [k for k in keys if k.service_account_id == account.id
                and key_state(k) in ("active", "expiring")]
        ends = min((k.expires_at for k in live if k.expires_at), default=None)
        used = max((k.last_used_at for k in live if k.last_used_at), default=None)
        rows.append(("service", account.name, account.role,
                     owners.get(account.owner_user_id or "", "-"),
                     f"{len(live)} key(s), next end {_when(ends)}", _when(used)))
    echo_rows(rows[: 2 * limit], ("kind", "name", "role", "owner", "keys", "last used"))
    if len(members) > limit or len(found) > limit:
        click.echo(f"(more than {limit}; use --limit)")


@service_account.command("create")
@click.argument("tenant_ref")
@click.argument("name")
@click.argument("role")
@click.option("--scope", "scopes", multiple=True, help="object:action; repeat. Default: the "
              "role's permissions in the tenant.")
@click.option("--expires-in-days", type=int, default=None)
@click.option("--owner", default=None, help="Email of the accountable person.")
@async_command
async def create(platform: Platform, tenant_ref: str, name: str, role: str,
                 scopes: tuple[str, ...], expires_in_days: int | None,
                 owner: str | None) -> None:
    """Create service account NAME with ROLE in TENANT_REF; prints its id and first key."""

    tid = await _tenant(platform, tenant_ref)
    async with platform.db.system_session("cli: create service account") as s:
        account, key, plaintext = await create_service_account(
            platform, s, tenant_id=tid, name=name, role=role, actor="cli",
            scopes=list(scopes) or None, expires_in_days=expires_in_days)
        if owner:
            user = (await s.execute(select(User.id).where(User.email == owner.lower()))
                    ).scalar_one_or_none()
            if user is None:
                fail(f"no user with email {owner}")
            account.owner_user_id = user
    click.echo(f"service account {account.id} ({name}, {role}); key {key.id} expires "
               f"{_when(key.expires_at)}")
    click.echo(plaintext)


@service_account.command("keys")
@click.argument("tenant_ref")
@click.argument("account_ref")
@async_command
async def keys(platform: Platform, tenant_ref: str, account_ref: str) -> None:
    """The keys of service account ACCOUNT_REF (id or name), newest first."""

    tid = await _tenant(platform, tenant_ref)
    async with platform.db.system_session("cli: api keys") as s:
        account = await _account_id(s, tid, account_ref)
        found = (await s.execute(select(ApiKey).where(ApiKey.service_account_id == account)
                                 .order_by(ApiKey.created_at.desc()).limit(MAX_LIST)
                                 )).scalars().all()
    echo_rows([(k.id, key_state(k), _when(k.created_at), _when(k.expires_at),
                _when(k.last_used_at), k.replaced_by or "-") for k in found],
              ("key", "state", "created", "expires", "last used", "replaced by"))


@service_account.command("rotate")
@click.argument("tenant_ref")
@click.argument("account_ref")
@click.option("--overlap-hours", default=24, show_default=True, type=int,
              help="How long the previous keys keep working (0: they stop now).")
@click.option("--expires-in-days", type=int, default=None)
@async_command
async def rotate(platform: Platform, tenant_ref: str, account_ref: str, overlap_hours: int,
                 expires_in_days: int | None) -> None:
    """A new key for ACCOUNT_REF; prints it once."""

    tid = await _tenant(platform, tenant_ref)
    async with platform.db.system_session("cli: rotate api key") as s:
        account = await _account_id(s, tid, account_ref)
        key, plaintext, previous = await rotate_api_key(
            platform, s, tenant_id=tid, service_account_id=account, actor="cli",
            overlap_hours=overlap_hours, expires_in_days=expires_in_days)
    ends = ", ".join(f"{k.id} until {_when(k.expires_at)}" for k in previous) or "none"
    click.echo(f"key {key.id} expires {_when(key.expires_at)}; previous keys: {ends}")
    click.echo(plaintext)


@service_account.command("revoke")
@click.argument("tenant_ref")
@click.argument("key_id")
@async_command
async def revoke(platform: Platform, tenant_ref: str, key_id: str) -> None:
    """Revoke API key KEY_ID (the part after ipgov_) at once, in every process."""

    tid = await _tenant(platform, tenant_ref)
    async with platform.db.system_session("cli: revoke api key") as s:
        key = await revoke_api_key(platform, s, tenant_id=tid, key_id=key_id, actor="cli")
    click.echo(f"key {key.id} revoked {_when(key.revoked_at)}")


@service_account.command("disable")
@click.argument("tenant_ref")
@click.argument("account_ref")
@async_command
async def disable(platform: Platform, tenant_ref: str, account_ref: str) -> None:
    """End ACCOUNT_REF: every key revoked, its role removed."""

    tid = await _tenant(platform, tenant_ref)
    async with platform.db.system_session("cli: disable service account") as s:
        account = await _account_id(s, tid, account_ref)
        await disable_service_account(platform, s, tenant_id=tid, service_account_id=account,
                                      actor="cli")
    click.echo(f"service account {account} disabled")
