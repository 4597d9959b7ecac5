"""single sign-on: identity providers, external identities, sign-ins in flight, hand-over codes

Revision ID: 0013_sso
Revises: 0012_session_policy
Create Date: 2026-12-06 10:00:00

``identity_providers`` is tenant-owned: ``ipgov migrate`` puts it under row-level security on
PostgreSQL like every ``TenantScoped`` table. The three other tables belong to users and to
sign-in (system sessions only, ``ipgov.db.access``). Existing tenants receive the default
grants of the new permission ``ipgov:identity_provider`` (group and tenant administrators
read and manage, auditors read; the platform administrator, in the platform's domain), as
onboarding writes them for new tenants; nothing else changes.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0013_sso'
down_revision: str | Sequence[str] | None = '0012_session_policy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
OBJECT = 'ipgov:identity_provider'
PLATFORM = '00000000-0000-0000-0000-000000000000'
TENANT_GRANTS = [('group_admin', 'read'), ('group_admin', 'manage'), ('tenant_admin', 'read'),
                 ('tenant_admin', 'manage'), ('auditor', 'read')]
PLATFORM_GRANTS = [('platform_admin', 'read'), ('platform_admin', 'manage')]


def upgrade() -> None:
    op.create_table(
        'identity_providers',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('discovery_url', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=255), nullable=False),
        sa.Column('client_secret_sealed', sa.Text(), nullable=False),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('email_claim', sa.String(length=100), nullable=False),
        sa.Column('name_claim', sa.String(length=100), nullable=False),
        sa.Column('groups_claim', sa.String(length=100), nullable=False),
        sa.Column('role_mappings', sa.JSON(), nullable=False),
        sa.Column('direct_role_claims', sa.Boolean(), nullable=False),
        sa.Column('jit', sa.String(length=10), nullable=False),
        sa.Column('allowed_domains', sa.JSON(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_identity_providers_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_providers')),
        sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_identity_providers_tenant_id_name')),
    )
    op.create_index(op.f('ix_identity_providers_tenant_id'), 'identity_providers', ['tenant_id'])
    op.create_table(
        'external_identities',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('provider_id', sa.String(length=36), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('managed', sa.JSON(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('last_sign_in_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_external_identities_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identities')),
        sa.UniqueConstraint('provider_id', 'subject',
                            name=op.f('uq_external_identities_provider_id_subject')),
    )
    op.create_index(op.f('ix_external_identities_provider_id'), 'external_identities',
                    ['provider_id'])
    op.create_index(op.f('ix_external_identities_user_id'), 'external_identities', ['user_id'])
    op.create_table(
        'sso_logins',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('provider_id', sa.String(length=36), nullable=False),
        sa.Column('binding_hash', sa.String(length=64), nullable=False),
        sa.Column('nonce', sa.String(length=100), nullable=False),
        sa.Column('code_verifier', sa.String(length=128), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('used_at', TS, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_logins')),
    )
    op.create_index(op.f('ix_sso_logins_expires_at'), 'sso_logins', ['expires_at'])
    op.create_table(
        'sso_sign_in_codes',
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('provider_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('used_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_sso_sign_in_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_sso_sign_in_codes')),
    )
    op.create_index(op.f('ix_sso_sign_in_codes_expires_at'), 'sso_sign_in_codes',
                    ['expires_at'])
    op.create_index(op.f('ix_sso_sign_in_codes_user_id'), 'sso_sign_in_codes', ['user_id'])
    _grant_existing_tenants()


def _grant_existing_tenants() -> None:
    """The new permission's default grants in every existing tenant (origin ``default``)."""
    bind = op.get_bind()
    tenants = [row[0] for row in bind.execute(sa.text(
        "SELECT id FROM tenants WHERE status <> 'absorbed'"))]
    rules = sa.table('authz_rules', *(sa.column(c) for c in (
        'id', 'tenant_id', 'ptype', 'v0', 'v1', 'v2', 'v3', 'origin', 'template', 'active',
        'created_at')))
    now = datetime.now(UTC)
    rows = [{'id': str(uuid.uuid4()), 'tenant_id': tenant, 'ptype': 'p', 'v0': role,
             'v1': OBJECT, 'v2': action, 'v3': 'allow', 'origin': 'default', 'template': False,
             'active': True, 'created_at': now}
            for tenant in tenants
            for role, action in (PLATFORM_GRANTS if tenant == PLATFORM else TENANT_GRANTS)]
    if rows:
        op.bulk_insert(rules, rows)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM authz_rules WHERE v1 = :obj").bindparams(obj=OBJECT))
    for index, table in [('ix_sso_sign_in_codes_user_id', 'sso_sign_in_codes'),
                         ('ix_sso_sign_in_codes_expires_at', 'sso_sign_in_codes'),
                         ('ix_sso_logins_expires_at', 'sso_logins'),
                         ('ix_external_identities_user_id', 'external_identities'),
                         ('ix_external_identities_provider_id', 'external_identities'),
                         ('ix_identity_providers_tenant_id', 'identity_providers')]:
        op.drop_index(op.f(index), table_name=table)
    for table in ('sso_sign_in_codes', 'sso_logins', 'external_identities',
                  'identity_providers'):
        op.drop_table(table)
