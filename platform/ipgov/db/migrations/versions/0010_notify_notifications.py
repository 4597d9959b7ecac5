"""notifications: destinations, rules, user preferences, deliveries, calendar feeds

Revision ID: 0010_notify
Revises: 0009_events
Create Date: 2026-12-02 14:30:00

Destinations, rules and deliveries are tenant-owned: ``ipgov migrate`` puts them under
row-level security on PostgreSQL like every ``TenantScoped`` table (``ipgov.db.rls``).
Preferences and calendar feeds belong to a user, like sign-in sessions.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0010_notify'
down_revision: str | Sequence[str] | None = '0009_events'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _tenant(table: str) -> list[Any]:
    return [sa.Column('tenant_id', sa.String(length=36), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                    name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='RESTRICT'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def _leased() -> list[Any]:
    return [sa.Column('status', sa.String(length=12), nullable=False),
            sa.Column('requested_by', sa.String(length=200), nullable=False),
            sa.Column('idempotency_key', sa.String(length=200), nullable=False),
            sa.Column('requested_at', TS, nullable=False),
            sa.Column('enqueued_at', TS, nullable=True),
            sa.Column('started_at', TS, nullable=True),
            sa.Column('finished_at', TS, nullable=True),
            sa.Column('lease_until', TS, nullable=True),
            sa.Column('claim_token', sa.String(length=36), nullable=True),
            sa.Column('attempts', sa.Integer(), nullable=False),
            sa.Column('traceparent', sa.String(length=60), nullable=True)]


def upgrade() -> None:
    op.create_table(
        'notification_destinations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('target', sa.String(length=2000), nullable=False),
        sa.Column('secrets', sa.JSON(), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('rate_per_minute', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        *_tenant('notification_destinations'),
        sa.UniqueConstraint('tenant_id', 'name',
                            name=op.f('uq_notification_destinations_tenant_id_name')),
    )
    op.create_table(
        'notification_rules',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('event_types', sa.JSON(), nullable=False),
        sa.Column('min_severity', sa.String(length=10), nullable=True),
        sa.Column('include_subsidiaries', sa.Boolean(), nullable=False),
        sa.Column('roles', sa.JSON(), nullable=False),
        sa.Column('raci_roles', sa.JSON(), nullable=False),
        sa.Column('user_ids', sa.JSON(), nullable=False),
        sa.Column('destination_ids', sa.JSON(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        *_tenant('notification_rules'),
        sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_notification_rules_tenant_id_name')),
    )
    op.create_table(
        'notification_preferences',
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('cadence', sa.String(length=10), nullable=False),
        sa.Column('timezone', sa.String(length=60), nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_notification_preferences_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'channel', name=op.f('pk_notification_preferences')),
    )
    op.create_table(
        'notification_deliveries',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('event_type', sa.String(length=120), nullable=False),
        sa.Column('event_tenant_id', sa.String(length=36), nullable=False),
        sa.Column('severity', sa.String(length=10), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('occurred_at', TS, nullable=False),
        sa.Column('rule_id', sa.String(length=36), nullable=True),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=True),
        sa.Column('destination_id', sa.String(length=36), nullable=True),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('digest_id', sa.String(length=36), nullable=True),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('not_before', TS, nullable=True),
        sa.Column('last_status', sa.String(length=60), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('delivered_at', TS, nullable=True),
        sa.Column('read_at', TS, nullable=True),
        *_leased(),
        *_tenant('notification_deliveries'),
        sa.UniqueConstraint('tenant_id', 'idempotency_key',
                            name=op.f('uq_notification_deliveries_tenant_id_idempotency_key')),
    )
    op.create_index('ix_notification_deliveries_status_due', 'notification_deliveries',
                    ['status', 'not_before'])
    op.create_index('ix_notification_deliveries_tenant_requested', 'notification_deliveries',
                    ['tenant_id', 'requested_at'])
    op.create_index('ix_notification_deliveries_user_channel', 'notification_deliveries',
                    ['user_id', 'channel', 'status'])
    op.create_index(op.f('ix_notification_deliveries_event_id'), 'notification_deliveries',
                    ['event_id'])
    for table in ('notification_destinations', 'notification_rules', 'notification_deliveries'):
        op.create_index(op.f(f'ix_{table}_tenant_id'), table, ['tenant_id'])
    op.create_table(
        'calendar_feeds',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('revoked_at', TS, nullable=True),
        sa.Column('last_used_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    )
    op.create_index(op.f('ix_calendar_feeds_user_id'), 'calendar_feeds', ['user_id'])


def downgrade() -> None:
    op.drop_table('calendar_feeds')
    op.drop_table('notification_deliveries')
    op.drop_table('notification_preferences')
    op.drop_table('notification_rules')
    op.drop_table('notification_destinations')
