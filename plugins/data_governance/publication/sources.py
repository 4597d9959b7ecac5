"""What this plugin holds that a text to be published must not give away, as the
``screen_text`` hook reports it: live trade secrets (risk ``secret_disclosure``, visible only to
readers cleared for the secret's level) and technical solutions not yet filed (risk
``novelty_loss``: publishing them destroys the novelty a patent application needs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import TextMatch, TextPassage

from ..mapping.services import unfiled_solution_texts
from ..permissions import SOLUTION
from ..secrets.services import trade_secret_texts
from ..textmatch import screen
from ..vocabulary import content_object
from .risks import NOVELTY_LOSS, SECRET_DISCLOSURE

__all__ = ["screen_own_records"]

PLUGIN = "data_governance"


def _matches(text: str, records: dict[str, tuple[Any, str]], *, kind: str, risk: str,
             where: str, requires: Any, limit: int) -> list[TextMatch]:
    found = screen(text, {key: body for key, (_row, body) in records.items()})
    matches = []
    for result in found[:limit]:
        row = records[result.doc_id][0]
        passages = tuple(TextPassage(text=p.text, matched=p.matched, where=where,
                                     score=p.score, start=p.start, end=p.end)
                         for p in result.passages)
        matches.append(TextMatch(plugin=PLUGIN, object_kind=kind, object_id=row.id,
                                 ref=row.code, title=row.title, score=result.score,
                                 passages=passages, risk=risk, requires=requires(row)))
    return matches


async def screen_own_records(session: AsyncSession, text: str, limit: int,
                             tenant_id: str | None = None) -> list[TextMatch]:
    """The trade secrets and unfiled technical solutions ``text`` resembles, best first
    (``tenant_id`` narrows a system session, as the demo's)."""
    secrets = _matches(text, await trade_secret_texts(session, tenant_id),
                       kind="trade_secret", risk=SECRET_DISCLOSURE, where="content",
                       limit=limit,
                       requires=lambda a: (content_object(a.classification), "read"))
    solutions = _matches(text, await unfiled_solution_texts(session, tenant_id),
                         kind="technical_solution", risk=NOVELTY_LOSS, where="description",
                         limit=limit, requires=lambda _s: (SOLUTION, "read"))
    return sorted(secrets + solutions, key=lambda m: -m.score)[:limit]
