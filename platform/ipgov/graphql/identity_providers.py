"""Single sign-on in GraphQL: a tenant's identity providers, what the sign-in screen offers,
and the hand-over of a finished sign-in to the workspace (``completeSignIn``).

Providers are read and managed with ``ipgov:identity_provider`` in their tenant (the platform
tenant for platform-wide ones); the client secret is write-only. ``signInProviders`` is public
and says only names and where to start; ``completeSignIn`` exchanges the one-time code the
callback put in the workspace's URL fragment for the session's tokens.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.db import TenantScope
from ipgov.errors import DomainError
from ipgov.identity.sso import flow
from ipgov.identity.sso.models import IdentityProvider
from ipgov.identity.sso.providers import (
    Offered,
    ProviderInput,
    RoleMappingInput,
    offered_providers,
    remove_provider,
    save_provider,
)
from ipgov.identity.sso.saml import certificate_expires

from .credentials import CREDENTIAL_CHECK, credential_check
from .errors import UserError, user_errors
from .kit import mutate, tenant_page
from .pagination import Connection
from .permissions import public, requires
from .sign_in import SignInPayload, signed_in_payload

__all__ = ["IdentityProviderMutation", "IdentityProviderPayload", "IdentityProviderQuery",
           "IdentityProviderType", "JitPolicy", "RoleMappingEntry", "provider_node"]

READ = ("ipgov:identity_provider", "read")
MANAGE = ("ipgov:identity_provider", "manage")


@strawberry.enum(description="What happens to someone the provider signs in who has no "
                 "account here yet.")
class JitPolicy(Enum):
    CREATE = "create"
    REFUSE = "refuse"


@strawberry.type(description="A value of the groups claim and the role it gives.")
class RoleMapping:
    value: str
    tenant_id: strawberry.ID
    tenant_slug: str
    role: str


@strawberry.type(description="A SAML provider's service-provider side: give the IdP the "
                 "metadata URL (or its content), or these fields one by one.")
class SamlServiceProvider:
    entity_id: str = strawberry.field(description="The service provider's entity id "
                                      "(also where its metadata is served).")
    acs_url: str = strawberry.field(description="The assertion consumer service "
                                    "(HTTP-POST binding).")
    metadata_url: str
    certificate: str = strawberry.field(description="Signing and encryption certificate, "
                                        "PEM (the private key is never shown).")
    certificate_expires_at: datetime | None
    require_encrypted_assertions: bool
    idp_metadata_url: str | None = strawberry.field(default=None, description=(
        "Where the IdP's metadata is read again from (null: it was pasted)."))
    idp_metadata_read_at: datetime | None = strawberry.field(default=None, description=(
        "When it was last read from there."))


@strawberry.type(name="IdentityProvider",
                 description="An OpenID Connect or SAML 2.0 provider people of this tenant's "
                 "tree sign in with (client secrets and keys are never shown).")
class IdentityProviderType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    kind: str = strawberry.field(description="oidc or saml.")
    name: str
    issuer: str = strawberry.field(description="The OpenID issuer, or the SAML IdP's "
                                   "entity id (from its metadata).")
    discovery_url: str = strawberry.field(description="Empty: the issuer's "
                                          "/.well-known/openid-configuration.")
    client_id: str
    has_client_secret: bool
    scopes: list[str]
    email_claim: str
    name_claim: str
    groups_claim: str
    role_mappings: list[RoleMapping]
    direct_role_claims: bool = strawberry.field(description=(
        "Values of the groups claim written ipgov:<tenant slug>:<role> give that role too."))
    jit_policy: JitPolicy
    allowed_domains: list[str]
    enabled: bool
    redirect_uri: str = strawberry.field(description="Register this at the provider (for "
                                         "SAML, the assertion consumer service).")
    saml: SamlServiceProvider | None = strawberry.field(description="SAML providers only.")
    created_by: str
    created_at: datetime
    updated_at: datetime


@strawberry.input(description="A role mapping as you write it: the tenant by its slug.")
class RoleMappingEntry:
    value: str
    tenant_slug: str
    role: str


@strawberry.input(description="An identity provider as you write it; every bad field is "
                  "reported at once.")
class IdentityProviderInput:
    name: str
    issuer: str
    client_id: str
    client_secret: str | None = strawberry.field(default=None, description=(
        "Required when registering; leave it out to keep the stored one."))
    discovery_url: str = ""
    scopes: list[str] = strawberry.field(default_factory=lambda: ["openid", "email",
                                                                  "profile"])
    email_claim: str = "email"
    name_claim: str = "name"
    groups_claim: str = "groups"
    role_mappings: list[RoleMappingEntry] = strawberry.field(default_factory=list)
    direct_role_claims: bool = False
    jit_policy: JitPolicy = JitPolicy.REFUSE
    allowed_domains: list[str] = strawberry.field(default_factory=list)
    enabled: bool = True


@strawberry.type(description="The provider saved, or why nothing changed.")
class IdentityProviderPayload:
    identity_provider: IdentityProviderType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The provider removed, or why nothing changed.")
class IdentityProviderRemovedPayload:
    removed_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A sign-in the screen may offer: follow loginUrl in the browser.")
class SignInProvider:
    id: strawberry.ID
    name: str
    kind: str
    login_url: str


def _saml(info: Info, row: IdentityProvider) -> SamlServiceProvider | None:
    if row.kind != "saml":
        return None
    prefix = f"{flow.public_base(info.context.platform)}/auth/saml/{row.id}"
    return SamlServiceProvider(
        entity_id=f"{prefix}/metadata", acs_url=f"{prefix}/acs", metadata_url=f"{prefix}/metadata",
        certificate=row.saml_sp_cert, certificate_expires_at=certificate_expires(row.saml_sp_cert),
        require_encrypted_assertions=row.saml_require_encryption,
        idp_metadata_url=row.saml_metadata_url or None,
        idp_metadata_read_at=row.saml_metadata_fetched_at)


def provider_node(info: Info, row: IdentityProvider) -> IdentityProviderType:
    """The GraphQL shape of a provider row."""
    directory = info.context.platform.tenants
    saml = _saml(info, row)
    mappings = [RoleMapping(value=m["value"], tenant_id=strawberry.ID(m["tenant_id"]),
                            tenant_slug=getattr(directory.info(m["tenant_id"]), "slug", ""),
                            role=m["role"]) for m in row.role_mappings]
    return IdentityProviderType(
        id=strawberry.ID(row.id), tenant_id=strawberry.ID(row.tenant_id), kind=row.kind,
        name=row.name, issuer=row.issuer, discovery_url=row.discovery_url,
        client_id=row.client_id, has_client_secret=bool(row.client_secret_sealed),
        scopes=list(row.scopes), email_claim=row.email_claim, name_claim=row.name_claim,
        groups_claim=row.groups_claim, role_mappings=mappings,
        direct_role_claims=row.direct_role_claims, jit_policy=JitPolicy(row.jit),
        allowed_domains=list(row.allowed_domains), enabled=row.enabled,
        redirect_uri=saml.acs_url if saml else flow.callback_url(info.context.platform, row.id),
        saml=saml, created_by=row.created_by, created_at=row.created_at, updated_at=row.updated_at)


def _input(data: IdentityProviderInput) -> ProviderInput:
    return ProviderInput(
        name=data.name, issuer=data.issuer, client_id=data.client_id,
        client_secret=data.client_secret, discovery_url=data.discovery_url,
        scopes=data.scopes, email_claim=data.email_claim, name_claim=data.name_claim,
        groups_claim=data.groups_claim,
        role_mappings=[RoleMappingInput(m.value, m.tenant_slug, m.role)
                       for m in data.role_mappings],
        direct_role_claims=data.direct_role_claims, jit=data.jit_policy.value,
        allowed_domains=data.allowed_domains, enabled=data.enabled)


def _offered(row: Offered) -> SignInProvider:
    return SignInProvider(id=strawberry.ID(row.id), name=row.name, kind=row.kind,
                          login_url=f"/auth/{row.kind}/{row.id}/login")


def _audit_details(row: IdentityProvider) -> dict[str, object]:
    return {"name": row.name, "issuer": row.issuer, "jit": row.jit, "enabled": row.enabled,
            "mappings": len(row.role_mappings), "direct_role_claims": row.direct_role_claims}


@strawberry.type
class IdentityProviderQuery:
    @strawberry.field(description="The tenant's identity providers.", extensions=requires(*READ))
    async def identity_providers(self, info: Info, tenant_id: strawberry.ID, first: int = 20,
                                 after: str | None = None) -> Connection[IdentityProviderType]:
        return await tenant_page(info, str(tenant_id), select(IdentityProvider),
                                 [IdentityProvider.name, IdentityProvider.id], first=first,
                                 after=after, to_node=lambda r: provider_node(info, r))

    @strawberry.field(description="The single sign-ons a sign-in screen may offer: for a "
                      "tenant (its own and its governing groups'), for an e-mail address (the "
                      "providers that list its domain), else the platform-wide ones. Names "
                      "only; the same answer whether or not an account exists.",
                      extensions=public())
    async def sign_in_providers(self, info: Info, email: str | None = None,
                                tenant_slug: str | None = None) -> list[SignInProvider]:
        platform = info.context.platform
        async with platform.db.session(TenantScope.system("graphql: sign-in providers"),
                                       readonly=True) as session:
            rows = await offered_providers(platform, session, email=(email or "")[:320],
                                           tenant_slug=(tenant_slug or "")[:63])
        return [_offered(r) for r in rows]


@strawberry.type
class IdentityProviderMutation:
    @strawberry.mutation(description="Register an identity provider (no id) or change one. "
                         "Mappings name tenants this tenant governs and roles you may grant.",
                         extensions=requires(*MANAGE))
    async def save_identity_provider(self, info: Info, tenant_id: strawberry.ID,
                                     input: IdentityProviderInput,
                                     id: strawberry.ID | None = None
                                     ) -> IdentityProviderPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), IdentityProviderPayload, "identity_provider",
            lambda s: save_provider(ctx.platform, s, tenant_id=str(tenant_id),
                                    data=_input(input), provider_id=str(id) if id else None,
                                    granter=ctx.require_principal().subject, actor=ctx.actor),
            action="ipgov.identity_provider.saved", object_type="ipgov:identity_provider",
            details=_audit_details, to_node=lambda r: provider_node(info, r))

    @strawberry.mutation(description="Remove an identity provider: its people keep their "
                         "accounts and roles, and sign in otherwise.",
                         extensions=requires(*MANAGE))
    async def remove_identity_provider(self, info: Info, tenant_id: strawberry.ID,
                                       id: strawberry.ID) -> IdentityProviderRemovedPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), IdentityProviderRemovedPayload, "removed_id",
            lambda s: remove_provider(s, tenant_id=str(tenant_id), provider_id=str(id)),
            action="ipgov.identity_provider.removed", object_type="ipgov:identity_provider",
            details=_audit_details, to_node=lambda r: strawberry.ID(r.id),
            session=lambda: ctx.system_session("graphql: remove identity provider"))

    @strawberry.mutation(description="Finish a single sign-on: exchange the one-time code the "
                         "sign-in put in the page's address (#sso=...) for a session, once, "
                         "within a minute.", extensions=public(), metadata=CREDENTIAL_CHECK)
    async def complete_sign_in(self, info: Info, code: str) -> SignInPayload:
        ctx = info.context
        try:
            await credential_check(ctx)
            signed = await flow.complete(ctx.platform, code[:200], client=ctx.client_address)
        except DomainError as exc:
            return SignInPayload(errors=user_errors(exc))
        return signed_in_payload(signed, ctx)
