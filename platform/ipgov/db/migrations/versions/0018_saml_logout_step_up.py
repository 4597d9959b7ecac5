"""SAML single logout and metadata refresh; step-up confirmations of sessions (issue 19)

Revision ID: 0018_slo_step_up
Revises: 0017_assistant
Create Date: 2026-12-03 11:30:00

``saml_sessions`` (system sessions only, ``ipgov.db.access``) links a session opened by a
SAML assertion to its subject (NameID, SessionIndex) so that single logout, started here or
by the IdP, ends it. ``sso_logins`` and ``sso_sign_in_codes`` carry that subject from the
assertion consumer to the session (a text column, empty for OpenID Connect).
``identity_providers`` keeps the URL its SAML metadata was read from and when, to read it
again. ``session_confirmations`` records when a session's person last confirmed it is them
(password or a current factor), which changing second factors requires within minutes.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018_slo_step_up'
down_revision: str | Sequence[str] | None = '0017_assistant'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                   name=op.f(f'fk_{table}_user_id_users'), ondelete='CASCADE')


def upgrade() -> None:
    with op.batch_alter_table('identity_providers') as batch:
        batch.add_column(sa.Column('saml_metadata_url', sa.String(length=500), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('saml_metadata_fetched_at', TS, nullable=True))
    for table in ('sso_logins', 'sso_sign_in_codes'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('saml_subject', sa.Text(), nullable=False,
                                       server_default=''))
    op.create_table(
        'saml_sessions',
        sa.Column('family_id', sa.String(length=36), nullable=False),
        sa.Column('provider_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('subject_hash', sa.String(length=64), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('session_index', sa.String(length=200), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        _user_fk('saml_sessions'),
        sa.PrimaryKeyConstraint('family_id', name=op.f('pk_saml_sessions')),
    )
    for column in ('provider_id', 'user_id', 'subject_hash', 'expires_at'):
        op.create_index(op.f(f'ix_saml_sessions_{column}'), 'saml_sessions', [column])
    op.create_table(
        'session_confirmations',
        sa.Column('family_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('confirmed_at', TS, nullable=False),
        _user_fk('session_confirmations'),
        sa.PrimaryKeyConstraint('family_id', name=op.f('pk_session_confirmations')),
    )
    op.create_index(op.f('ix_session_confirmations_user_id'), 'session_confirmations',
                    ['user_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_session_confirmations_user_id'), table_name='session_confirmations')
    op.drop_table('session_confirmations')
    for column in ('provider_id', 'user_id', 'subject_hash', 'expires_at'):
        op.drop_index(op.f(f'ix_saml_sessions_{column}'), table_name='saml_sessions')
    op.drop_table('saml_sessions')
    for table in ('sso_logins', 'sso_sign_in_codes'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('saml_subject')
    with op.batch_alter_table('identity_providers') as batch:
        batch.drop_column('saml_metadata_fetched_at')
        batch.drop_column('saml_metadata_url')
