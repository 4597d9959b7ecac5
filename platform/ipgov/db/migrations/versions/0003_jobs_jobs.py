"""jobs: background jobs of plugins (ingestion, sweeps) with progress and errors

Revision ID: 0003_jobs
Revises: 0002_reviews
Create Date: 2026-11-25 15:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_jobs'
down_revision: str | Sequence[str] | None = '0002_reviews'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'jobs',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=120), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('requested_by', sa.String(length=200), nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claim_token', sa.String(length=36), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.Column('error_count', sa.Integer(), nullable=False),
        sa.Column('failure', sa.Text(), nullable=True),
        sa.Column('traceparent', sa.String(length=60), nullable=True),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_jobs_tenant_id_tenants'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
        sa.UniqueConstraint('tenant_id', 'idempotency_key',
                            name=op.f('uq_jobs_tenant_id_idempotency_key')),
    )
    op.create_index('ix_jobs_status_lease', 'jobs', ['status', 'lease_until'], unique=False)
    op.create_index('ix_jobs_tenant_requested', 'jobs', ['tenant_id', 'requested_at'],
                    unique=False)
    op.create_index(op.f('ix_jobs_tenant_id'), 'jobs', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_jobs_tenant_id'), table_name='jobs')
    op.drop_index('ix_jobs_tenant_requested', table_name='jobs')
    op.drop_index('ix_jobs_status_lease', table_name='jobs')
    op.drop_table('jobs')
