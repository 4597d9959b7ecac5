"""ip_governance framework: loaded frameworks, profiles and profile entries

Revision ID: ipg_framework_0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ipg_framework_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("ip_governance_framework",)
depends_on: str | Sequence[str] | None = "0002_reviews"


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                   name=op.f(f"fk_{table}_tenant_id_tenants"),
                                   ondelete="RESTRICT")


def upgrade() -> None:
    op.create_table(
        "ipg_frameworks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("framework_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("extends", sa.String(length=64), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        _tenant_fk("ipg_frameworks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ipg_frameworks")),
        sa.UniqueConstraint("tenant_id", "framework_key",
                            name=op.f("uq_ipg_frameworks_tenant_id_framework_key")),
    )
    with op.batch_alter_table("ipg_frameworks") as batch_op:
        batch_op.create_index(batch_op.f("ix_ipg_frameworks_tenant_id"), ["tenant_id"])

    op.create_table(
        "ipg_profiles",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("framework_key", sa.String(length=64), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessed_by", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        _tenant_fk("ipg_profiles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ipg_profiles")),
        sa.UniqueConstraint("tenant_id", "kind", "framework_key",
                            name=op.f("uq_ipg_profiles_tenant_id_kind_framework_key")),
    )
    with op.batch_alter_table("ipg_profiles") as batch_op:
        batch_op.create_index(batch_op.f("ix_ipg_profiles_tenant_id"), ["tenant_id"])

    op.create_table(
        "ipg_profile_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("profile_id", sa.String(length=36), nullable=False),
        sa.Column("outcome_id", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["ipg_profiles.id"],
                                name=op.f("fk_ipg_profile_entries_profile_id_ipg_profiles"),
                                ondelete="CASCADE"),
        _tenant_fk("ipg_profile_entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ipg_profile_entries")),
        sa.UniqueConstraint("profile_id", "outcome_id",
                            name=op.f("uq_ipg_profile_entries_profile_id_outcome_id")),
    )
    with op.batch_alter_table("ipg_profile_entries") as batch_op:
        batch_op.create_index(batch_op.f("ix_ipg_profile_entries_profile_id"), ["profile_id"])
        batch_op.create_index(batch_op.f("ix_ipg_profile_entries_tenant_id"), ["tenant_id"])


def downgrade() -> None:
    op.drop_table("ipg_profile_entries")
    op.drop_table("ipg_profiles")
    op.drop_table("ipg_frameworks")
