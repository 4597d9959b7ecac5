"""From verified claims to a user and memberships, never outside the provider's reach.

``claimed_grants`` reads the groups claim through the provider's table (a value, matched
exactly, -> a role in a tenant of its tree) and, when the provider allows it, values written
``ipgov:<slug>:<role>`` (``ipgov.identity.role_names``: the one reader of that form; any other
value, ``Sales:Team`` too, is the directory's own name).
Any claim that names a tenant the provider does not reach (another group's, a sibling
decentralized subsidiary's, one moved away since the table was saved) refuses the whole
sign-in before anything is written: whatever the claims say, nobody is mapped into another
group. ``signed_in_user`` then finds the person (their link to this provider, else their
e-mail address), creates them just in time or refuses them by the provider's policy, refuses
accounts that hold roles outside the reach (this provider cannot vouch for them there), and
brings the provider-managed memberships in line with the claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz.roles import GROUP_ROLES, PLATFORM_ROLES, TENANT_ROLES
from ipgov.db.base import utcnow
from ipgov.tenancy.directory import TenantDirectory
from ipgov.tenancy.models import PLATFORM_TENANT_ID

from ..models import Membership, User
from ..role_names import RoleNameMalformed, parse_role_name
from ..service import add_membership, create_user, remove_membership
from .models import ExternalIdentity, IdentityProvider
from .reach import reach
from .refusals import SignInRefused

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["Grant", "claim_values", "claimed_grants", "grantable", "signed_in_user"]

MAX_CLAIM_VALUES = 500


@dataclass(frozen=True, order=True)
class Grant:
    """A role in a tenant."""

    tenant_id: str
    role: str


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    """The strings of claim ``name`` (a string or a list of strings), at most
    ``MAX_CLAIM_VALUES``; anything else counts as none. The claim of that whole name wins
    (namespaced claims are URLs with dots; SAML attribute names are URIs and OIDs); otherwise a
    dotted name reaches into objects (``realm_access.roles``)."""
    value: Any = claims.get(name)
    if value is None:
        value = claims
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)][:MAX_CLAIM_VALUES]
    return []


def grantable(directory: TenantDirectory, tenant_id: str, role: str) -> bool:
    """Whether ``role`` can be held in ``tenant_id`` (group roles only in a group's own
    tenant, platform roles only in the platform's)."""
    if tenant_id == PLATFORM_TENANT_ID:
        return role in PLATFORM_ROLES
    info = directory.info(tenant_id)
    if info is None or role not in TENANT_ROLES:
        return False
    return role not in GROUP_ROLES or info.parent_id is None


def _outside(value: str) -> SignInRefused:
    return SignInRefused("SSO_TENANT_OUTSIDE_PROVIDER",
                         "your directory groups name a tenant this identity provider does not "
                         "govern; nothing was changed; ask your administrator",
                         details={"value": value[:120]})


def _direct(values: list[str], slugs: dict[str, str]) -> set[Grant]:
    """The grants of the values written ``ipgov:<slug>:<role>``."""
    grants = set()
    for value in values:
        try:
            named = parse_role_name(value)
        except RoleNameMalformed:
            raise SignInRefused("SSO_ROLE_NAME_MALFORMED", "a directory group begins with "
                                "ipgov: but is not written ipgov:<tenant slug>:<role>; nothing "
                                "was changed; ask your administrator",
                                details={"value": value[:120]}) from None
        if named is None:
            continue
        tenant_id = slugs.get(named.tenant_slug)
        if tenant_id is None:
            raise _outside(value)
        grants.add(Grant(tenant_id, named.role))
    return grants


def claimed_grants(directory: TenantDirectory, provider: IdentityProvider,
                   claims: dict[str, Any]) -> set[Grant]:
    """The memberships the claims give (see the module); ``SignInRefused`` when one names
    a tenant outside the provider's reach or a role that cannot be held there."""
    reached = reach(directory, provider.tenant_id)
    values = claim_values(claims, provider.groups_claim)
    grants = {Grant(row["tenant_id"], row["role"]) for row in provider.role_mappings
              if row.get("value") in values}
    if provider.direct_role_claims:
        slugs = {directory[t].slug: t for t in reached}
        grants |= _direct(values, slugs)
    for grant in sorted(grants):
        if grant.tenant_id not in reached:
            raise _outside(grant.tenant_id)
        if not grantable(directory, grant.tenant_id, grant.role):
            raise SignInRefused("SSO_ROLE_NOT_GRANTABLE",
                                "your directory groups give a role that cannot be held in that "
                                "tenant; nothing was changed; ask your administrator",
                                details={"role": grant.role[:80]})
    return grants


def _email(provider: IdentityProvider, claims: dict[str, Any]) -> str:
    values = claim_values(claims, provider.email_claim)
    email = values[0].strip().lower() if values else ""
    if "@" not in email or len(email) > 320:
        raise SignInRefused("SSO_EMAIL_MISSING", "the identity provider did not say your "
                            "e-mail address; ask your administrator to release it")
    if claims.get("email_verified") is False:
        raise SignInRefused("SSO_EMAIL_UNVERIFIED", "the identity provider says your e-mail "
                            "address is not verified")
    domain = email.rsplit("@", 1)[1]
    if provider.allowed_domains and domain not in provider.allowed_domains:
        raise SignInRefused("SSO_DOMAIN_NOT_ALLOWED", "this identity provider does not sign "
                            "in addresses of your e-mail domain", details={"domain": domain})
    return email


async def _find_or_create(session: AsyncSession, provider: IdentityProvider,
                          claims: dict[str, Any], email: str, grants: set[Grant]) -> User:
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    if user is not None:
        return user
    if provider.jit != "create":
        raise SignInRefused("SSO_UNKNOWN_USER", "you have no account here yet and this "
                            "identity provider does not create accounts; ask your "
                            "administrator for an invitation")
    if not grants:
        raise SignInRefused("SSO_NO_ROLE", "your directory groups give you no role here; "
                            "ask your administrator")
    names = claim_values(claims, provider.name_claim)
    return await create_user(session, email=email, display_name=names[0] if names else email)


async def _link(session: AsyncSession, provider: IdentityProvider, subject: str
                ) -> ExternalIdentity | None:
    return (await session.execute(select(ExternalIdentity).where(
        ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == subject))
    ).scalar_one_or_none()


def _subject(claims: dict[str, Any]) -> str:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise SignInRefused("SSO_TOKEN_INVALID", "the ID token's sub claim is not valid",
                            details={"claim": "sub"})
    return subject


async def signed_in_user(platform: Platform, session: AsyncSession,
                         provider: IdentityProvider, claims: dict[str, Any]) -> User:
    """The user these verified claims sign in (see the module), memberships brought in line;
    in the caller's (system) transaction, so a refusal leaves nothing behind."""
    directory = platform.tenants
    grants = claimed_grants(directory, provider, claims)
    email, subject = _email(provider, claims), _subject(claims)
    link = await _link(session, provider, subject)
    user = (await session.get(User, link.user_id) if link is not None
            else await _find_or_create(session, provider, claims, email, grants))
    if user is None or not user.active:
        raise SignInRefused("SSO_ACCOUNT_DISABLED", "your account here is disabled")
    held = list((await session.execute(select(Membership).where(
        Membership.user_id == user.id))).scalars())
    reached = reach(directory, provider.tenant_id)
    if any(m.tenant_id not in reached for m in held):
        raise SignInRefused("SSO_ACCOUNT_OUTSIDE_PROVIDER",
                            "your account also holds roles in tenants this identity provider "
                            "does not govern: sign in with your password or their provider")
    if link is None:
        link = ExternalIdentity(provider_id=provider.id, subject=subject, user_id=user.id,
                                managed=[])
        session.add(link)
    link.managed = await _sync(platform, session, provider, user, held, link.managed, grants)
    link.last_sign_in_at = utcnow()
    return user


async def _sync(platform: Platform, session: AsyncSession, provider: IdentityProvider,
                user: User, held: Iterable[Membership], managed: list[Any],
                grants: set[Grant]) -> list[list[str]]:
    """Add what the claims give, take back what this provider gave and they no longer do;
    the memberships the provider now manages."""
    current = {Grant(m.tenant_id, m.role): m for m in held}
    before = {Grant(str(t), str(r)) for t, r in managed}
    actor = f"sso:{provider.id}"
    for grant in sorted(grants - set(current)):
        await add_membership(platform, session, tenant_id=grant.tenant_id, user_id=user.id,
                             role=grant.role, actor=actor)
    for grant in sorted((before - grants) & set(current)):
        await remove_membership(platform, session, tenant_id=grant.tenant_id,
                                membership_id=current[grant].id, actor=actor)
    now_managed = {g for g in grants if g in before or g not in current}
    return [[g.tenant_id, g.role] for g in sorted(now_managed)]
