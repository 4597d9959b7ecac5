"""scores: findings and directives keep structured parameters; check results say why a check
assessed nothing (coverage beside every score)

Revision ID: 0007_scores
Revises: 0006_audit
Create Date: 2026-12-01 22:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_scores'
down_revision: str | Sequence[str] | None = '0006_audit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('check_results', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=10),
                              type_=sa.String(length=16), existing_nullable=False)
        batch_op.add_column(sa.Column('reason', sa.JSON(), nullable=True))
    for table in ('findings', 'directives'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('text_key', sa.String(length=60), nullable=True))
            batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ('directives', 'findings'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('params')
            batch_op.drop_column('text_key')
    with op.batch_alter_table('check_results', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.alter_column('status', existing_type=sa.String(length=16),
                              type_=sa.String(length=10), existing_nullable=False)
