"""Pre-publication checks (seed 7.4 a): a text is screened through the ``screen_text`` hook
of every enabled plugin (this plugin's trade-secret register: leak risk; patent collections:
infringement risk) and the result is kept as evidence."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import InvalidInput, TextMatch, screen_text

from ..catalog.models import DataAsset
from ..common import text
from .models import PublicationCheck

__all__ = ["BLOCK_AT", "REVIEW_AT", "screen", "store_check", "verdict"]

MAX_TEXT = 100_000
REVIEW_AT, BLOCK_AT = 0.35, 0.6
MATCH_LIMIT = 20


def verdict(leak: float, infringement: float) -> str:
    """``block`` when a trade secret is largely disclosed or a patent closely read on,
    ``review`` when something resembles, ``clear`` otherwise."""
    top = max(leak, infringement)
    return "block" if top >= BLOCK_AT else "review" if top >= REVIEW_AT else "clear"


def check_text(value: str) -> str:
    """The text to screen (required, bounded)."""
    value = text(value, "text", MAX_TEXT, required=True)
    if len(value.split()) < 4 and len(value) < 20:
        raise InvalidInput("the text is too short to screen", field="text")
    return value


async def screen(platform: Any, tenant_id: str, body: str) -> list[TextMatch]:
    """Every enabled plugin's matches for the text, best first."""
    return await screen_text(platform, tenant_id, body, limit=MATCH_LIMIT)


def _match_dict(m: TextMatch, classification: str | None) -> dict[str, Any]:
    return {"plugin": m.plugin, "objectKind": m.object_kind, "objectId": m.object_id,
            "ref": m.ref, "title": m.title, "score": m.score, "risk": m.risk,
            "classification": classification,
            "passages": [{"text": p.text, "matched": p.matched, "where": p.where,
                          "score": p.score, "start": p.start, "end": p.end}
                         for p in m.passages]}


async def store_check(session: AsyncSession, *, title: str, channel: str, body: str,
                      matches: list[TextMatch], actor: str,
                      tenant_id: str | None = None) -> PublicationCheck:
    """Keep the screened text and its matches (with the classification of each trade secret,
    so that readers below it see the match but not the secret's words)."""
    own = [m.object_id for m in matches if m.plugin == "data_governance"]
    levels = dict((await session.execute(select(DataAsset.id, DataAsset.classification).where(
        DataAsset.id.in_(own)))).all()) if own else {}
    leak = max((m.score for m in matches if m.risk == "leak"), default=0.0)
    infringement = max((m.score for m in matches if m.risk == "infringement"), default=0.0)
    row = PublicationCheck(
        title=text(title, "title", 300, required=True), channel=text(channel, "channel", 100),
        text=body, text_sha256=hashlib.sha256(body.encode()).hexdigest(), submitted_by=actor,
        leak_score=round(leak, 4), infringement_score=round(infringement, 4),
        verdict=verdict(leak, infringement),
        matches=[_match_dict(m, levels.get(m.object_id)) for m in matches],
        screened_plugins=sorted({m.plugin for m in matches}))
    if tenant_id:  # a system-scoped session (the demo) names the tenant
        row.tenant_id = tenant_id
    session.add(row)
    await session.flush()
    return row
