"""audit: indexes behind the trail's filters (actor, action, object, time)

Revision ID: 0006_audit
Revises: 0005_keys
Create Date: 2026-12-01 22:00:00

On PostgreSQL the indexes are built ``CONCURRENTLY`` (outside a transaction), so appending
events goes on while they are built; an invalid index left by an interrupted build is dropped
and built again.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_audit'
down_revision: str | Sequence[str] | None = '0005_keys'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    'ix_audit_events_tenant_actor': ['tenant_id', 'actor', 'seq'],
    'ix_audit_events_tenant_action': ['tenant_id', 'action', 'seq'],
    'ix_audit_events_tenant_object': ['tenant_id', 'object_type', 'object_id', 'seq'],
    'ix_audit_events_tenant_time': ['tenant_id', 'occurred_at'],
}


def _postgres_concurrently() -> None:
    bind = op.get_bind()
    with op.get_context().autocommit_block():
        for name, columns in INDEXES.items():
            invalid = bind.execute(sa.text(
                "SELECT 1 FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
                "WHERE c.relname = :n AND NOT i.indisvalid"), {"n": name}).first()
            if invalid:
                op.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            cols = ", ".join(f'"{c}"' for c in columns)
            op.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" '
                       f'ON audit_events ({cols})')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _postgres_concurrently()
        return
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
