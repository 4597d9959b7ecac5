"""second factors of local accounts: authenticators, recovery codes, tickets, challenges

Revision ID: 0016_mfa
Revises: 0015_saml
Create Date: 2026-12-03 07:00:00

Four new tables that belong to people and to sign-in (system sessions only,
``ipgov.db.access``), and two nullable columns of ``tenants``: a group's roles and permissions
whose holders must sign in with a second factor (null: nobody, so existing groups keep
signing in as before).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_mfa'
down_revision: str | Sequence[str] | None = '0015_saml'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                   name=op.f(f'fk_{table}_user_id_users'), ondelete='CASCADE')


def upgrade() -> None:
    op.create_table(
        'second_factors',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('secret_sealed', sa.Text(), nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=True),
        sa.Column('credential_id', sa.String(length=1400), nullable=True),
        sa.Column('public_key', sa.Text(), nullable=True),
        sa.Column('sign_count', sa.Integer(), nullable=False),
        sa.Column('confirmed_at', TS, nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('last_used_at', TS, nullable=True),
        _user_fk('second_factors'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_second_factors')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_second_factors_credential_id')),
    )
    op.create_index(op.f('ix_second_factors_user_id'), 'second_factors', ['user_id'])
    op.create_table(
        'recovery_codes',
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('used_at', TS, nullable=True),
        _user_fk('recovery_codes'),
        sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'])
    op.create_table(
        'second_factor_tickets',
        sa.Column('ticket_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('method', sa.String(length=40), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('used_at', TS, nullable=True),
        _user_fk('second_factor_tickets'),
        sa.PrimaryKeyConstraint('ticket_hash', name=op.f('pk_second_factor_tickets')),
    )
    op.create_index(op.f('ix_second_factor_tickets_user_id'), 'second_factor_tickets',
                    ['user_id'])
    op.create_index(op.f('ix_second_factor_tickets_expires_at'), 'second_factor_tickets',
                    ['expires_at'])
    op.create_table(
        'passkey_challenges',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('purpose', sa.String(length=12), nullable=False),
        sa.Column('challenge', sa.String(length=100), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('used_at', TS, nullable=True),
        _user_fk('passkey_challenges'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey_challenges')),
    )
    op.create_index(op.f('ix_passkey_challenges_user_id'), 'passkey_challenges', ['user_id'])
    op.create_index(op.f('ix_passkey_challenges_expires_at'), 'passkey_challenges',
                    ['expires_at'])
    with op.batch_alter_table('tenants') as batch:
        batch.add_column(sa.Column('second_factor_roles', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('second_factor_permissions', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tenants') as batch:
        batch.drop_column('second_factor_permissions')
        batch.drop_column('second_factor_roles')
    for table in ('passkey_challenges', 'second_factor_tickets', 'recovery_codes',
                  'second_factors'):
        op.drop_table(table)
