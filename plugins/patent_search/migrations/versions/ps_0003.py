"""patent_search: office connectors (a tenant's credentials per office, sealed, and its
refresh run's cursor and status) and the legal events the offices gave (issue 26 item 4).

Revision ID: ps_0003
Revises: ps_0002
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "ps_0003"
down_revision: str | Sequence[str] | None = "ps_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant(table: str) -> list[Any]:
    return [sa.Column('tenant_id', sa.String(length=36), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                    name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='RESTRICT'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def upgrade() -> None:
    op.create_table(
        'ps_office_connectors',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('office', sa.String(length=20), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('sealed_credentials', sa.Text(), nullable=False),
        sa.Column('credential_hint', sa.String(length=40), nullable=False),
        sa.Column('configured_by', sa.String(length=200), nullable=False),
        sa.Column('configured_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('collection_id', sa.String(length=36), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('run_numbers', sa.JSON(), nullable=False),
        sa.Column('cursor', sa.Integer(), nullable=False),
        sa.Column('run_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resume_after', sa.DateTime(timezone=True), nullable=True),
        sa.Column('quota', sa.JSON(), nullable=False),
        sa.Column('last_error_code', sa.String(length=60), nullable=False),
        sa.Column('last_error_message', sa.Text(), nullable=False),
        sa.Column('last_error_params', sa.JSON(), nullable=False),
        sa.Column('requests_total', sa.Integer(), nullable=False),
        sa.Column('documents_total', sa.Integer(), nullable=False),
        sa.Column('events_total', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('ps_office_connectors'),
        sa.UniqueConstraint('tenant_id', 'office',
                            name=op.f('uq_ps_office_connectors_tenant_id_office')),
    )
    op.create_index(op.f('ix_ps_office_connectors_tenant_id'), 'ps_office_connectors',
                    ['tenant_id'], unique=False)
    op.create_table(
        'ps_office_legal_events',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('office', sa.String(length=20), nullable=False),
        sa.Column('register_number', sa.String(length=60), nullable=False),
        sa.Column('publication_number', sa.String(length=60), nullable=False),
        sa.Column('application_number', sa.String(length=60), nullable=False),
        sa.Column('family_id', sa.String(length=40), nullable=False),
        sa.Column('country', sa.String(length=8), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('event_date', sa.Date(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('influence', sa.String(length=4), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('ps_office_legal_events'),
        sa.UniqueConstraint('tenant_id', 'fingerprint',
                            name=op.f('uq_ps_office_legal_events_tenant_id_fingerprint')),
    )
    op.create_index(op.f('ix_ps_office_legal_events_tenant_id'), 'ps_office_legal_events',
                    ['tenant_id'], unique=False)
    op.create_index('ix_ps_office_legal_events_member', 'ps_office_legal_events',
                    ['tenant_id', 'publication_number'], unique=False)
    op.create_index('ix_ps_office_legal_events_register', 'ps_office_legal_events',
                    ['tenant_id', 'register_number'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ps_office_legal_events_register', table_name='ps_office_legal_events')
    op.drop_index('ix_ps_office_legal_events_member', table_name='ps_office_legal_events')
    op.drop_index(op.f('ix_ps_office_legal_events_tenant_id'),
                  table_name='ps_office_legal_events')
    op.drop_table('ps_office_legal_events')
    op.drop_index(op.f('ix_ps_office_connectors_tenant_id'), table_name='ps_office_connectors')
    op.drop_table('ps_office_connectors')
