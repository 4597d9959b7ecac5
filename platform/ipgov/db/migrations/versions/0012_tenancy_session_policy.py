"""a group's sign-in session policy: idle and absolute timeouts (issue 19 item 4)

Revision ID: 0012_session_policy
Revises: 0011_notify_by_type
Create Date: 2026-12-02 20:00:00

Two nullable columns of ``tenants`` (a platform table): null keeps the platform's bounds
(``IPGOV_REFRESH_TTL_SECONDS``, ``IPGOV_SESSION_MAX_SECONDS``).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012_session_policy'
down_revision: str | Sequence[str] | None = '0011_notify_by_type'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tenants') as batch:
        batch.add_column(sa.Column('session_idle_seconds', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('session_max_seconds', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tenants') as batch:
        batch.drop_column('session_max_seconds')
        batch.drop_column('session_idle_seconds')
