"""SAML 2.0 single sign-on: a provider's IdP metadata and SP keypair, the replay cache

Revision ID: 0015_saml
Revises: 0014_scim
Create Date: 2026-12-12 10:00:00

``identity_providers`` gains the columns of a ``saml`` provider (empty for OpenID Connect
ones), ``sso_logins`` the user a SAML response signed in until the browser collects it, and
``saml_assertions_seen`` (system sessions only, ``ipgov.db.access``) holds the hashed ids of
assertions already used until they expire. Existing rows are untouched.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015_saml'
down_revision: str | Sequence[str] | None = '0014_scim'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
TEXT_COLUMNS = ('saml_idp_metadata', 'saml_sp_cert', 'saml_sp_key_sealed')


def upgrade() -> None:
    with op.batch_alter_table('identity_providers') as batch:
        for name in TEXT_COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('saml_require_encryption', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('sso_logins') as batch:
        batch.add_column(sa.Column('user_id', sa.String(length=36), nullable=True))
    op.create_table(
        'saml_assertions_seen',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('provider_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saml_assertions_seen')),
    )
    op.create_index(op.f('ix_saml_assertions_seen_expires_at'), 'saml_assertions_seen',
                    ['expires_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_saml_assertions_seen_expires_at'),
                  table_name='saml_assertions_seen')
    op.drop_table('saml_assertions_seen')
    with op.batch_alter_table('sso_logins') as batch:
        batch.drop_column('user_id')
    with op.batch_alter_table('identity_providers') as batch:
        for name in (*TEXT_COLUMNS, 'saml_require_encryption'):
            batch.drop_column(name)
