"""rule sets: default grants stored once and referenced by tenants (issue 28 item 3)

Revision ID: 0019_rule_sets
Revises: 0018_slo_step_up
Create Date: 2026-12-03 11:00:00

Two platform tables (``authz_rule_sets``, ``authz_rule_set_rules``: content-addressed,
immutable; no privilege for the app role, ``ipgov.db.access``). Every tenant's ``default``
rows (~485 per tenant with the first-party plugins) become one reference row (``ptype`` "s")
to the set of exactly those rules: tenants holding the same defaults share one set, a tenant
that had removed a default grant references its own. Decisions are unchanged (the engine
loads a set as its rules copied into each referencing domain). Downgrade copies them back.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0019_rule_sets'
down_revision: str | Sequence[str] | None = '0018_slo_step_up'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
rules = sa.table('authz_rules', *(sa.column(c) for c in (
    'id', 'tenant_id', 'ptype', 'v0', 'v1', 'v2', 'v3', 'origin', 'template', 'active',
    'created_at')))
sets = sa.table('authz_rule_sets', sa.column('id'), sa.column('size'), sa.column('created_at'))
set_rules = sa.table('authz_rule_set_rules', *(sa.column(c) for c in (
    'set_id', 'position', 'v0', 'v1', 'v2', 'v3')))


def set_id(canonical: list[tuple[str, str, str, str]]) -> str:
    """As ``ipgov.authz.store.rule_set_id`` (frozen here: migrations do not import the app)."""
    return hashlib.sha256("\n".join("\x1f".join(r) for r in canonical).encode()).hexdigest()


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def upgrade() -> None:
    op.create_table(
        'authz_rule_sets',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authz_rule_sets')))
    op.create_table(
        'authz_rule_set_rules',
        sa.Column('set_id', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('v0', sa.String(length=200), nullable=False),
        sa.Column('v1', sa.String(length=200), nullable=False),
        sa.Column('v2', sa.String(length=80), nullable=False),
        sa.Column('v3', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['set_id'], ['authz_rule_sets.id'],
                                name=op.f('fk_authz_rule_set_rules_set_id_authz_rule_sets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('set_id', 'position', name=op.f('pk_authz_rule_set_rules')))
    _defaults_to_references()


def _defaults_to_references() -> None:
    """One reference per tenant to the set of its default rows, then the rows go."""
    conn = op.get_bind()
    where = sa.and_(rules.c.ptype == 'p', rules.c.origin == 'default', rules.c.active.is_(True))
    tenants = sorted(conn.execute(sa.select(rules.c.tenant_id).where(where).distinct())
                     .scalars())
    known: set[str] = set()
    new_sets: list[dict[str, Any]] = []
    new_rules: list[dict[str, Any]] = []
    refs: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for some in _chunks(tenants, 200):  # bounded memory: a few hundred tenants' rows at once
        rows = conn.execute(sa.select(rules.c.tenant_id, rules.c.v0, rules.c.v1, rules.c.v2,
                                      rules.c.v3).where(where, rules.c.tenant_id.in_(some))
                            .order_by(rules.c.tenant_id)).all()
        for tenant_id, group in groupby(rows, key=lambda r: r[0]):
            canonical = sorted({(r[1], r[2], r[3] or "", r[4] or "") for r in group})
            digest = set_id(canonical)
            if digest not in known:
                known.add(digest)
                new_sets.append({'id': digest, 'size': len(canonical), 'created_at': now})
                new_rules += [{'set_id': digest, 'position': n, 'v0': r[0], 'v1': r[1],
                               'v2': r[2], 'v3': r[3]} for n, r in enumerate(canonical)]
            refs.append({'id': str(uuid.uuid4()), 'tenant_id': tenant_id, 'ptype': 's',
                         'v0': digest, 'v1': '', 'v2': '', 'v3': '', 'origin': 'default',
                         'template': False, 'active': True, 'created_at': now})
    for chunk in _chunks(new_sets):
        conn.execute(sets.insert(), chunk)
    for chunk in _chunks(new_rules):
        conn.execute(set_rules.insert(), chunk)
    conn.execute(rules.delete().where(where))
    for chunk in _chunks(refs):
        conn.execute(rules.insert(), chunk)


def downgrade() -> None:
    conn = op.get_bind()
    refs = conn.execute(sa.select(
        rules.c.tenant_id, rules.c.v0, rules.c.origin, rules.c.template, rules.c.active)
        .where(rules.c.ptype == 's')).all()
    contents: dict[str, list[tuple[str, str, str, str]]] = {}
    for set_key, v0, v1, v2, v3 in conn.execute(sa.select(
            set_rules.c.set_id, set_rules.c.v0, set_rules.c.v1, set_rules.c.v2,
            set_rules.c.v3).order_by(set_rules.c.set_id, set_rules.c.position)):
        contents.setdefault(set_key, []).append((v0, v1, v2, v3))
    now = datetime.now(UTC)
    copies = [{'id': str(uuid.uuid4()), 'tenant_id': tenant_id, 'ptype': 'p', 'v0': r[0],
               'v1': r[1], 'v2': r[2], 'v3': r[3], 'origin': origin, 'template': template,
               'active': active, 'created_at': now}
              for tenant_id, digest, origin, template, active in refs
              for r in contents.get(digest, ())]
    for chunk in _chunks(copies):
        conn.execute(rules.insert(), chunk)
    conn.execute(rules.delete().where(rules.c.ptype == 's'))
    op.drop_table('authz_rule_set_rules')
    op.drop_table('authz_rule_sets')
