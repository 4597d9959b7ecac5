"""ip_governance risk_assets: risk appetite and tolerances, risk register, asset register,
deadlines, licences and royalties, incidents, responses and recovery plans.

Revision ID: ipg_risk_assets_0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ipg_risk_assets_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("ip_governance_risk_assets",)
depends_on: str | Sequence[str] | None = "0002_reviews"


def upgrade() -> None:
    op.create_table('ipg_assets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('jurisdiction', sa.String(length=8), nullable=False),
    sa.Column('family_id', sa.String(length=100), nullable=False),
    sa.Column('application_number', sa.String(length=60), nullable=False),
    sa.Column('publication_number', sa.String(length=60), nullable=False),
    sa.Column('registration_number', sa.String(length=60), nullable=False),
    sa.Column('kind_code', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assignee', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('inventors', sa.JSON(), nullable=False),
    sa.Column('cpc_codes', sa.JSON(), nullable=False),
    sa.Column('value_tier', sa.String(length=1), nullable=True),
    sa.Column('priority_date', sa.Date(), nullable=True),
    sa.Column('filing_date', sa.Date(), nullable=True),
    sa.Column('publication_date', sa.Date(), nullable=True),
    sa.Column('grant_date', sa.Date(), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_assets_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_assets'))
    )
    with op.batch_alter_table('ipg_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_assets_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_assets_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_incidents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('detected_on', sa.Date(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('asset_ids', sa.JSON(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_incidents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_incidents'))
    )
    with op.batch_alter_table('ipg_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_incidents_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_licences',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('counterparty', sa.String(length=300), nullable=False),
    sa.Column('asset_ids', sa.JSON(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('territory', sa.String(length=200), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('royalty_bearing', sa.Boolean(), nullable=False),
    sa.Column('royalty_terms', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_licences_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_licences'))
    )
    with op.batch_alter_table('ipg_licences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_licences_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_risk_appetites',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_risk_appetites_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_risk_appetites')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_ipg_risk_appetites_tenant_id'))
    )
    with op.batch_alter_table('ipg_risk_appetites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_risk_appetites_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_risk_tolerances',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_risk_tolerances_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_risk_tolerances')),
    sa.UniqueConstraint('tenant_id', 'category', name=op.f('uq_ipg_risk_tolerances_tenant_id_category'))
    )
    with op.batch_alter_table('ipg_risk_tolerances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_risk_tolerances_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_asset_deadlines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['ipg_assets.id'], name=op.f('fk_ipg_asset_deadlines_asset_id_ipg_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_asset_deadlines_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_asset_deadlines'))
    )
    with op.batch_alter_table('ipg_asset_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_asset_deadlines_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_asset_deadlines_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_incident_responses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responder', sa.String(length=200), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['ipg_incidents.id'], name=op.f('fk_ipg_incident_responses_incident_id_ipg_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_incident_responses_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_incident_responses'))
    )
    with op.batch_alter_table('ipg_incident_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_incident_responses_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_incident_responses_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_recovery_plans',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['ipg_incidents.id'], name=op.f('fk_ipg_recovery_plans_incident_id_ipg_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_recovery_plans_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_recovery_plans')),
    sa.UniqueConstraint('tenant_id', 'incident_id', name=op.f('uq_ipg_recovery_plans_tenant_id_incident_id'))
    )
    with op.batch_alter_table('ipg_recovery_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_recovery_plans_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_recovery_plans_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_risks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('treatment', sa.String(length=20), nullable=True),
    sa.Column('treatment_plan', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('accepted_by', sa.String(length=200), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acceptance_expires_on', sa.Date(), nullable=True),
    sa.Column('asset_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['ipg_assets.id'], name=op.f('fk_ipg_risks_asset_id_ipg_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_risks_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_risks'))
    )
    with op.batch_alter_table('ipg_risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_risks_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_risks_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_royalty_payments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('licence_id', sa.String(length=36), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['licence_id'], ['ipg_licences.id'], name=op.f('fk_ipg_royalty_payments_licence_id_ipg_licences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_royalty_payments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_royalty_payments'))
    )
    with op.batch_alter_table('ipg_royalty_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_royalty_payments_licence_id'), ['licence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_royalty_payments_tenant_id'), ['tenant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ipg_royalty_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_royalty_payments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_royalty_payments_licence_id'))

    op.drop_table('ipg_royalty_payments')
    with op.batch_alter_table('ipg_risks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_risks_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_risks_asset_id'))

    op.drop_table('ipg_risks')
    with op.batch_alter_table('ipg_recovery_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_recovery_plans_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_recovery_plans_incident_id'))

    op.drop_table('ipg_recovery_plans')
    with op.batch_alter_table('ipg_incident_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_incident_responses_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_incident_responses_incident_id'))

    op.drop_table('ipg_incident_responses')
    with op.batch_alter_table('ipg_asset_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_asset_deadlines_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_asset_deadlines_asset_id'))

    op.drop_table('ipg_asset_deadlines')
    with op.batch_alter_table('ipg_risk_tolerances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_risk_tolerances_tenant_id'))

    op.drop_table('ipg_risk_tolerances')
    with op.batch_alter_table('ipg_risk_appetites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_risk_appetites_tenant_id'))

    op.drop_table('ipg_risk_appetites')
    with op.batch_alter_table('ipg_licences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_licences_tenant_id'))

    op.drop_table('ipg_licences')
    with op.batch_alter_table('ipg_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_incidents_tenant_id'))

    op.drop_table('ipg_incidents')
    with op.batch_alter_table('ipg_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_assets_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_assets_family_id'))

    op.drop_table('ipg_assets')
