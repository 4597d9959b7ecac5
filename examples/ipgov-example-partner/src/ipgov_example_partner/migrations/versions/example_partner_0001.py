"""example_partner: notes and per-tenant settings

Revision ID: example_partner_0001
Revises:
Create Date: 2026-11-27 12:00:00

The plugin's first revision: no down revision, a branch label equal to the plugin name, and a
dependency on the core's first revision (``tenants`` must exist for the foreign keys). Written
by ``ipgov plugin revision example_partner -m "notes and per-tenant settings"`` and reviewed.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "example_partner_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("example_partner",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "example_partner_notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        # TenantScoped: tenant_id, its foreign key to tenants and its index
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_example_partner_notes_tenant_id_tenants"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_partner_notes")),
        sa.UniqueConstraint("tenant_id", "title",
                            name=op.f("uq_example_partner_notes_tenant_id_title")),
    )
    op.create_index(op.f("ix_example_partner_notes_tenant_id"), "example_partner_notes",
                    ["tenant_id"], unique=False)
    op.create_table(
        "example_partner_settings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_example_partner_settings_tenant_id_tenants"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_partner_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_example_partner_settings_tenant_id")),
    )
    op.create_index(op.f("ix_example_partner_settings_tenant_id"), "example_partner_settings",
                    ["tenant_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_example_partner_settings_tenant_id"),
                  table_name="example_partner_settings")
    op.drop_table("example_partner_settings")
    op.drop_index(op.f("ix_example_partner_notes_tenant_id"), table_name="example_partner_notes")
    op.drop_table("example_partner_notes")
