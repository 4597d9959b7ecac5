"""ip_governance certification area: management-review records (GB/T 29490-2023 9.3).

Revision ID: ipg_certification_0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ipg_certification_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("ip_governance_certification",)
depends_on: str | Sequence[str] | None = "0002_reviews"


def upgrade() -> None:
    op.create_table('ipg_management_reviews',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chair', sa.String(length=200), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('inputs', sa.Text(), nullable=False),
    sa.Column('conclusions', sa.Text(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('next_review_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_management_reviews_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_management_reviews'))
    )
    op.create_index(op.f('ix_ipg_management_reviews_tenant_id'), 'ipg_management_reviews', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ipg_management_reviews_tenant_id'), table_name='ipg_management_reviews')
    op.drop_table('ipg_management_reviews')
