"""Registering identity providers, and which ones a sign-in screen offers.

``save_provider`` checks every field at once (``FieldErrors``), then writes: the URLs must pass
the outbound guard, the scopes include ``openid``, each mapping row names a tenant the provider
reaches and a role that can be held there and that the saver may grant (the privilege ceiling,
as for members) and its value is not written in the reserved ``ipgov:`` form (it would give two
roles at once), and allowing ``ipgov:<slug>:<role>`` claims needs the right to grant every role
they could name. A subsidiary governed centrally has no providers of its own (its group's
apply). The client secret is sealed (``sealing``) and never read back.

A SAML provider (``save_saml_provider``) has the same name, attribute names (the claims),
mappings, policy and domains; instead of an issuer and a client it has the IdP's metadata
(``saml_metadata``: its entity id becomes the issuer) and its own service-provider keypair,
made when it is registered and replaced by ``rotate_sp_key`` (the key sealed, never read back).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz.ceiling import assert_may_grant
from ipgov.authz.roles import PLATFORM_ROLES, TENANT_ROLES
from ipgov.db.base import new_id, utcnow
from ipgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from ipgov.notify.channels.outbound import OutboundError, check_target
from ipgov.tenancy.directory import TenantDirectory
from ipgov.tenancy.models import PLATFORM_TENANT_ID
from ipgov.tenancy.modes import GovernanceMode
from ipgov.validation import FieldErrors

from ..role_names import is_role_name
from ..sealing import SP_KEY_PURPOSE, seal
from .mapping import grantable
from .models import ExternalIdentity, IdentityProvider
from .oidc import forget_metadata
from .outbound import sso_policy
from .reach import applies_to, reach
from .saml import new_keypair
from .saml_metadata import fetch_idp_metadata, parse_idp_metadata

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["JIT_POLICIES", "Offered", "ProviderInput", "RoleMappingInput", "SamlProviderInput",
           "offered_providers", "remove_provider", "rotate_sp_key", "save_provider",
           "save_saml_provider"]

JIT_POLICIES = ("create", "refuse")
MAX_MAPPINGS = 200
MAX_DOMAINS = 50
MAX_SCOPES = 30
MAX_OFFERED = 20
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$")
_CLAIM = re.compile(r"^[A-Za-z0-9_:./-]{1,100}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class RoleMappingInput:
    """A value of the groups claim and the role it gives in a tenant (by slug)."""

    value: str
    tenant_slug: str
    role: str


@dataclass
class ProviderInput:
    """What an administrator sends to register or change a provider; ``client_secret`` None
    keeps the stored one."""

    name: str
    issuer: str
    client_id: str
    client_secret: str | None = None
    discovery_url: str = ""
    scopes: Sequence[str] = ("openid", "email", "profile")
    email_claim: str = "email"
    name_claim: str = "name"
    groups_claim: str = "groups"
    role_mappings: Sequence[RoleMappingInput] = field(default_factory=list)
    direct_role_claims: bool = False
    jit: str = "refuse"
    allowed_domains: Sequence[str] = field(default_factory=list)
    enabled: bool = True


@dataclass
class SamlProviderInput:
    """What an administrator sends to register or change a SAML provider; the metadata as
    text or a URL to read it from once (neither keeps the stored metadata)."""

    name: str
    idp_metadata_xml: str | None = None
    idp_metadata_url: str | None = None
    email_claim: str = "email"
    name_claim: str = "name"
    groups_claim: str = "groups"
    role_mappings: Sequence[RoleMappingInput] = field(default_factory=list)
    direct_role_claims: bool = False
    jit: str = "refuse"
    allowed_domains: Sequence[str] = field(default_factory=list)
    enabled: bool = True
    require_encryption: bool = False


def _bad(message: str, field_name: str, code: str = "INVALID_INPUT", **details: object
         ) -> InvalidInput:
    return InvalidInput(message, code=code, field=field_name, details=dict(details))


def _text(value: str, field_name: str, limit: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned or len(cleaned) > limit:
        raise _bad(f"{field_name} needs 1 to {limit} characters", field_name,
                   "SSO_TEXT_LENGTH", maximum=limit)
    return cleaned


def _url(platform: Platform, value: str, field_name: str, *, optional: bool = False) -> str:
    cleaned = (value or "").strip()
    if optional and not cleaned:
        return ""
    try:
        check_target(cleaned, sso_policy(platform.settings))
    except OutboundError as exc:
        raise _bad(f"{field_name}: {exc.detail}", field_name, "SSO_URL_REFUSED",
                   reason=exc.detail) from None
    if len(cleaned) > 500:
        raise _bad("the URL is too long", field_name, "SSO_TEXT_LENGTH", maximum=500)
    return cleaned


def _scopes(values: Sequence[str]) -> list[str]:
    scopes = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if "openid" not in scopes or len(scopes) > MAX_SCOPES or not all(
            _SCOPE.match(s) for s in scopes):
        raise _bad("scopes must include openid (at most 30, no spaces or quotes)", "scopes",
                   "SSO_SCOPES")
    return scopes


def _claim(value: str, field_name: str) -> str:
    if not _CLAIM.match(value or ""):
        raise _bad("a claim name has 1 to 100 letters, digits or _ : . / -", field_name,
                   "SSO_CLAIM_NAME")
    return value


def _domains(values: Sequence[str]) -> list[str]:
    domains = list(dict.fromkeys(v.strip().lower().lstrip("@") for v in values if v.strip()))
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad or len(domains) > MAX_DOMAINS:
        raise _bad(f"not a domain name: {(bad or ['(too many)'])[0][:100]}", "allowedDomains",
                   "SSO_DOMAIN", value=(bad or ["(too many)"])[0][:100])
    return domains


def _check_mode(directory: TenantDirectory, tenant_id: str) -> None:
    parent = directory.parent(tenant_id)
    mode = GovernanceMode.governing(parent.governance_mode if parent else None)
    if not mode.local_rules_count:
        raise Forbidden("this subsidiary is governed centrally: its group's identity "
                        "providers apply here", code="GOVERNANCE_MODE_FORBIDS",
                        field="tenantId")


def _mappings(platform: Platform, tenant_id: str, rows: Sequence[RoleMappingInput],
              granter: str | None) -> list[dict[str, str]]:
    directory = platform.tenants
    reached = reach(directory, tenant_id)
    slugs = {directory[t].slug: t for t in reached}
    if len(rows) > MAX_MAPPINGS:
        raise _bad(f"at most {MAX_MAPPINGS} mappings", "roleMappings", "SSO_TOO_MANY_MAPPINGS",
                   maximum=MAX_MAPPINGS)
    stored = []
    for row in rows:
        value = _text(row.value, "roleMappings", 300)
        if is_role_name(value):
            raise _bad("a mapping value may not begin with ipgov: (that form names a tenant "
                       "and a role itself)", "roleMappings", "SSO_MAPPING_VALUE_RESERVED",
                       value=value[:120])
        tenant = slugs.get((row.tenant_slug or "").strip())
        if tenant is None:
            raise _bad("the tenant of a mapping is not governed by this provider's tenant",
                       "roleMappings", "SSO_MAPPING_OUTSIDE_PROVIDER",
                       value=row.tenant_slug[:63])
        if not grantable(directory, tenant, row.role):
            raise _bad(f"{row.role} cannot be held in {row.tenant_slug}", "roleMappings",
                       "SSO_ROLE_NOT_GRANTABLE", role=row.role[:80])
        if granter is not None:
            assert_may_grant(platform, granter, tenant, row.role)
        stored.append({"value": value, "tenant_id": tenant, "role": row.role})
    return stored


def _direct_claims_ceiling(platform: Platform, tenant_id: str, granter: str | None) -> None:
    """Allowing ``ipgov:<slug>:<role>`` claims needs the right to grant each role they name."""
    roles = PLATFORM_ROLES if tenant_id == PLATFORM_TENANT_ID else TENANT_ROLES
    for role in roles:
        if granter is not None and grantable(platform.tenants, tenant_id, role):
            assert_may_grant(platform, granter, tenant_id, role)


def _secret(value: str | None, creating: bool) -> str | None:
    if value is None or value == "":
        if creating:
            raise _bad("a client secret is required", "clientSecret", "SSO_SECRET_REQUIRED")
        return None
    if len(value) > 2000:
        raise _bad("the client secret is too long", "clientSecret", "SSO_TEXT_LENGTH",
                   maximum=2000)
    return value


def _checked(platform: Platform, tenant_id: str, data: ProviderInput, creating: bool,
             granter: str | None) -> dict[str, object]:
    found = FieldErrors()
    checked: dict[str, object] = {
        "issuer": found.check(_url, platform, data.issuer, "issuer"),
        "discovery_url": found.check(_url, platform, data.discovery_url, "discoveryUrl",
                                     optional=True),
        "client_id": found.check(_text, data.client_id, "clientId", 255),
        "secret": found.check(_secret, data.client_secret, creating),
        "scopes": found.check(_scopes, data.scopes),
        **_common(found, platform, tenant_id, data, granter)}
    found.raise_if_any()
    if data.direct_role_claims:
        _direct_claims_ceiling(platform, tenant_id, granter)
    return checked


def _common(found: FieldErrors, platform: Platform, tenant_id: str,
            data: ProviderInput | SamlProviderInput, granter: str | None) -> dict[str, object]:
    """The checks both kinds share: name, claim names, domains, mappings, policy."""
    checked: dict[str, object] = {
        "name": found.check(_text, data.name, "name", 120),
        "email_claim": found.check(_claim, data.email_claim, "emailClaim"),
        "name_claim": found.check(_claim, data.name_claim, "nameClaim"),
        "groups_claim": found.check(_claim, data.groups_claim, "groupsClaim"),
        "allowed_domains": found.check(_domains, data.allowed_domains),
        "role_mappings": found.check(_mappings, platform, tenant_id, data.role_mappings,
                                     granter),
    }
    if data.jit not in JIT_POLICIES:
        found.add(_bad("jit is create or refuse", "jitPolicy", "SSO_JIT_POLICY"))
    return checked


async def _existing(session: AsyncSession, tenant_id: str, provider_id: str,
                    kind: str | None = None) -> IdentityProvider:
    provider = await session.get(IdentityProvider, provider_id)
    if provider is None or provider.tenant_id != tenant_id:
        raise NotFound("no such identity provider in this tenant",
                       code="IDENTITY_PROVIDER_NOT_FOUND", field="id")
    if kind is not None and provider.kind != kind:
        raise InvalidInput(f"this identity provider is not a {kind} provider",
                           code="SSO_PROVIDER_KIND", field="id",
                           details={"kind": provider.kind})
    return provider


async def _refuse_duplicate_name(session: AsyncSession, tenant_id: str, name: str,
                                 provider_id: str) -> None:
    clash = (await session.execute(select(IdentityProvider.id).where(
        IdentityProvider.tenant_id == tenant_id, IdentityProvider.name == name,
        IdentityProvider.id != provider_id))).first()
    if clash:
        raise Conflict("another identity provider of this tenant has this name",
                       code="DUPLICATE_NAME", field="name")


async def save_provider(platform: Platform, session: AsyncSession, *, tenant_id: str,
                        data: ProviderInput, provider_id: str | None = None,
                        granter: str | None = None, actor: str = "") -> IdentityProvider:
    """Register (no ``provider_id``) or change a provider of ``tenant_id`` (see the module);
    ``granter`` is the caller's subject (``None`` for operators)."""
    _check_mode(platform.tenants, tenant_id)
    values = _checked(platform, tenant_id, data, provider_id is None, granter)
    provider = (await _existing(session, tenant_id, provider_id, "oidc") if provider_id
                else IdentityProvider(id=new_id(), tenant_id=tenant_id, created_by=actor))
    await _refuse_duplicate_name(session, tenant_id, str(values["name"]), provider.id)
    secret = values.pop("secret")
    for name, value in values.items():
        setattr(provider, name, value)
    provider.kind, provider.jit = "oidc", data.jit
    provider.direct_role_claims, provider.enabled = data.direct_role_claims, data.enabled
    if secret is not None:
        provider.client_secret_sealed = seal(platform, str(secret), provider_id=provider.id)
    if provider_id is None:
        session.add(provider)
    await session.flush()
    forget_metadata(provider.id)
    return provider


def _metadata(platform: Platform, xml: str | None, creating: bool
              ) -> tuple[str, str] | None:
    """The metadata to store and its entity id; None keeps the stored ones."""
    if xml is None:
        if creating:
            raise _bad("the identity provider's metadata is required", "idpMetadataXml",
                       "SSO_SAML_METADATA_INVALID", detail="it is missing")
        return None
    parsed = parse_idp_metadata(xml, allow_http=platform.settings.sso_allow_http)
    return xml.strip(), parsed.entity_id


def _sp_keypair(platform: Platform, provider: IdentityProvider) -> None:
    """A new service-provider keypair on ``provider`` (the key sealed)."""
    key, cert = new_keypair(f"ipgov SAML SP {provider.id}")
    provider.saml_sp_cert = cert
    provider.saml_sp_key_sealed = seal(platform, key, provider_id=provider.id,
                                       purpose=SP_KEY_PURPOSE)


async def save_saml_provider(platform: Platform, session: AsyncSession, *, tenant_id: str,
                             data: SamlProviderInput, provider_id: str | None = None,
                             granter: str | None = None, actor: str = "") -> IdentityProvider:
    """Register (no ``provider_id``, with a new SP keypair) or change a SAML provider of
    ``tenant_id``; the same checks as ``save_provider`` and the metadata's."""
    _check_mode(platform.tenants, tenant_id)
    found = FieldErrors()
    values = _common(found, platform, tenant_id, data, granter)
    xml, url = data.idp_metadata_xml, ""
    if not xml and data.idp_metadata_url:
        with found.field():
            url = _url(platform, data.idp_metadata_url, "idpMetadataUrl")
            xml = await fetch_idp_metadata(platform.settings, url)
    metadata = found.check(_metadata, platform, xml or None,
                           provider_id is None and not data.idp_metadata_url)
    found.raise_if_any()
    if data.direct_role_claims:
        _direct_claims_ceiling(platform, tenant_id, granter)
    provider = (await _existing(session, tenant_id, provider_id, "saml") if provider_id
                else IdentityProvider(id=new_id(), tenant_id=tenant_id, created_by=actor,
                                      client_id="", scopes=[]))
    await _refuse_duplicate_name(session, tenant_id, str(values["name"]), provider.id)
    for name, value in values.items():
        setattr(provider, name, value)
    if metadata is not None:  # pasted metadata is kept as is; from a URL, read again later
        provider.saml_idp_metadata, provider.issuer = metadata
        provider.saml_metadata_url = url
        provider.saml_metadata_fetched_at = utcnow() if url else None
    provider.kind, provider.jit = "saml", data.jit
    provider.direct_role_claims, provider.enabled = data.direct_role_claims, data.enabled
    provider.saml_require_encryption = data.require_encryption
    if provider_id is None:
        _sp_keypair(platform, provider)
        session.add(provider)
    await session.flush()
    return provider


async def rotate_sp_key(platform: Platform, session: AsyncSession, *, tenant_id: str,
                        provider_id: str) -> IdentityProvider:
    """Replace a SAML provider's service-provider keypair: give the IdP the new metadata
    (its signing and encryption certificate) at once."""
    provider = await _existing(session, tenant_id, provider_id, "saml")
    _sp_keypair(platform, provider)
    await session.flush()
    return provider


async def remove_provider(session: AsyncSession, *, tenant_id: str, provider_id: str
                          ) -> IdentityProvider:
    """Remove a provider and the links of its people (their accounts and roles stay);
    in a system session (the links are not tenant-owned)."""
    provider = await _existing(session, tenant_id, provider_id)
    await session.execute(delete(ExternalIdentity).where(
        ExternalIdentity.provider_id == provider.id))
    await session.delete(provider)
    forget_metadata(provider.id)
    return provider


# ------------------------------------------------------------------ what the sign-in offers


@dataclass(frozen=True)
class Offered:
    """A provider a sign-in screen may offer (no secret, no configuration)."""

    id: str
    name: str
    kind: str


def _domain_of(email: str) -> str | None:
    email = (email or "").strip().lower()
    return email.rsplit("@", 1)[1] if "@" in email else None


async def offered_providers(platform: Platform, session: AsyncSession, *,
                            email: str | None = None, tenant_slug: str | None = None
                            ) -> list[Offered]:
    """Enabled providers for a tenant (its own and those of the groups governing it), for an
    e-mail domain (providers that list it), or the platform-wide ones when neither is given."""
    directory = platform.tenants
    stmt = select(IdentityProvider).where(IdentityProvider.enabled.is_(True))
    if tenant_slug:
        tenant = next((t.id for t in directory.values() if t.slug == tenant_slug), None)
        owners = applies_to(directory, tenant) if tenant else []
        stmt = stmt.where(IdentityProvider.tenant_id.in_(owners))
    elif not email:
        stmt = stmt.where(IdentityProvider.tenant_id == PLATFORM_TENANT_ID)
    rows = list((await session.execute(stmt.order_by(IdentityProvider.name,
                                                     IdentityProvider.id))).scalars())
    if email and not tenant_slug:
        domain = _domain_of(email)
        rows = [r for r in rows if domain is not None and domain in r.allowed_domains]
    return [Offered(r.id, r.name, r.kind) for r in rows][:MAX_OFFERED]

