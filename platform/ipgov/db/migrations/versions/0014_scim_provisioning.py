"""SCIM provisioning: tokens, provisioned users and their e-mails, directory groups, members

Revision ID: 0014_scim
Revises: 0013_sso
Create Date: 2026-12-10 10:00:00

New tables only; existing users are untouched (none is provisioned until a directory creates
or links it). Every table is tenant-owned (the provisioning tenant): ``ipgov migrate`` puts
them under row-level security on PostgreSQL like every ``TenantScoped`` table.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0014_scim'
down_revision: str | Sequence[str] | None = '0013_sso'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _tenant(table: str, *primary: str) -> list[Any]:
    return [sa.Column('tenant_id', sa.String(length=36), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                    name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='RESTRICT'),
            sa.PrimaryKeyConstraint(*primary, name=op.f(f'pk_{table}'))]


def _tenant_index(table: str) -> None:
    op.create_index(op.f(f'ix_{table}_tenant_id'), table, ['tenant_id'])


def upgrade() -> None:
    op.create_table(
        'scim_tokens',
        sa.Column('id', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('revoked_at', TS, nullable=True),
        sa.Column('revoked_by', sa.String(length=200), nullable=True),
        sa.Column('last_used_at', TS, nullable=True),
        *_tenant('scim_tokens', 'id'),
    )
    op.create_table(
        'scim_users',
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('user_name', sa.String(length=300), nullable=False),
        sa.Column('user_name_key', sa.String(length=300), nullable=False),
        sa.Column('external_id', sa.String(length=300), nullable=True),
        sa.Column('resource', sa.JSON(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_scim_users_user_id_users'), ondelete='CASCADE'),
        sa.UniqueConstraint('tenant_id', 'user_name_key',
                            name=op.f('uq_scim_users_tenant_id_user_name_key')),
        *_tenant('scim_users', 'user_id'),
    )
    op.create_index('ix_scim_users_tenant_external', 'scim_users', ['tenant_id', 'external_id'])
    op.create_table(
        'scim_user_emails',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('value_key', sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['scim_users.user_id'],
                                name=op.f('fk_scim_user_emails_user_id_scim_users'),
                                ondelete='CASCADE'),
        *_tenant('scim_user_emails', 'id'),
    )
    op.create_index(op.f('ix_scim_user_emails_user_id'), 'scim_user_emails', ['user_id'])
    op.create_index('ix_scim_user_emails_tenant_value', 'scim_user_emails',
                    ['tenant_id', 'value_key'])
    op.create_table(
        'scim_groups',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('display_name', sa.String(length=300), nullable=False),
        sa.Column('display_name_key', sa.String(length=300), nullable=False),
        sa.Column('external_id', sa.String(length=300), nullable=True),
        sa.Column('target_tenant_id', sa.String(length=36), nullable=True),
        sa.Column('role', sa.String(length=80), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        *_tenant('scim_groups', 'id'),
    )
    op.create_index(op.f('ix_scim_groups_display_name_key'), 'scim_groups',
                    ['display_name_key'])
    op.create_table(
        'scim_group_members',
        sa.Column('group_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('display', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['group_id'], ['scim_groups.id'],
                                name=op.f('fk_scim_group_members_group_id_scim_groups'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['scim_users.user_id'],
                                name=op.f('fk_scim_group_members_user_id_scim_users'),
                                ondelete='CASCADE'),
        *_tenant('scim_group_members', 'group_id', 'user_id'),
    )
    op.create_index(op.f('ix_scim_group_members_user_id'), 'scim_group_members', ['user_id'])
    for table in ('scim_tokens', 'scim_users', 'scim_user_emails', 'scim_groups',
                  'scim_group_members'):
        _tenant_index(table)


def downgrade() -> None:
    for table in ('scim_group_members', 'scim_groups', 'scim_user_emails', 'scim_users',
                  'scim_tokens'):
        op.drop_table(table)
