"""Pre-publication checks (seed 7.4 a): a text is screened through the ``screen_text`` hook of
every enabled plugin (this plugin: our trade secrets and unfiled technical solutions; patent
collections: copied third-party text), each risk gets its verdict (``risks.py``), and the
result is kept as evidence. Checks are bounded in size and rate: a score, even withheld, is
something a person could probe a secret with, so nobody may probe fast."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import (
    DomainError,
    InvalidInput,
    PlatformContext,
    PluginSetting,
    PluginSettings,
    TextMatch,
    screen_text,
    tenant_info,
    utcnow,
)

from ..common import aware, text
from .models import PublicationCheck
from .risks import SECRET_DISCLOSURE, THIRD_PARTY_TEXT, assess, overall

__all__ = ["MAX_TEXT", "SETTINGS", "RateLimited", "check_rate", "check_text", "screen",
           "store_check"]

MAX_TEXT = 50_000
MATCH_LIMIT = 20
PER_MINUTE, PER_DAY = 6, 200  # defaults of IPGOV_PUBLICATION_CHECKS_PER_MINUTE / _PER_DAY


class RateLimited(DomainError):
    """Too many checks by one person; ``details`` say when the next one is allowed."""

    code = "RATE_LIMITED"


def check_text(value: str) -> str:
    """The text to screen (required, at most ``MAX_TEXT`` characters)."""
    if value and len(value) > MAX_TEXT:
        raise InvalidInput(f"the text has {len(value):,} characters; a check takes at most "
                           f"{MAX_TEXT:,} (screen a long document in parts)",
                           code="TEXT_TOO_LONG", field="text",
                           details={"length": len(value), "maximum": MAX_TEXT})
    value = text(value, "text", MAX_TEXT, required=True)
    if len(value.split()) < 4 and len(value) < 20:
        raise InvalidInput("the text is too short to screen", field="text")
    return value


SETTINGS = [
    PluginSetting("checks_per_minute", int, PER_MINUTE,
                  "Pre-publication checks one person may run per minute in a tenant.",
                  env="IPGOV_PUBLICATION_CHECKS_PER_MINUTE", minimum=1),
    PluginSetting("checks_per_day", int, PER_DAY,
                  "Pre-publication checks one person may run per day in a tenant.",
                  env="IPGOV_PUBLICATION_CHECKS_PER_DAY", minimum=1),
]
"""Declared through ``register_settings``; read with ``platform.plugin_settings``."""


async def check_rate(session: AsyncSession, actor: str, settings: PluginSettings) -> None:
    """``RATE_LIMITED`` when ``actor`` already ran the allowed number of checks in this
    tenant in the last minute or day (``settings``: the plugin's ``checks_per_minute``,
    default 6, and ``checks_per_day``, default 200). Counted from the stored checks, so every
    API process and restart agrees."""
    now = utcnow()
    windows = (
        (timedelta(minutes=1), int(settings.checks_per_minute), "minute"),
        (timedelta(days=1), int(settings.checks_per_day), "day"))
    for window, allowed, name in windows:
        since = now - window
        count, oldest = (await session.execute(select(
            func.count(PublicationCheck.id), func.min(PublicationCheck.submitted_at)).where(
            PublicationCheck.submitted_by == actor,
            PublicationCheck.submitted_at > since))).one()
        if count >= allowed:
            wait = max(1, int((aware(oldest) + window - now).total_seconds()) + 1)
            raise RateLimited(f"at most {allowed} publication checks per person per {name}; "
                              f"try again in {wait} seconds", details={
                                  "retry_after_seconds": wait, "limit": allowed,
                                  "window": name})


async def screen(platform: PlatformContext, tenant_id: str, body: str) -> list[TextMatch]:
    """Every enabled plugin's matches for the text, best first, in full: the check keeps the
    evidence and shows each reader only what their clearance allows."""
    return await screen_text(platform, tenant_id, body, limit=MATCH_LIMIT,
                             reveal_protected=True)


def _match_dict(m: TextMatch) -> dict[str, Any]:
    return {"plugin": m.plugin, "objectKind": m.object_kind, "objectId": m.object_id,
            "ref": m.ref, "title": m.title, "score": m.score, "risk": m.risk,
            "requires": list(m.requires) if m.requires else None,
            "passages": [{"text": p.text, "matched": p.matched, "where": p.where,
                          "score": p.score, "start": p.start, "end": p.end}
                         for p in m.passages]}


async def store_check(session: AsyncSession, *, title: str, channel: str, body: str,
                      matches: list[TextMatch], actor: str, platform: PlatformContext | None = None,
                      tenant_id: str | None = None) -> PublicationCheck:
    """Keep the screened text, its matches (with the permission each needs to be seen) and
    the verdict of each risk."""
    risks = assess(matches)
    score = {a.risk: a.score for a in risks}
    info = tenant_info(platform, tenant_id) if platform is not None and tenant_id else None
    row = PublicationCheck(
        title=text(title, "title", 300, required=True), channel=text(channel, "channel", 100),
        text=body, text_sha256=hashlib.sha256(body.encode()).hexdigest(), submitted_by=actor,
        leak_score=score[SECRET_DISCLOSURE], infringement_score=score[THIRD_PARTY_TEXT],
        verdict=overall(risks), matches=[_match_dict(m) for m in matches],
        risks=[a.as_dict() for a in risks],
        screened_plugins=sorted(info.enabled_plugins) if info is not None else [])
    if tenant_id:
        row.tenant_id = tenant_id
    session.add(row)
    await session.flush()
    if row.verdict == "block" and platform is not None and tenant_id:
        await platform.record_event(
            session, tenant_id=tenant_id, type="data_governance.publication_check.blocked",
            actor=actor, object_id=row.id, severity="high",
            payload={"tenant_id": tenant_id, "check_id": row.id, "title": row.title[:500],
                     "channel": row.channel[:100],
                     "risks": [a.risk for a in risks if a.verdict == "block"]})
    return row
