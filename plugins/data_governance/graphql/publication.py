"""GraphQL of pre-publication checks: submit a text, list and read the stored evidence.
A trade secret's words in a match are shown only to readers cleared for its level (the core
authorizer decides); others see that it matched, how closely, and where in their text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    Forbidden,
    UserError,
    check_permission,
    record_audit,
    requires,
)

from ..common import get, page, payload_errors
from ..permissions import PUBLICATION
from ..publication import services
from ..publication.models import PublicationCheck
from ..vocabulary import content_object

__all__ = ["PublicationMutation", "PublicationQuery"]

ID = strawberry.ID
REDACTED = "[withheld: above your clearance]"


@strawberry.type(description="A passage of the submitted text and what it resembles.")
class PublicationPassage:
    text: str
    matched: str
    where: str
    score: float
    start: int
    end: int


@strawberry.type(description="A stored document the text resembles.")
class PublicationMatch:
    plugin: str
    object_kind: str
    object_id: str
    ref: str
    title: str
    score: float
    risk: str = strawberry.field(description="leak (trade secret) or infringement (patent)")
    withheld: bool = strawberry.field(
        description="True when the matched words are above your clearance.")
    passages: list[PublicationPassage]


@strawberry.type(description="A text screened before publication, kept as evidence.")
class PublicationCheckType:
    id: ID
    tenant_id: ID
    title: str
    channel: str
    text: str
    submitted_by: str
    submitted_at: datetime
    leak_score: float
    infringement_score: float
    verdict: str = strawberry.field(description="clear, review or block")
    matches: list[PublicationMatch]


@strawberry.type(description="The check with its result, or why it could not run.")
class PublicationCheckPayload:
    check: PublicationCheckType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _cleared(info: Info, tenant_id: str, level: str | None) -> bool:
    if not level:
        return True
    try:
        check_permission(info, tenant_id, content_object(level), "read")
    except Forbidden:
        return False
    return True


def _match(info: Info, tenant_id: str, m: dict[str, Any]) -> PublicationMatch:
    shown = _cleared(info, tenant_id, m.get("classification"))
    return PublicationMatch(
        plugin=m["plugin"], object_kind=m["objectKind"], object_id=m["objectId"],
        ref=m["ref"], title=m["title"] if shown else REDACTED, score=m["score"],
        risk=m["risk"], withheld=not shown,
        passages=[PublicationPassage(text=p["text"], matched=p["matched"] if shown else REDACTED,
                                     where=p["where"], score=p["score"], start=p["start"],
                                     end=p["end"]) for p in m["passages"]])


def check_node(info: Info, c: PublicationCheck) -> PublicationCheckType:
    """GraphQL view of a check, with matches withheld above the reader's clearance."""
    return PublicationCheckType(
        id=ID(c.id), tenant_id=ID(c.tenant_id), title=c.title, channel=c.channel, text=c.text,
        submitted_by=c.submitted_by, submitted_at=c.submitted_at, leak_score=c.leak_score,
        infringement_score=c.infringement_score, verdict=c.verdict,
        matches=[_match(info, c.tenant_id, m) for m in c.matches or []])


@strawberry.type
class PublicationQuery:
    @strawberry.field(description="Pre-publication checks, oldest first, by verdict.",
                      extensions=requires(PUBLICATION, "read"))
    async def publication_checks(self, info: Info, tenant_id: ID, verdict: str | None = None,
                                 first: int = 50, after: str | None = None
                                 ) -> Connection[PublicationCheckType]:
        stmt = select(PublicationCheck)
        if verdict:
            stmt = stmt.where(PublicationCheck.verdict == verdict)
        return await page(info, tenant_id, stmt,
                          [PublicationCheck.id], first, after,
                          lambda c: check_node(info, c))

    @strawberry.field(description="One pre-publication check.",
                      extensions=requires(PUBLICATION, "read"))
    async def publication_check(self, info: Info, tenant_id: ID,
                                id: ID) -> PublicationCheckType:  # noqa: A002
        async with info.context.session(str(tenant_id)) as s:
            return check_node(info, await get(s, PublicationCheck, str(id),
                                              "publication check"))


@strawberry.type
class PublicationMutation:
    @strawberry.mutation(description="Screen a text before publication against the "
                         "trade-secret register (leak risk) and every enabled plugin's "
                         "collections (infringement risk); the result is stored and audited.",
                         extensions=requires(PUBLICATION, "create"))
    async def submit_publication_check(self, info: Info, tenant_id: ID, title: str,
                                       text: str, channel: str = ""
                                       ) -> PublicationCheckPayload:
        ctx, tenant = info.context, str(tenant_id)
        try:
            body = services.check_text(text)
            matches = await services.screen(ctx.platform, tenant, body)
            async with ctx.session(tenant) as s:
                row = await services.store_check(s, title=title, channel=channel, body=body,
                                                 matches=matches, actor=ctx.actor)
                await record_audit(
                    ctx.platform, s, tenant_id=tenant, actor=ctx.actor,
                    action="data_governance.publication_check.submitted",
                    object_type=PUBLICATION, object_id=row.id,
                    details={"verdict": row.verdict, "leak_score": row.leak_score,
                             "infringement_score": row.infringement_score,
                             "sha256": row.text_sha256, "matches": len(row.matches)})
                node = check_node(info, row)
        except DomainError as exc:
            return PublicationCheckPayload(errors=payload_errors(exc))
        return PublicationCheckPayload(check=node)
