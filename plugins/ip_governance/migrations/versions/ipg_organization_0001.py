"""ip_governance organization area: governing bodies and EDM records, strategy, organization,
management systems with PDCA cycles and judgements.

Revision ID: ipg_organization_0001
Revises:
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ipg_organization_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("ip_governance_organization",)
depends_on: str | Sequence[str] | None = "0002_reviews"


def upgrade() -> None:
    op.create_table('ipg_governance_decisions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('decision_type', sa.String(length=80), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('object_type', sa.String(length=80), nullable=False),
    sa.Column('object_id', sa.String(length=36), nullable=False),
    sa.Column('deciding_tenant_id', sa.String(length=36), nullable=False),
    sa.Column('escalation_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('body_id', sa.String(length=36), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_governance_decisions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_governance_decisions'))
    )
    op.create_index(op.f('ix_ipg_governance_decisions_deciding_tenant_id'), 'ipg_governance_decisions', ['deciding_tenant_id'], unique=False)
    op.create_index(op.f('ix_ipg_governance_decisions_tenant_id'), 'ipg_governance_decisions', ['tenant_id'], unique=False)
    op.create_table('ipg_governing_bodies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('chair', sa.String(length=200), nullable=False),
    sa.Column('mandate', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_governing_bodies_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_governing_bodies'))
    )
    op.create_index(op.f('ix_ipg_governing_bodies_tenant_id'), 'ipg_governing_bodies', ['tenant_id'], unique=False)
    op.create_table('ipg_management_systems',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('cadence_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_management_systems_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_management_systems')),
    sa.UniqueConstraint('tenant_id', 'kind', name=op.f('uq_ipg_management_systems_tenant_id_kind'))
    )
    op.create_index(op.f('ix_ipg_management_systems_tenant_id'), 'ipg_management_systems', ['tenant_id'], unique=False)
    op.create_table('ipg_org_members',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_type', sa.String(length=40), nullable=False),
    sa.Column('department_name', sa.String(length=200), nullable=False),
    sa.Column('role_title', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_org_members_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_org_members'))
    )
    op.create_index(op.f('ix_ipg_org_members_tenant_id'), 'ipg_org_members', ['tenant_id'], unique=False)
    op.create_table('ipg_strategies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reassessment_cadence_days', sa.Integer(), nullable=False),
    sa.Column('last_reassessed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_strategies_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_strategies'))
    )
    op.create_index(op.f('ix_ipg_strategies_tenant_id'), 'ipg_strategies', ['tenant_id'], unique=False)
    op.create_table('ipg_training_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attendees_count', sa.Integer(), nullable=False),
    sa.Column('attendee_member_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_training_sessions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_training_sessions'))
    )
    op.create_index(op.f('ix_ipg_training_sessions_tenant_id'), 'ipg_training_sessions', ['tenant_id'], unique=False)
    op.create_table('ipg_governance_directives',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('body_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['ipg_governing_bodies.id'], name=op.f('fk_ipg_governance_directives_body_id_ipg_governing_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_governance_directives_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_governance_directives'))
    )
    op.create_index(op.f('ix_ipg_governance_directives_body_id'), 'ipg_governance_directives', ['body_id'], unique=False)
    op.create_index(op.f('ix_ipg_governance_directives_tenant_id'), 'ipg_governance_directives', ['tenant_id'], unique=False)
    op.create_table('ipg_governance_evaluations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('body_id', sa.String(length=36), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['ipg_governing_bodies.id'], name=op.f('fk_ipg_governance_evaluations_body_id_ipg_governing_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_governance_evaluations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_governance_evaluations'))
    )
    op.create_index(op.f('ix_ipg_governance_evaluations_body_id'), 'ipg_governance_evaluations', ['body_id'], unique=False)
    op.create_index(op.f('ix_ipg_governance_evaluations_tenant_id'), 'ipg_governance_evaluations', ['tenant_id'], unique=False)
    op.create_table('ipg_monitoring_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('body_id', sa.String(length=36), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('observation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['ipg_governing_bodies.id'], name=op.f('fk_ipg_monitoring_records_body_id_ipg_governing_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_monitoring_records_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_monitoring_records'))
    )
    op.create_index(op.f('ix_ipg_monitoring_records_body_id'), 'ipg_monitoring_records', ['body_id'], unique=False)
    op.create_index(op.f('ix_ipg_monitoring_records_tenant_id'), 'ipg_monitoring_records', ['tenant_id'], unique=False)
    op.create_table('ipg_pdca_cycles',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('system_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['system_id'], ['ipg_management_systems.id'], name=op.f('fk_ipg_pdca_cycles_system_id_ipg_management_systems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_pdca_cycles_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_pdca_cycles'))
    )
    op.create_index(op.f('ix_ipg_pdca_cycles_system_id'), 'ipg_pdca_cycles', ['system_id'], unique=False)
    op.create_index(op.f('ix_ipg_pdca_cycles_tenant_id'), 'ipg_pdca_cycles', ['tenant_id'], unique=False)
    op.create_table('ipg_raci_assignments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('process', sa.String(length=120), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=1), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['ipg_org_members.id'], name=op.f('fk_ipg_raci_assignments_member_id_ipg_org_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_raci_assignments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_raci_assignments')),
    sa.UniqueConstraint('tenant_id', 'process', 'member_id', 'role', name=op.f('uq_ipg_raci_assignments_tenant_id_process_member_id_role'))
    )
    op.create_index(op.f('ix_ipg_raci_assignments_member_id'), 'ipg_raci_assignments', ['member_id'], unique=False)
    op.create_index(op.f('ix_ipg_raci_assignments_tenant_id'), 'ipg_raci_assignments', ['tenant_id'], unique=False)
    op.create_table('ipg_strategy_objectives',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('strategy_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('business_goal', sa.String(length=500), nullable=False),
    sa.Column('innovation_goal', sa.String(length=500), nullable=False),
    sa.Column('kpi', sa.String(length=200), nullable=False),
    sa.Column('kpi_unit', sa.String(length=40), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['ipg_strategies.id'], name=op.f('fk_ipg_strategy_objectives_strategy_id_ipg_strategies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_strategy_objectives_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_strategy_objectives'))
    )
    op.create_index(op.f('ix_ipg_strategy_objectives_strategy_id'), 'ipg_strategy_objectives', ['strategy_id'], unique=False)
    op.create_index(op.f('ix_ipg_strategy_objectives_tenant_id'), 'ipg_strategy_objectives', ['tenant_id'], unique=False)
    op.create_table('ipg_swot_entries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('strategy_id', sa.String(length=36), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['ipg_strategies.id'], name=op.f('fk_ipg_swot_entries_strategy_id_ipg_strategies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_swot_entries_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_swot_entries'))
    )
    op.create_index(op.f('ix_ipg_swot_entries_strategy_id'), 'ipg_swot_entries', ['strategy_id'], unique=False)
    op.create_index(op.f('ix_ipg_swot_entries_tenant_id'), 'ipg_swot_entries', ['tenant_id'], unique=False)
    op.create_table('ipg_system_judgements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('system_id', sa.String(length=36), nullable=False),
    sa.Column('judged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('judged_by', sa.String(length=200), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['system_id'], ['ipg_management_systems.id'], name=op.f('fk_ipg_system_judgements_system_id_ipg_management_systems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_system_judgements_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_system_judgements'))
    )
    op.create_index(op.f('ix_ipg_system_judgements_system_id'), 'ipg_system_judgements', ['system_id'], unique=False)
    op.create_index(op.f('ix_ipg_system_judgements_tenant_id'), 'ipg_system_judgements', ['tenant_id'], unique=False)
    op.create_table('ipg_kpi_measurements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('objective_id', sa.String(length=36), nullable=False),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['ipg_strategy_objectives.id'], name=op.f('fk_ipg_kpi_measurements_objective_id_ipg_strategy_objectives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_kpi_measurements_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_kpi_measurements'))
    )
    op.create_index(op.f('ix_ipg_kpi_measurements_objective_id'), 'ipg_kpi_measurements', ['objective_id'], unique=False)
    op.create_index(op.f('ix_ipg_kpi_measurements_tenant_id'), 'ipg_kpi_measurements', ['tenant_id'], unique=False)
    op.create_table('ipg_pdca_phases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('cycle_id', sa.String(length=36), nullable=False),
    sa.Column('phase', sa.String(length=10), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['ipg_pdca_cycles.id'], name=op.f('fk_ipg_pdca_phases_cycle_id_ipg_pdca_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_pdca_phases_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_pdca_phases')),
    sa.UniqueConstraint('cycle_id', 'phase', name=op.f('uq_ipg_pdca_phases_cycle_id_phase'))
    )
    op.create_index(op.f('ix_ipg_pdca_phases_cycle_id'), 'ipg_pdca_phases', ['cycle_id'], unique=False)
    op.create_index(op.f('ix_ipg_pdca_phases_tenant_id'), 'ipg_pdca_phases', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ipg_pdca_phases_tenant_id'), table_name='ipg_pdca_phases')
    op.drop_index(op.f('ix_ipg_pdca_phases_cycle_id'), table_name='ipg_pdca_phases')
    op.drop_table('ipg_pdca_phases')
    op.drop_index(op.f('ix_ipg_kpi_measurements_tenant_id'), table_name='ipg_kpi_measurements')
    op.drop_index(op.f('ix_ipg_kpi_measurements_objective_id'), table_name='ipg_kpi_measurements')
    op.drop_table('ipg_kpi_measurements')
    op.drop_index(op.f('ix_ipg_system_judgements_tenant_id'), table_name='ipg_system_judgements')
    op.drop_index(op.f('ix_ipg_system_judgements_system_id'), table_name='ipg_system_judgements')
    op.drop_table('ipg_system_judgements')
    op.drop_index(op.f('ix_ipg_swot_entries_tenant_id'), table_name='ipg_swot_entries')
    op.drop_index(op.f('ix_ipg_swot_entries_strategy_id'), table_name='ipg_swot_entries')
    op.drop_table('ipg_swot_entries')
    op.drop_index(op.f('ix_ipg_strategy_objectives_tenant_id'), table_name='ipg_strategy_objectives')
    op.drop_index(op.f('ix_ipg_strategy_objectives_strategy_id'), table_name='ipg_strategy_objectives')
    op.drop_table('ipg_strategy_objectives')
    op.drop_index(op.f('ix_ipg_raci_assignments_tenant_id'), table_name='ipg_raci_assignments')
    op.drop_index(op.f('ix_ipg_raci_assignments_member_id'), table_name='ipg_raci_assignments')
    op.drop_table('ipg_raci_assignments')
    op.drop_index(op.f('ix_ipg_pdca_cycles_tenant_id'), table_name='ipg_pdca_cycles')
    op.drop_index(op.f('ix_ipg_pdca_cycles_system_id'), table_name='ipg_pdca_cycles')
    op.drop_table('ipg_pdca_cycles')
    op.drop_index(op.f('ix_ipg_monitoring_records_tenant_id'), table_name='ipg_monitoring_records')
    op.drop_index(op.f('ix_ipg_monitoring_records_body_id'), table_name='ipg_monitoring_records')
    op.drop_table('ipg_monitoring_records')
    op.drop_index(op.f('ix_ipg_governance_evaluations_tenant_id'), table_name='ipg_governance_evaluations')
    op.drop_index(op.f('ix_ipg_governance_evaluations_body_id'), table_name='ipg_governance_evaluations')
    op.drop_table('ipg_governance_evaluations')
    op.drop_index(op.f('ix_ipg_governance_directives_tenant_id'), table_name='ipg_governance_directives')
    op.drop_index(op.f('ix_ipg_governance_directives_body_id'), table_name='ipg_governance_directives')
    op.drop_table('ipg_governance_directives')
    op.drop_index(op.f('ix_ipg_training_sessions_tenant_id'), table_name='ipg_training_sessions')
    op.drop_table('ipg_training_sessions')
    op.drop_index(op.f('ix_ipg_strategies_tenant_id'), table_name='ipg_strategies')
    op.drop_table('ipg_strategies')
    op.drop_index(op.f('ix_ipg_org_members_tenant_id'), table_name='ipg_org_members')
    op.drop_table('ipg_org_members')
    op.drop_index(op.f('ix_ipg_management_systems_tenant_id'), table_name='ipg_management_systems')
    op.drop_table('ipg_management_systems')
    op.drop_index(op.f('ix_ipg_governing_bodies_tenant_id'), table_name='ipg_governing_bodies')
    op.drop_table('ipg_governing_bodies')
    op.drop_index(op.f('ix_ipg_governance_decisions_tenant_id'), table_name='ipg_governance_decisions')
    op.drop_index(op.f('ix_ipg_governance_decisions_deciding_tenant_id'), table_name='ipg_governance_decisions')
    op.drop_table('ipg_governance_decisions')
