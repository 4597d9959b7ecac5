"""events: the outbox of platform events (one row per event, dispatched to the consumers)

Revision ID: 0009_events
Revises: 0008_plugins
Create Date: 2026-12-01 10:00:00

A tenant-owned table: ``ipgov migrate`` puts it under row-level security on PostgreSQL like
every ``TenantScoped`` table (``ipgov.db.rls``).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_events'
down_revision: str | Sequence[str] | None = '0008_plugins'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'events',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('type', sa.String(length=120), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('severity', sa.String(length=10), nullable=True),
        sa.Column('object_id', sa.String(length=200), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=True),
        sa.Column('failure', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('requested_by', sa.String(length=200), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claim_token', sa.String(length=36), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('traceparent', sa.String(length=60), nullable=True),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_events_tenant_id_tenants'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
        sa.UniqueConstraint('tenant_id', 'idempotency_key',
                            name=op.f('uq_events_tenant_id_idempotency_key')),
    )
    op.create_index('ix_events_status_lease', 'events', ['status', 'lease_until'], unique=False)
    op.create_index('ix_events_tenant_occurred', 'events', ['tenant_id', 'occurred_at'],
                    unique=False)
    op.create_index(op.f('ix_events_tenant_id'), 'events', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_events_tenant_id'), table_name='events')
    op.drop_index('ix_events_tenant_occurred', table_name='events')
    op.drop_index('ix_events_status_lease', table_name='events')
    op.drop_table('events')
