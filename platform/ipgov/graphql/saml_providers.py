"""SAML 2.0 identity providers in GraphQL: register or change one, export the service
provider's metadata, rotate its keypair.

The same permission as every identity provider (``ipgov:identity_provider``: ``manage`` to
save and rotate, ``read`` for the metadata), the same mappings, policy and privilege ceiling
as OpenID Connect ones (``ipgov.identity.sso.providers``). The IdP's metadata is pasted or
uploaded as text (bounded), or read once from a URL through the outbound guard; the service
provider's private key is never shown.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ipgov.identity.sso import flow_saml
from ipgov.identity.sso.models import IdentityProvider
from ipgov.identity.sso.providers import (
    RoleMappingInput,
    SamlProviderInput,
    rotate_sp_key,
    save_saml_provider,
)
from ipgov.identity.sso.refusals import SignInRefused

from .identity_providers import (
    IdentityProviderPayload,
    JitPolicy,
    RoleMappingEntry,
    provider_node,
)
from .kit import mutate
from .permissions import requires

__all__ = ["SamlProviderMutation", "SamlProviderQuery"]

READ = ("ipgov:identity_provider", "read")
MANAGE = ("ipgov:identity_provider", "manage")


@strawberry.input(description="A SAML identity provider as you write it; every bad field is "
                  "reported at once.")
class SamlIdentityProviderInput:
    name: str
    idp_metadata_xml: str | None = strawberry.field(default=None, description=(
        "The IdP's metadata XML (one EntityDescriptor, at most 256 KiB). Required when "
        "registering (or give idpMetadataUrl); leave both out to keep the stored one."))
    idp_metadata_url: str | None = strawberry.field(default=None, description=(
        "Where the IdP publishes its metadata: read now, through the single sign-on "
        "outbound guard (https, public addresses unless allowed), and again on a schedule "
        "and when a response is signed with a key it does not name (key rotation). "
        "Pasted metadata is never read again."))
    email_attribute: str = strawberry.field(default="email", description=(
        "The attribute with the e-mail address (by Name or FriendlyName); an emailAddress "
        "NameID serves when it is absent."))
    name_attribute: str = "name"
    groups_attribute: str = "groups"
    role_mappings: list[RoleMappingEntry] = strawberry.field(default_factory=list)
    direct_role_claims: bool = False
    jit_policy: JitPolicy = JitPolicy.REFUSE
    allowed_domains: list[str] = strawberry.field(default_factory=list)
    enabled: bool = True
    require_encrypted_assertions: bool = False


def _input(data: SamlIdentityProviderInput) -> SamlProviderInput:
    return SamlProviderInput(
        name=data.name, idp_metadata_xml=data.idp_metadata_xml,
        idp_metadata_url=data.idp_metadata_url,
        email_claim=data.email_attribute, name_claim=data.name_attribute,
        groups_claim=data.groups_attribute,
        role_mappings=[RoleMappingInput(m.value, m.tenant_slug, m.role)
                       for m in data.role_mappings],
        direct_role_claims=data.direct_role_claims, jit=data.jit_policy.value,
        allowed_domains=data.allowed_domains, enabled=data.enabled,
        require_encryption=data.require_encrypted_assertions)


def _details(row: IdentityProvider) -> dict[str, object]:
    return {"name": row.name, "kind": "saml", "issuer": row.issuer, "jit": row.jit,
            "enabled": row.enabled, "mappings": len(row.role_mappings),
            "direct_role_claims": row.direct_role_claims,
            "require_encryption": row.saml_require_encryption}


@strawberry.type
class SamlProviderQuery:
    @strawberry.field(description="The service-provider metadata XML of a SAML provider of "
                      "the tenant, to import at the IdP (also served at its metadataUrl); "
                      "null when the tenant has no such SAML provider.",
                      extensions=requires(*READ))
    async def saml_service_provider_metadata(self, info: Info, tenant_id: strawberry.ID,
                                             id: strawberry.ID) -> str | None:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            row = await session.get(IdentityProvider, str(id)[:36])
        if row is None or row.tenant_id != str(tenant_id) or row.kind != "saml":
            return None
        try:
            return await flow_saml.sp_metadata(ctx.platform, row)
        except SignInRefused:
            return None


@strawberry.type
class SamlProviderMutation:
    @strawberry.mutation(description="Register a SAML 2.0 identity provider (no id: a new "
                         "service-provider keypair is made) or change one. Mappings name "
                         "tenants this tenant governs and roles you may grant.",
                         extensions=requires(*MANAGE))
    async def save_saml_identity_provider(self, info: Info, tenant_id: strawberry.ID,
                                          input: SamlIdentityProviderInput,
                                          id: strawberry.ID | None = None
                                          ) -> IdentityProviderPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), IdentityProviderPayload, "identity_provider",
            lambda s: save_saml_provider(ctx.platform, s, tenant_id=str(tenant_id),
                                         data=_input(input),
                                         provider_id=str(id) if id else None,
                                         granter=ctx.require_principal().subject,
                                         actor=ctx.actor),
            action="ipgov.identity_provider.saved", object_type="ipgov:identity_provider",
            details=_details, to_node=lambda r: provider_node(info, r))

    @strawberry.mutation(description="Replace a SAML provider's service-provider keypair; "
                         "give the IdP the new metadata at once (AuthnRequests are signed, "
                         "and assertions encrypted, with the new key from now on).",
                         extensions=requires(*MANAGE))
    async def rotate_saml_service_provider_key(self, info: Info, tenant_id: strawberry.ID,
                                               id: strawberry.ID) -> IdentityProviderPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), IdentityProviderPayload, "identity_provider",
            lambda s: rotate_sp_key(ctx.platform, s, tenant_id=str(tenant_id),
                                    provider_id=str(id)),
            action="ipgov.identity_provider.key_rotated", object_type="ipgov:identity_provider",
            details=_details, to_node=lambda r: provider_node(info, r))
