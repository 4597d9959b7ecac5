"""plugins: per-tenant plugin choices, the group's plugin baseline, provisioned plugins

Revision ID: 0008_plugins
Revises: 0007_scores
Create Date: 2026-11-27 10:00:00

Existing tenants keep exactly the plugins they have: their list becomes their own choice
(``local_plugins``) and counts as provisioned (their ``on_tenant_created`` ran at onboarding).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_plugins'
down_revision: str | Sequence[str] | None = '0007_scores'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('local_plugins', 'plugin_baseline', 'provisioned_plugins')


def upgrade() -> None:
    with op.batch_alter_table('tenants') as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))
    op.execute("UPDATE tenants SET local_plugins = enabled_plugins, "
               "provisioned_plugins = enabled_plugins, plugin_baseline = '[]'")
    with op.batch_alter_table('tenants') as batch:
        for name in COLUMNS:
            # a server default: rows written by other tools (or raw SQL) start with no plugins
            batch.alter_column(name, existing_type=sa.JSON(), nullable=False,
                               server_default=sa.text("'[]'"))


def downgrade() -> None:
    with op.batch_alter_table('tenants') as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
