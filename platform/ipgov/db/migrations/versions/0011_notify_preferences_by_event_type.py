"""notifications: a user's cadence per event type, beside the channel's

Revision ID: 0011_notify_by_type
Revises: 0010_notify
Create Date: 2026-12-03 09:00:00

``notification_preferences.by_event_type`` maps an event type to the cadence chosen for it on
that channel; the row's ``cadence`` stays the channel's for every other type. Existing rows
get ``{}``: nothing changes for anyone until they choose.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_notify_by_type'
down_revision: str | Sequence[str] | None = '0010_notify'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification_preferences') as batch:
        batch.add_column(sa.Column('by_event_type', sa.JSON(), nullable=False,
                                   server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('notification_preferences') as batch:
        batch.drop_column('by_event_type')
