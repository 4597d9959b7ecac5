"""whether AI assistants may change a tenant's records (issue 25 item 3)

Revision ID: 0017_assistant
Revises: 0016_mfa
Create Date: 2026-12-03 07:00:00

A nullable column of ``tenants`` (a platform table): null says nothing (the parent decides;
allowed at the top), false refuses the assistant's write tools in the tenant and below it.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017_assistant'
down_revision: str | Sequence[str] | None = '0016_mfa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tenants') as batch:
        batch.add_column(sa.Column('assistant_writes', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tenants') as batch:
        batch.drop_column('assistant_writes')
