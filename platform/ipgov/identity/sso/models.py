"""What single sign-on keeps: the identity providers of a tenant, the link of a provider's
subject to a user, the state of a sign-in in flight, the one-time code that hands the
finished sign-in to the workspace, and the SAML assertions already used (replay cache).

Secrets are never stored in the clear: a provider's client secret is sealed (AES-GCM under a
key derived from the audit key, which lives outside the database: ``sealing``); the browser
binding of a sign-in and the hand-over code are stored as SHA-256 hashes (``onetime``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow

__all__ = ["MODELS", "ExternalIdentity", "IdentityProvider", "SamlAssertionSeen", "SamlSession",
           "SignInCode", "SsoLogin"]


class IdentityProvider(TenantScoped, Base):
    """An identity provider a tenant's administrators registered (``kind`` ``oidc``; room for
    ``saml``). Owned by a group (or a decentralized subsidiary), or by the platform tenant for
    platform-wide ones.

    ``role_mappings`` rows are ``{"value", "tenant_id", "role"}``: a value of the groups claim
    (matched exactly, colons and all) gives the role in that tenant of the provider's tree;
    with ``direct_role_claims`` a value ``ipgov:<tenant slug>:<role>`` names the tenant and
    role itself (``ipgov.identity.role_names``; table values never take that form). ``jit`` is
    ``create`` (unknown people get an account) or ``refuse``. ``client_secret_sealed`` is never
    returned by the API.

    A ``saml`` provider keeps the IdP's metadata as imported (``saml_idp_metadata``; ``issuer``
    is its entity id), its own service-provider certificate (``saml_sp_cert``, published in
    its metadata) and private key (``saml_sp_key_sealed``, sealed like a client secret), and
    whether assertions must arrive encrypted; it has no client id or secret. Metadata read
    from a URL keeps the URL (``saml_metadata_url``) and when it was last read
    (``saml_metadata_fetched_at``): it is read again on a schedule and when a response is
    signed with a key it does not name (``saml_metadata_refresh``)."""

    __tablename__ = "identity_providers"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    __movable_on_absorption__ = False  # an absorbed tenant's sign-in configuration is history

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10), default="oidc")
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(500))
    discovery_url: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_sealed: Mapped[str] = mapped_column(Text, default="")
    scopes: Mapped[list] = mapped_column(default=list)
    email_claim: Mapped[str] = mapped_column(String(100), default="email")
    name_claim: Mapped[str] = mapped_column(String(100), default="name")
    groups_claim: Mapped[str] = mapped_column(String(100), default="groups")
    role_mappings: Mapped[list] = mapped_column(default=list)
    direct_role_claims: Mapped[bool] = mapped_column(Boolean, default=False)
    jit: Mapped[str] = mapped_column(String(10), default="refuse")
    allowed_domains: Mapped[list] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    saml_idp_metadata: Mapped[str] = mapped_column(Text, default="")
    saml_sp_cert: Mapped[str] = mapped_column(Text, default="")
    saml_sp_key_sealed: Mapped[str] = mapped_column(Text, default="")
    saml_require_encryption: Mapped[bool] = mapped_column(Boolean, default=False)
    saml_metadata_url: Mapped[str] = mapped_column(String(500), default="")
    saml_metadata_fetched_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExternalIdentity(Base):
    """A person of a provider (its ``sub``) linked to a user.

    ``managed`` lists the ``[tenant_id, role]`` memberships the provider's claims gave: each
    sign-in adds what the claims now give and takes back only these when the claims no longer
    give them (roles granted by hand are never touched). No foreign key to the provider (a
    tenant-owned row): removing a provider removes its links in the same system session."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    managed: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column()


class SsoLogin(Base):
    """A sign-in in flight: kept from the redirect to the provider until its callback (once).

    ``id`` is the SHA-256 of the ``state`` sent to the provider; ``binding_hash`` the SHA-256
    of the HttpOnly cookie set on the browser that started it, so a callback carried to
    another browser (login CSRF) is refused. ``nonce`` and ``code_verifier`` (PKCE) live only
    here and only until ``expires_at``.

    A SAML sign-in keeps its AuthnRequest's id in ``nonce`` (the response must answer it) and,
    once its response was accepted, the signed-in user in ``user_id`` until the browser that
    started it collects the sign-in (``flow.saml``), with the assertion's subject
    (``saml_subject``: NameID and SessionIndex, JSON) for single logout."""

    __tablename__ = "sso_logins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(36))
    binding_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    locale: Mapped[str] = mapped_column(String(10), default="")
    client: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str | None] = mapped_column(String(36))
    saml_subject: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()


class SamlAssertionSeen(Base):
    """A SAML assertion already accepted, kept until it could no longer be accepted anyway
    (its ``NotOnOrAfter`` plus the clock skew): a second use is refused in every process.
    ``id`` is the SHA-256 of the provider's id and the assertion's ``ID``."""

    __tablename__ = "saml_assertions_seen"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInCode(Base):
    """The one-time code a finished sign-in hands to the workspace (in the URL fragment),
    exchanged once, within a minute, for a session (``completeSignIn``)."""

    __tablename__ = "sso_sign_in_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[str] = mapped_column(String(36))
    saml_subject: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()


class SamlSession(Base):
    """A sign-in session that a SAML assertion opened: what single logout needs of it.

    ``family_id`` is the session (the ``sid`` of its tokens); ``subject_hash`` the SHA-256 of
    the provider's id and the NameID, by which an IdP's LogoutRequest finds the sessions to
    end; ``subject`` keeps the NameID (text, format, qualifiers) and ``session_index`` the
    assertion's SessionIndex, which an SP-initiated LogoutRequest names. Kept as long as the
    session may last."""

    __tablename__ = "saml_sessions"

    family_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_hash: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    session_index: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


MODELS = [IdentityProvider, ExternalIdentity, SsoLogin, SignInCode, SamlAssertionSeen,
          SamlSession]
"""The single sign-on tables (registered by the core's built-in plugin)."""
