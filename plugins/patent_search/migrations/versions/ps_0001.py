"""patent_search: collections and documents, procurement register, watchlists and matches,
FTO screenings.

Revision ID: ps_0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ps_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("patent_search",)
depends_on: str | Sequence[str] | None = "0002_reviews"


def upgrade() -> None:
    op.create_table('ps_collections',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('shared_with_group', sa.Boolean(), nullable=False),
    sa.Column('document_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ps_collections_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_collections')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_ps_collections_tenant_id_name'))
    )
    op.create_index(op.f('ix_ps_collections_tenant_id'), 'ps_collections', ['tenant_id'], unique=False)
    op.create_table('ps_fto_screenings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('collection_ids', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ps_fto_screenings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_fto_screenings'))
    )
    op.create_index(op.f('ix_ps_fto_screenings_tenant_id'), 'ps_fto_screenings', ['tenant_id'], unique=False)
    op.create_table('ps_procurement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('vendor', sa.String(length=200), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('coverage', sa.JSON(), nullable=False),
    sa.Column('annual_cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('contract_start', sa.Date(), nullable=True),
    sa.Column('contract_end', sa.Date(), nullable=True),
    sa.Column('shared_with_group', sa.Boolean(), nullable=False),
    sa.Column('collection_id', sa.String(length=36), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ps_procurement_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_procurement'))
    )
    op.create_index(op.f('ix_ps_procurement_tenant_id'), 'ps_procurement', ['tenant_id'], unique=False)
    op.create_table('ps_watchlists',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('direction', sa.String(length=200), nullable=False),
    sa.Column('cpc', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('assignees', sa.JSON(), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ps_watchlists_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_watchlists')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_ps_watchlists_tenant_id_name'))
    )
    op.create_index(op.f('ix_ps_watchlists_tenant_id'), 'ps_watchlists', ['tenant_id'], unique=False)
    op.create_table('ps_documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('collection_id', sa.String(length=36), nullable=False),
    sa.Column('publication_number', sa.String(length=60), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('doc_number', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('claims', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('publication_date', sa.Date(), nullable=True),
    sa.Column('filing_date', sa.Date(), nullable=True),
    sa.Column('priority_date', sa.Date(), nullable=True),
    sa.Column('application_number', sa.Text(), nullable=False),
    sa.Column('family_id', sa.Text(), nullable=False),
    sa.Column('cpc', sa.JSON(), nullable=False),
    sa.Column('ipc', sa.JSON(), nullable=False),
    sa.Column('applicants', sa.JSON(), nullable=False),
    sa.Column('assignees', sa.JSON(), nullable=False),
    sa.Column('inventors', sa.JSON(), nullable=False),
    sa.Column('citations', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('source_format', sa.String(length=60), nullable=False),
    sa.Column('source_file', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['ps_collections.id'], name=op.f('fk_ps_documents_collection_id_ps_collections')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ps_documents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_documents')),
    sa.UniqueConstraint('collection_id', 'publication_number', name=op.f('uq_ps_documents_collection_id_publication_number'))
    )
    op.create_index(op.f('ix_ps_documents_collection_id'), 'ps_documents', ['collection_id'], unique=False)
    op.create_index(op.f('ix_ps_documents_tenant_id'), 'ps_documents', ['tenant_id'], unique=False)
    op.create_index('ix_ps_documents_tenant_pubdate', 'ps_documents', ['tenant_id', 'publication_date'], unique=False)
    op.create_table('ps_watchlist_matches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('watchlist_id', sa.String(length=36), nullable=False),
    sa.Column('collection_id', sa.String(length=36), nullable=False),
    sa.Column('publication_number', sa.String(length=60), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ps_watchlist_matches_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['watchlist_id'], ['ps_watchlists.id'], name=op.f('fk_ps_watchlist_matches_watchlist_id_ps_watchlists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_watchlist_matches')),
    sa.UniqueConstraint('watchlist_id', 'collection_id', 'publication_number', name=op.f('uq_ps_watchlist_matches_watchlist_id_collection_id_publication_number'))
    )
    op.create_index(op.f('ix_ps_watchlist_matches_tenant_id'), 'ps_watchlist_matches', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_ps_watchlist_matches_watchlist_id'), 'ps_watchlist_matches', ['watchlist_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ps_watchlist_matches_watchlist_id'), table_name='ps_watchlist_matches')
    op.drop_index(op.f('ix_ps_watchlist_matches_tenant_id'), table_name='ps_watchlist_matches')
    op.drop_table('ps_watchlist_matches')
    op.drop_index('ix_ps_documents_tenant_pubdate', table_name='ps_documents')
    op.drop_index(op.f('ix_ps_documents_tenant_id'), table_name='ps_documents')
    op.drop_index(op.f('ix_ps_documents_collection_id'), table_name='ps_documents')
    op.drop_table('ps_documents')
    op.drop_index(op.f('ix_ps_watchlists_tenant_id'), table_name='ps_watchlists')
    op.drop_table('ps_watchlists')
    op.drop_index(op.f('ix_ps_procurement_tenant_id'), table_name='ps_procurement')
    op.drop_table('ps_procurement')
    op.drop_index(op.f('ix_ps_fto_screenings_tenant_id'), table_name='ps_fto_screenings')
    op.drop_table('ps_fto_screenings')
    op.drop_index(op.f('ix_ps_collections_tenant_id'), table_name='ps_collections')
    op.drop_table('ps_collections')
