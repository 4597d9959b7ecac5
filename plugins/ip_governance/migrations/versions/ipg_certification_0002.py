"""ip_governance certification area: evidence files (content-addressed, attached to any
record) and controlled documents with versions, approvals and acknowledgements (issue 20).

Revision ID: ipg_certification_0002
Revises: ipg_certification_0001
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'ipg_certification_0002'
down_revision: str | Sequence[str] | None = 'ipg_certification_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ipg_document_acknowledgements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_document_acknowledgements_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_document_acknowledgements')),
    sa.UniqueConstraint('tenant_id', 'version_id', 'user_id', name=op.f('uq_ipg_document_acknowledgements_tenant_id_version_id_user_id'))
    )
    with op.batch_alter_table('ipg_document_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_document_acknowledgements_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_document_acknowledgements_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_document_acknowledgements_version_id'), ['version_id'], unique=False)

    op.create_table('ipg_documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('imposed', sa.Boolean(), nullable=False),
    sa.Column('supplements_id', sa.String(length=36), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_documents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_documents')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_ipg_documents_tenant_id_code'))
    )
    with op.batch_alter_table('ipg_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_documents_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_evidence_files',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('backend', sa.String(length=10), nullable=False),
    sa.Column('scan_status', sa.String(length=20), nullable=False),
    sa.Column('scan_detail', sa.String(length=500), nullable=False),
    sa.Column('audit_event_id', sa.String(length=36), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_evidence_files_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_evidence_files')),
    sa.UniqueConstraint('tenant_id', 'sha256', name=op.f('uq_ipg_evidence_files_tenant_id_sha256'))
    )
    with op.batch_alter_table('ipg_evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_evidence_files_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_document_versions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('evidence_id', sa.String(length=36), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approval_mode', sa.String(length=10), nullable=False),
    sa.Column('approvers', sa.JSON(), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('review_due_on', sa.Date(), nullable=False),
    sa.Column('distribution', sa.JSON(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['ipg_documents.id'], name=op.f('fk_ipg_document_versions_document_id_ipg_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['ipg_evidence_files.id'], name=op.f('fk_ipg_document_versions_evidence_id_ipg_evidence_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_document_versions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_ipg_document_versions_document_id_number'))
    )
    with op.batch_alter_table('ipg_document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_document_versions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_document_versions_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_evidence_attachments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('evidence_id', sa.String(length=36), nullable=False),
    sa.Column('object_type', sa.String(length=120), nullable=False),
    sa.Column('object_id', sa.String(length=120), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('attached_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['ipg_evidence_files.id'], name=op.f('fk_ipg_evidence_attachments_evidence_id_ipg_evidence_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_evidence_attachments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_evidence_attachments')),
    sa.UniqueConstraint('evidence_id', 'object_type', 'object_id', name=op.f('uq_ipg_evidence_attachments_evidence_id_object_type_object_id'))
    )
    with op.batch_alter_table('ipg_evidence_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_evidence_attachments_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_evidence_attachments_object_type'), ['object_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_evidence_attachments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ipg_document_approvals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('approver', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ipg_document_approvals_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['ipg_document_versions.id'], name=op.f('fk_ipg_document_approvals_version_id_ipg_document_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ipg_document_approvals')),
    sa.UniqueConstraint('version_id', 'approver', name=op.f('uq_ipg_document_approvals_version_id_approver'))
    )
    with op.batch_alter_table('ipg_document_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ipg_document_approvals_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ipg_document_approvals_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('ipg_docket_rule_overrides', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ipg_docket_rule_overrides_tenant_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ipg_docket_rule_overrides_tenant_id_rule_id_source_tenant_id'), ['tenant_id', 'rule_id', 'source_tenant_id'])

    with op.batch_alter_table('ipg_exchange_rates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ipg_exchange_rates_tenant_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ipg_exchange_rates_tenant_id_currency_reporting_currency'), ['tenant_id', 'currency', 'reporting_currency'])



def downgrade() -> None:
    with op.batch_alter_table('ipg_exchange_rates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ipg_exchange_rates_tenant_id_currency_reporting_currency'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ipg_exchange_rates_tenant_id'), ['tenant_id', 'currency', 'reporting_currency'])

    with op.batch_alter_table('ipg_docket_rule_overrides', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ipg_docket_rule_overrides_tenant_id_rule_id_source_tenant_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ipg_docket_rule_overrides_tenant_id'), ['tenant_id', 'rule_id', 'source_tenant_id'])

    with op.batch_alter_table('ipg_document_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_document_approvals_version_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_document_approvals_tenant_id'))

    op.drop_table('ipg_document_approvals')
    with op.batch_alter_table('ipg_evidence_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_evidence_attachments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_evidence_attachments_object_type'))
        batch_op.drop_index(batch_op.f('ix_ipg_evidence_attachments_evidence_id'))

    op.drop_table('ipg_evidence_attachments')
    with op.batch_alter_table('ipg_document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_document_versions_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_document_versions_document_id'))

    op.drop_table('ipg_document_versions')
    with op.batch_alter_table('ipg_evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_evidence_files_tenant_id'))

    op.drop_table('ipg_evidence_files')
    with op.batch_alter_table('ipg_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_documents_tenant_id'))

    op.drop_table('ipg_documents')
    with op.batch_alter_table('ipg_document_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ipg_document_acknowledgements_version_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_document_acknowledgements_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_ipg_document_acknowledgements_document_id'))

    op.drop_table('ipg_document_acknowledgements')
