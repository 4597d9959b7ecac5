"""data_governance: publication checks keep a verdict per risk (secret disclosure, novelty
loss, third-party text) and are counted per submitter for the rate limit.

Checks stored before have ``risks = []``; they are read with risks derived from their stored
matches, and their verdict stays the one their submitter was given.

Revision ID: dg_0002
Revises: dg_0001
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "dg_0002"
down_revision: str | Sequence[str] | None = "dg_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dg_publication_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risks", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.create_index("ix_dg_publication_checks_submitter",
                              ["tenant_id", "submitted_by", "submitted_at"], unique=False)
    with op.batch_alter_table("dg_publication_checks", schema=None) as batch_op:
        batch_op.alter_column("risks", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("dg_publication_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_dg_publication_checks_submitter")
        batch_op.drop_column("risks")
