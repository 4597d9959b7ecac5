"""data_governance: the IP data catalog, metadata specifications, quality rules and
evaluations, trade-secret evidence and access log, lifecycle and destruction requests, the
technical solution <-> IP mapping and inventory, publication checks, governance roles.

Revision ID: dg_0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "dg_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("data_governance",)
depends_on: str | Sequence[str] | None = "0002_reviews"


def upgrade() -> None:
    op.create_table('dg_access_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_access_log_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_access_log'))
    )
    with op.batch_alter_table('dg_access_log', schema=None) as batch_op:
        batch_op.create_index('ix_dg_access_log_asset_at', ['asset_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_access_log_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_asset_kinds',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_asset_kinds_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_asset_kinds')),
    sa.UniqueConstraint('tenant_id', 'key', name=op.f('uq_dg_asset_kinds_tenant_id_key'))
    )
    with op.batch_alter_table('dg_asset_kinds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_asset_kinds_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_assets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('kind_key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('steward', sa.String(length=200), nullable=False),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('system_of_record', sa.String(length=200), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('lifecycle_stage', sa.String(length=20), nullable=False),
    sa.Column('retention_months', sa.Integer(), nullable=True),
    sa.Column('retention_starts_on', sa.Date(), nullable=True),
    sa.Column('legal_basis', sa.String(length=300), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('spec_version', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('destroyed_by', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_assets_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_assets')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_dg_assets_tenant_id_code'))
    )
    with op.batch_alter_table('dg_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_assets_kind_key'), ['kind_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_assets_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_ip_inventory',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plugin', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_ip_inventory_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_ip_inventory')),
    sa.UniqueConstraint('tenant_id', 'plugin', 'object_id', name=op.f('uq_dg_ip_inventory_tenant_id_plugin_object_id'))
    )
    with op.batch_alter_table('dg_ip_inventory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_ip_inventory_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_metadata_specs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind_key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('json_schema', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_metadata_specs_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_metadata_specs')),
    sa.UniqueConstraint('tenant_id', 'kind_key', 'version', name=op.f('uq_dg_metadata_specs_tenant_id_kind_key_version'))
    )
    with op.batch_alter_table('dg_metadata_specs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_metadata_specs_kind_key'), ['kind_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_metadata_specs_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_publication_checks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('leak_score', sa.Float(), nullable=False),
    sa.Column('infringement_score', sa.Float(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('matches', sa.JSON(), nullable=False),
    sa.Column('screened_plugins', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_publication_checks_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_publication_checks'))
    )
    with op.batch_alter_table('dg_publication_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_publication_checks_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_quality_rules',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind_key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_quality_rules_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_quality_rules'))
    )
    with op.batch_alter_table('dg_quality_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_quality_rules_kind_key'), ['kind_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_quality_rules_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_solutions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_ref', sa.String(length=200), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_solutions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_solutions')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_dg_solutions_tenant_id_code'))
    )
    with op.batch_alter_table('dg_solutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_solutions_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_asset_contents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['dg_assets.id'], name=op.f('fk_dg_asset_contents_asset_id_dg_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_asset_contents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_asset_contents')),
    sa.UniqueConstraint('asset_id', name=op.f('uq_dg_asset_contents_asset_id'))
    )
    with op.batch_alter_table('dg_asset_contents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_asset_contents_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_destruction_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('required_approvals', sa.Integer(), nullable=False),
    sa.Column('approvals', sa.JSON(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['dg_assets.id'], name=op.f('fk_dg_destruction_requests_asset_id_dg_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_destruction_requests_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_destruction_requests'))
    )
    with op.batch_alter_table('dg_destruction_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_destruction_requests_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_destruction_requests_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_lifecycle_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=False),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['dg_assets.id'], name=op.f('fk_dg_lifecycle_events_asset_id_dg_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_lifecycle_events_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_lifecycle_events'))
    )
    with op.batch_alter_table('dg_lifecycle_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_lifecycle_events_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_lifecycle_events_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_quality_evaluations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=36), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('failing', sa.Integer(), nullable=False),
    sa.Column('failing_asset_ids', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['dg_quality_rules.id'], name=op.f('fk_dg_quality_evaluations_rule_id_dg_quality_rules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_quality_evaluations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_quality_evaluations'))
    )
    with op.batch_alter_table('dg_quality_evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_dg_quality_evaluations_rule_at', ['rule_id', 'evaluated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_quality_evaluations_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_reasonable_steps',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('evidence_ref', sa.String(length=300), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['dg_assets.id'], name=op.f('fk_dg_reasonable_steps_asset_id_dg_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_reasonable_steps_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_reasonable_steps'))
    )
    with op.batch_alter_table('dg_reasonable_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_reasonable_steps_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_reasonable_steps_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_role_assignments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=True),
    sa.Column('domain', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('person', sa.String(length=200), nullable=False),
    sa.Column('decision_rights', sa.JSON(), nullable=False),
    sa.Column('assigned_by', sa.String(length=200), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['dg_assets.id'], name=op.f('fk_dg_role_assignments_asset_id_dg_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_role_assignments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_role_assignments'))
    )
    with op.batch_alter_table('dg_role_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_role_assignments_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_role_assignments_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('dg_solution_links',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('solution_id', sa.String(length=36), nullable=False),
    sa.Column('plugin', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.String(length=100), nullable=False),
    sa.Column('object_kind', sa.String(length=30), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('linked_by', sa.String(length=200), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['solution_id'], ['dg_solutions.id'], name=op.f('fk_dg_solution_links_solution_id_dg_solutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dg_solution_links_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dg_solution_links')),
    sa.UniqueConstraint('solution_id', 'plugin', 'object_id', name=op.f('uq_dg_solution_links_solution_id_plugin_object_id'))
    )
    with op.batch_alter_table('dg_solution_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dg_solution_links_solution_id'), ['solution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dg_solution_links_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dg_solution_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_solution_links_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_solution_links_solution_id'))
    op.drop_table('dg_solution_links')
    with op.batch_alter_table('dg_role_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_role_assignments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_role_assignments_asset_id'))
    op.drop_table('dg_role_assignments')
    with op.batch_alter_table('dg_reasonable_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_reasonable_steps_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_reasonable_steps_asset_id'))
    op.drop_table('dg_reasonable_steps')
    with op.batch_alter_table('dg_quality_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_quality_evaluations_tenant_id'))
        batch_op.drop_index('ix_dg_quality_evaluations_rule_at')
    op.drop_table('dg_quality_evaluations')
    with op.batch_alter_table('dg_lifecycle_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_lifecycle_events_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_lifecycle_events_asset_id'))
    op.drop_table('dg_lifecycle_events')
    with op.batch_alter_table('dg_destruction_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_destruction_requests_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_destruction_requests_asset_id'))
    op.drop_table('dg_destruction_requests')
    with op.batch_alter_table('dg_asset_contents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_asset_contents_tenant_id'))
    op.drop_table('dg_asset_contents')
    with op.batch_alter_table('dg_solutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_solutions_tenant_id'))
    op.drop_table('dg_solutions')
    with op.batch_alter_table('dg_quality_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_quality_rules_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_quality_rules_kind_key'))
    op.drop_table('dg_quality_rules')
    with op.batch_alter_table('dg_publication_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_publication_checks_tenant_id'))
    op.drop_table('dg_publication_checks')
    with op.batch_alter_table('dg_metadata_specs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_metadata_specs_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_metadata_specs_kind_key'))
    op.drop_table('dg_metadata_specs')
    with op.batch_alter_table('dg_ip_inventory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_ip_inventory_tenant_id'))
    op.drop_table('dg_ip_inventory')
    with op.batch_alter_table('dg_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_assets_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_dg_assets_kind_key'))
    op.drop_table('dg_assets')
    with op.batch_alter_table('dg_asset_kinds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_asset_kinds_tenant_id'))
    op.drop_table('dg_asset_kinds')
    with op.batch_alter_table('dg_access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dg_access_log_tenant_id'))
        batch_op.drop_index('ix_dg_access_log_asset_at')
    op.drop_table('dg_access_log')
