"""ip_governance docketing: computed deadlines (rule, grace, fee, explanation), asset fee
reductions, tenant rule overrides and exchange rates (issue 18).

Revision ID: ipg_risk_assets_0003
Revises: ipg_risk_assets_0002
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "ipg_risk_assets_0003"
down_revision: str | Sequence[str] | None = "ipg_risk_assets_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEADLINE_COLUMNS = ("origin", "rule_id", "docket_key", "grace_until", "fee_amount",
                    "fee_currency", "explanation")


def _tenant(table: str) -> list[Any]:
    return [sa.Column('tenant_id', sa.String(length=36), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                    name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='RESTRICT'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def upgrade() -> None:
    with op.batch_alter_table('ipg_assets') as batch:
        batch.add_column(sa.Column('fee_reduction', sa.String(length=30), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('open_licence', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('ipg_asset_deadlines') as batch:
        batch.add_column(sa.Column('origin', sa.String(length=10), nullable=False,
                                   server_default='manual'))
        batch.add_column(sa.Column('rule_id', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('docket_key', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('grace_until', sa.Date(), nullable=True))
        batch.add_column(sa.Column('fee_amount', sa.Numeric(precision=18, scale=2),
                                   nullable=True))
        batch.add_column(sa.Column('fee_currency', sa.String(length=3), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('explanation', sa.JSON(), nullable=False,
                                   server_default='{}'))
    op.create_table(
        'ipg_docket_rule_overrides',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('rule_id', sa.String(length=80), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('yaml', sa.Text(), nullable=False),
        sa.Column('source_tenant_id', sa.String(length=36), nullable=False),
        sa.Column('declared', sa.Boolean(), nullable=False),
        sa.Column('effective', sa.Boolean(), nullable=False),
        sa.Column('updated_by', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('ipg_docket_rule_overrides'),
        sa.UniqueConstraint('tenant_id', 'rule_id', 'source_tenant_id',
                            name=op.f('uq_ipg_docket_rule_overrides_tenant_id')),
    )
    op.create_table(
        'ipg_exchange_rates',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('reporting_currency', sa.String(length=3), nullable=False),
        sa.Column('rate', sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('ipg_exchange_rates'),
        sa.UniqueConstraint('tenant_id', 'currency', 'reporting_currency',
                            name=op.f('uq_ipg_exchange_rates_tenant_id')),
    )
    for table in ('ipg_docket_rule_overrides', 'ipg_exchange_rates'):
        op.create_index(op.f(f'ix_{table}_tenant_id'), table, ['tenant_id'], unique=False)
    op.create_index('ix_ipg_asset_deadlines_docket', 'ipg_asset_deadlines',
                    ['tenant_id', 'asset_id', 'origin'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ipg_asset_deadlines_docket', table_name='ipg_asset_deadlines')
    for table in ('ipg_exchange_rates', 'ipg_docket_rule_overrides'):
        op.drop_index(op.f(f'ix_{table}_tenant_id'), table_name=table)
        op.drop_table(table)
    with op.batch_alter_table('ipg_asset_deadlines') as batch:
        for column in DEADLINE_COLUMNS:
            batch.drop_column(column)
    with op.batch_alter_table('ipg_assets') as batch:
        batch.drop_column('open_licence')
        batch.drop_column('fee_reduction')
