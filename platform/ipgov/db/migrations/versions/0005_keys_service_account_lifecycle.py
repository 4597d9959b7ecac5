"""keys: service-account owner, scopes and end; API-key expiry, rotation and revocation

Keys made before this revision had no end: each active one now expires 90 days after the
upgrade, so its owner has time to rotate it (``rotateApiKey`` / ``ipgov service-account
rotate``). Accounts made before keep ``scopes`` empty (their role alone limits them).

Revision ID: 0005_keys
Revises: 0004_identity
Create Date: 2026-11-27 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = '0005_keys'
down_revision: str | Sequence[str] | None = '0004_identity'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_KEY_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table('service_accounts') as batch:
        batch.add_column(sa.Column('scopes', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('owner_user_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('created_by', sa.String(length=200), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('api_keys') as batch:
        batch.add_column(sa.Column('created_by', sa.String(length=200), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('revoked_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('replaced_by', sa.String(length=12), nullable=True))
    keys = sa.table('api_keys', sa.column('expires_at', sa.DateTime(timezone=True)),
                    sa.column('revoked_at', sa.DateTime(timezone=True)))
    end = datetime.now(UTC) + timedelta(days=LEGACY_KEY_DAYS)
    op.execute(keys.update().where(keys.c.revoked_at.is_(None)).values(expires_at=end))
    with op.batch_alter_table('service_accounts') as batch:
        batch.alter_column('created_by', server_default=None)
    with op.batch_alter_table('api_keys') as batch:
        batch.alter_column('created_by', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('api_keys') as batch:
        batch.drop_column('replaced_by')
        batch.drop_column('revoked_by')
        batch.drop_column('expires_at')
        batch.drop_column('created_by')
    with op.batch_alter_table('service_accounts') as batch:
        batch.drop_column('disabled_at')
        batch.drop_column('created_by')
        batch.drop_column('owner_user_id')
        batch.drop_column('scopes')
