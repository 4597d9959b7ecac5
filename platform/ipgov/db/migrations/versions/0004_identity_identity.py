"""identity: sign-in throttles, sessions (refresh tokens), followed revocations, invitations,
password resets; the per-user lockout columns give way to per (account, client) throttles

Revision ID: 0004_identity
Revises: 0003_jobs
Create Date: 2026-12-02 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_identity'
down_revision: str | Sequence[str] | None = '0003_jobs'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_generation', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('password_changed_at', TZ, nullable=True))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')

    with op.batch_alter_table('revoked_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('revoked_at', TZ, nullable=False,
                                      server_default=sa.func.current_timestamp()))
        batch_op.create_index(batch_op.f('ix_revoked_tokens_seq'), ['seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_revoked_tokens_expires_at'), ['expires_at'],
                              unique=False)

    op.create_table(
        'revocation_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_revocation_version')),
    )
    op.create_table(
        'login_throttles',
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('blocked_until', TZ, nullable=True),
        sa.Column('updated_at', TZ, nullable=False),
        sa.PrimaryKeyConstraint('account', 'client', name=op.f('pk_login_throttles')),
    )
    op.create_index(op.f('ix_login_throttles_updated_at'), 'login_throttles', ['updated_at'],
                    unique=False)
    op.create_table(
        'refresh_tokens',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('family_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('session_started_at', TZ, nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('expires_at', TZ, nullable=False),
        sa.Column('used_at', TZ, nullable=True),
        sa.Column('revoked_at', TZ, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_refresh_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_tokens_token_hash')),
    )
    op.create_index('ix_refresh_tokens_family', 'refresh_tokens', ['family_id'], unique=False)
    op.create_index(op.f('ix_refresh_tokens_user_id'), 'refresh_tokens', ['user_id'],
                    unique=False)
    op.create_index(op.f('ix_refresh_tokens_expires_at'), 'refresh_tokens', ['expires_at'],
                    unique=False)
    op.create_table(
        'invitations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('role', sa.String(length=80), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by', sa.String(length=200), nullable=False),
        sa.Column('delivered', sa.Boolean(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('expires_at', TZ, nullable=False),
        sa.Column('accepted_at', TZ, nullable=True),
        sa.Column('accepted_user_id', sa.String(length=36), nullable=True),
        sa.Column('revoked_at', TZ, nullable=True),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_invitations_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash')),
    )
    op.create_index(op.f('ix_invitations_tenant_id'), 'invitations', ['tenant_id'],
                    unique=False)
    op.create_table(
        'password_resets',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('expires_at', TZ, nullable=False),
        sa.Column('used_at', TZ, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_password_resets_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash')),
    )
    op.create_index(op.f('ix_password_resets_user_id'), 'password_resets', ['user_id'],
                    unique=False)
    op.create_index(op.f('ix_password_resets_expires_at'), 'password_resets', ['expires_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_table('password_resets')
    op.drop_table('invitations')
    op.drop_table('refresh_tokens')
    op.drop_table('login_throttles')
    op.drop_table('revocation_version')
    with op.batch_alter_table('revoked_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_tokens_expires_at'))
        batch_op.drop_index(batch_op.f('ix_revoked_tokens_seq'))
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('seq')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', TZ, nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('token_generation')
