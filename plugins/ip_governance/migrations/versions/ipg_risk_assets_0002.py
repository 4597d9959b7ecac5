"""ip_governance risk_assets: the tenant's deadline reminder lead times (issue 17).

Revision ID: ipg_risk_assets_0002
Revises: ipg_risk_assets_0001
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ipg_risk_assets_0002"
down_revision: str | Sequence[str] | None = "ipg_risk_assets_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ipg_deadline_reminders',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('lead_days', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_ipg_deadline_reminders_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_deadline_reminders')),
        sa.UniqueConstraint('tenant_id', name=op.f('uq_ipg_deadline_reminders_tenant_id')),
    )
    op.create_index(op.f('ix_ipg_deadline_reminders_tenant_id'), 'ipg_deadline_reminders',
                    ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ipg_deadline_reminders_tenant_id'),
                  table_name='ipg_deadline_reminders')
    op.drop_table('ipg_deadline_reminders')
