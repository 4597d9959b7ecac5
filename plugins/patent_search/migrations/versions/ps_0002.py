"""patent_search: FTO screenings kept before the compared part was recorded say what they
compared. Screenings of documents without claims showed the abstract as "claim 1"; each stored
hit now records ``compared_with`` (claims, abstract, or unknown when the document is gone) and
each match its ``part``, read from the document as it is stored. No schema change.

Revision ID: ps_0002
Revises: ps_0001
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "ps_0002"
down_revision: str | Sequence[str] | None = "ps_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCREENINGS = sa.table("ps_fto_screenings", sa.column("id", sa.String),
                       sa.column("results", sa.JSON))
_DOCUMENTS = sa.table("ps_documents", sa.column("collection_id", sa.String),
                      sa.column("publication_number", sa.String),
                      sa.column("claims", sa.JSON), sa.column("abstract", sa.Text))


def _compared(bind: Any, hit: dict[str, Any]) -> str:
    row = bind.execute(sa.select(_DOCUMENTS.c.claims, _DOCUMENTS.c.abstract).where(
        _DOCUMENTS.c.collection_id == hit.get("collection_id"),
        _DOCUMENTS.c.publication_number == hit.get("publication_number"))).first()
    if row is None:
        return "unknown"
    return "claims" if row.claims else "abstract"


def _labelled(bind: Any, hit: dict[str, Any]) -> dict[str, Any]:
    if "compared_with" in hit:
        return hit
    compared = _compared(bind, hit)
    part = {"claims": "claim", "abstract": "abstract"}.get(compared, "unknown")
    claims = [{**c, "part": part, "number": c.get("number") if part == "claim" else None}
              for c in hit.get("claims") or []]
    return {**hit, "compared_with": compared, "claims": claims}


def _unlabelled(hit: dict[str, Any]) -> dict[str, Any]:
    """A hit as ps_0001's code reads it (every match numbered, no part)."""
    claims = [{k: v for k, v in {**c, "number": c.get("number") or 1}.items() if k != "part"}
              for c in hit.get("claims") or []]
    return {**{k: v for k, v in hit.items() if k != "compared_with"}, "claims": claims}


def _rewrite(change: Any) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # row-level security: this pass reads every tenant
        bind.execute(sa.text("SELECT set_config('app.tenant_ids', '*', true)"))
    for row in bind.execute(sa.select(_SCREENINGS.c.id, _SCREENINGS.c.results)).all():
        results = [change(bind, hit) for hit in row.results or []]
        if results != (row.results or []):
            bind.execute(_SCREENINGS.update().where(_SCREENINGS.c.id == row.id)
                         .values(results=results))


def upgrade() -> None:
    _rewrite(_labelled)


def downgrade() -> None:
    _rewrite(lambda _bind, hit: _unlabelled(hit))
