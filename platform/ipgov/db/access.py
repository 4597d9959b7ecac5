"""Who may do what to each table on PostgreSQL: the decision for every table, in one place.

Tenant-owned tables (``TenantScoped``) are under row-level security on ``tenant_id``. The few
tables that are not each have a decision below, with its reason, mirrored in
docs/security.md ("Tables and roles"). A table that is neither tenant-owned nor decided here
gets nothing for the app role (fail closed) and ``ipgov migrate`` says so.

Two roles use the tables besides the owner:

- the **app role** serves requests, workers and the scheduler inside a tenant scope; it sees
  the rows of the tenants its transaction names (``app.tenant_ids``) and nothing else;
- the **system role** runs the named system sessions (sign-in, policy loading, onboarding,
  tenant lists, the supervision audit record); a policy lets it see every tenant, and it owns
  nothing, so it cannot change the schema or switch row-level security off.

The audit trail is append-only for both: neither may update or delete an event, nor delete a
chain head (only the owner, i.e. the migration, can; see docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DML", "TableAccess", "access_for", "TABLE_ACCESS"]

DML = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})
_READ_APPEND = frozenset({"SELECT", "INSERT"})
_READ_APPEND_UPDATE = frozenset({"SELECT", "INSERT", "UPDATE"})
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TableAccess:
    """Row-level security column (None: no RLS), privileges of the two roles, and why."""

    rls_column: str | None
    app: frozenset[str]
    system: frozenset[str]
    reason: str


TENANT_OWNED = TableAccess("tenant_id", DML, DML, "tenant-owned rows (TenantScoped)")

TABLE_ACCESS: dict[str, TableAccess] = {
    "tenants": TableAccess(
        "id", DML, DML,
        "protected: the app role sees only the tenants its transaction names, so it cannot "
        "list the other tenants' ids; the tree is read by system sessions"),
    "users": TableAccess(
        None, _NONE, DML,
        "protected: password hashes, lockout state and every person's e-mail; no privilege "
        "for the app role, every read is a named system session"),
    "revoked_tokens": TableAccess(
        None, _NONE, DML,
        "protected: read and written only by system sessions (sign-out, revocation loading)"),
    "revocation_version": TableAccess(
        None, _NONE, DML,
        "protected: the counter that orders revocations; bumped by system sessions only"),
    "login_throttles": TableAccess(
        None, _NONE, DML,
        "protected: sign-in attempts per (hashed address, client address); sign-in is a "
        "system session"),
    "refresh_tokens": TableAccess(
        None, _NONE, DML,
        "protected: session secrets (hashed) and their rotation; system sessions only"),
    "password_resets": TableAccess(
        None, _NONE, DML,
        "protected: one-time reset secrets (hashed); system sessions only"),
    "external_identities": TableAccess(
        None, _NONE, DML,
        "protected: which person of which identity provider is which user; read and written "
        "by the sign-in's system sessions only"),
    "second_factors": TableAccess(
        None, _NONE, DML,
        "protected: people's authenticator apps (sealed secrets) and passkeys; system "
        "sessions only"),
    "recovery_codes": TableAccess(
        None, _NONE, DML,
        "protected: one-time recovery codes (hashed); system sessions only"),
    "second_factor_tickets": TableAccess(
        None, _NONE, DML,
        "protected: sign-ins waiting for their second step (hashed tickets); system "
        "sessions only"),
    "passkey_challenges": TableAccess(
        None, _NONE, DML,
        "protected: WebAuthn challenges in flight; system sessions only"),
    "sso_logins": TableAccess(
        None, _NONE, DML,
        "protected: single sign-ons in flight (nonce, PKCE verifier, hashed browser binding); "
        "system sessions only"),
    "saml_assertions_seen": TableAccess(
        None, _NONE, DML,
        "protected: hashed ids of SAML assertions already used (replay cache); system "
        "sessions only"),
    "sso_sign_in_codes": TableAccess(
        None, _NONE, DML,
        "protected: one-time hand-over codes of finished single sign-ons (hashed); system "
        "sessions only"),
    "saml_sessions": TableAccess(
        None, _NONE, DML,
        "protected: which SAML subject (NameID, SessionIndex) opened which session, for single "
        "logout; system sessions only"),
    "session_confirmations": TableAccess(
        None, _NONE, DML,
        "protected: when a session's person last confirmed it is them (step-up); system "
        "sessions only"),
    "policy_version": TableAccess(
        None, _READ_APPEND_UPDATE, DML,
        "documented: one counter row bumped in the transaction of every policy change (also "
        "in tenant sessions); it holds no tenant data; the app role cannot delete it"),
    "policy_changes": TableAccess(
        None, _READ_APPEND, DML,
        "documented: the change log every process follows, appended in the transaction of "
        "the change; it names tenant ids, roles and user ids, no governance data; append-only "
        "for the app role"),
    "authz_rule_sets": TableAccess(
        None, _NONE, _READ_APPEND,
        "protected: rule sets stored once and referenced by tenants (their ``s`` rows in "
        "authz_rules, under row-level security); a set holds no tenant id, but its rules can "
        "be a tenant's (a default grant it removed, a group baseline), so the app role has "
        "no privilege and system sessions read only the sets a tenant references; immutable"),
    "authz_rule_set_rules": TableAccess(
        None, _NONE, _READ_APPEND,
        "protected: the rules of the rule sets (as authz_rule_sets); immutable"),
    "audit_events": TableAccess(
        "tenant_id", _READ_APPEND, _READ_APPEND,
        "tenant-owned and append-only: no role but the owner may update or delete an event"),
    "audit_heads": TableAccess(
        "tenant_id", _READ_APPEND_UPDATE, _READ_APPEND_UPDATE,
        "tenant-owned; a head moves forward with each event and is never deleted"),
    "alembic_version": TableAccess(
        None, _NONE, _NONE, "the schema version: the migration (owner) only"),
}

UNDECIDED = TableAccess(None, _NONE, DML, "not tenant-owned and not decided: app role refused")


def access_for(table: str, tenant_owned: bool) -> TableAccess:
    """The decision for ``table`` (``tenant_owned``: its model is ``TenantScoped``)."""
    if table in TABLE_ACCESS:
        return TABLE_ACCESS[table]
    return TENANT_OWNED if tenant_owned else UNDECIDED
