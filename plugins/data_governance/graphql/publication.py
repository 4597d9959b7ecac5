"""GraphQL of pre-publication checks: submit a text, list and read the stored evidence.
Each risk (secret disclosure, novelty loss, third-party text) has its verdict and reason. A
match is shown only to readers allowed to see it (a trade secret: cleared for its level, the
core authorizer decides); others learn only the verdict and that a protected record matched,
never a score, passage or id, so the check is no oracle for a secret's words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    Forbidden,
    UserError,
    actor_field,
    check_permission,
    errors_as_data,
    mutate,
    requires,
    tenant_page,
)

from ..common import get, payload_errors
from ..permissions import PUBLICATION
from ..publication import services
from ..publication.models import PublicationCheck
from ..publication.reasons import reason
from ..publication.risks import SECRET_DISCLOSURE, Assessment, assess, risk_of
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


@strawberry.type(description="A stored record the text resembles, shown to readers allowed "
                             "to see it (others learn only that a protected record matched, "
                             "through the risk's protectedMatch).")
class PublicationMatch:
    plugin: str
    object_kind: str
    object_id: str
    ref: str
    title: str
    score: float
    risk: str = strawberry.field(description="secret_disclosure, novelty_loss or "
                                             "third_party_text (leak, infringement: older checks)")
    withheld: bool = strawberry.field(
        deprecation_reason="Matches above your clearance are no longer listed at all: see "
                           "PublicationRisk.protectedMatch. Always false.")
    passages: list[PublicationPassage]


@strawberry.type(name="PublicationRisk",
                 description="One risk of publishing the text, with its own verdict and reason.")
class PublicationRiskType:
    risk: str = strawberry.field(description="secret_disclosure (our trade secrets), "
                                             "novelty_loss (our unfiled technical solutions) or "
                                             "third_party_text (copied wording of others)")
    verdict: str = strawberry.field(description="clear, review or block")
    reason: str = strawberry.field(description="Why, in the reader's language")
    protected_match: bool = strawberry.field(
        description="A record above your clearance matched: nothing else of it is shown")


@strawberry.type(description="A text screened before publication, kept as evidence.")
class PublicationCheckType:
    id: ID
    tenant_id: ID
    title: str
    channel: str
    text: str = strawberry.field(description="The screened text; withheld from readers below "
                                             "the clearance of a secret it discloses (except "
                                             "its submitter)")
    text_withheld: bool
    submitted_by: str
    submitted_by_actor = actor_field("submitted_by", "Who submitted it, by name (null if nobody).")
    submitted_at: datetime
    leak_score: float | None = strawberry.field(
        deprecation_reason="Use risks. Null when a matched secret is above your clearance.")
    infringement_score: float | None = strawberry.field(
        deprecation_reason="Use risks (third_party_text): publishing a text does not infringe "
                           "a patent; this is now the closest copied third-party passage.")
    verdict: str = strawberry.field(description="clear, review or block: the worst risk")
    risks: list[PublicationRiskType]
    matches: list[PublicationMatch]


@strawberry.type(description="The check with its result, or why it could not run.")
class PublicationCheckPayload:
    check: PublicationCheckType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _requirement(m: dict[str, Any]) -> tuple[str, str] | None:
    if m.get("requires"):
        return m["requires"][0], m["requires"][1]
    level = m.get("classification")  # checks stored before dg_0002
    return (content_object(level), "read") if level else None


def _may_see(info: Info, tenant_id: str, m: dict[str, Any]) -> bool:
    needed = _requirement(m)
    if needed is None:
        return True
    try:
        check_permission(info, tenant_id, *needed)
    except Forbidden:
        return False
    return True


def _match(m: dict[str, Any]) -> PublicationMatch:
    return PublicationMatch(
        plugin=m["plugin"], object_kind=m["objectKind"], object_id=m["objectId"],
        ref=m["ref"], title=m["title"], score=m["score"], risk=m["risk"], withheld=False,
        passages=[PublicationPassage(text=p["text"], matched=p["matched"], where=p["where"],
                                     score=p["score"], start=p["start"], end=p["end"])
                  for p in m["passages"]])


def _risks(info: Info, c: PublicationCheck, visible: list[dict[str, Any]],
           hidden: set[str]) -> list[PublicationRiskType]:
    stored = [Assessment(**{**a, "refs": tuple(a["refs"])}) for a in c.risks or []]
    locale = getattr(info.context, "locale", None)
    out = []
    for a in stored or assess(c.matches or []):
        refs = [m["ref"] for m in visible if risk_of(m["risk"]) == a.risk][:10]
        out.append(PublicationRiskType(
            risk=a.risk, verdict=a.verdict, protected_match=a.risk in hidden,
            reason=reason(a.risk, a.verdict, refs, protected=a.risk in hidden, locale=locale)))
    return out


def check_node(info: Info, c: PublicationCheck) -> PublicationCheckType:
    """GraphQL view of a check for this reader: matches above their clearance are not listed
    (the risk says a protected record matched), and neither their scores nor the text that
    discloses them is shown (its submitter still sees their own text)."""
    visible, hidden = [], set()
    for m in c.matches or []:
        if _may_see(info, c.tenant_id, m):
            visible.append(m)
        else:
            hidden.add(risk_of(m["risk"]))
    withhold_text = SECRET_DISCLOSURE in hidden and info.context.actor != c.submitted_by
    return PublicationCheckType(
        id=ID(c.id), tenant_id=ID(c.tenant_id), title=c.title, channel=c.channel,
        text=REDACTED if withhold_text else c.text, text_withheld=withhold_text,
        submitted_by=c.submitted_by, submitted_at=c.submitted_at,
        leak_score=None if SECRET_DISCLOSURE in hidden else c.leak_score,
        infringement_score=c.infringement_score, verdict=c.verdict,
        risks=_risks(info, c, visible, hidden), matches=[_match(m) for m in visible])


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
        return await tenant_page(
            info, str(tenant_id), stmt, [PublicationCheck.id],
            first=first, after=after, to_node=lambda c: check_node(info, c))

    @strawberry.field(description="One pre-publication check.",
                      extensions=requires(PUBLICATION, "read"))
    async def publication_check(self, info: Info, tenant_id: ID,
                                id: ID) -> PublicationCheckType:  # noqa: A002
        async with info.context.session(str(tenant_id)) as s:
            return check_node(info, await get(s, PublicationCheck, str(id),
                                              "publication check"))


@strawberry.type
class PublicationMutation:
    @strawberry.mutation(description="Screen a text (at most 50,000 characters) before "
                         "publication for three risks, each with its verdict: disclosing our "
                         "trade secrets, losing the novelty of our unfiled technical "
                         "solutions, copying third parties' wording (patent collections); "
                         "stored and audited. Rate-limited per person (RATE_LIMITED).",
                         extensions=requires(PUBLICATION, "create"))
    async def submit_publication_check(self, info: Info, tenant_id: ID, title: str,
                                       text: str, channel: str = ""
                                       ) -> PublicationCheckPayload:
        ctx, tenant = info.context, str(tenant_id)

        async def run() -> PublicationCheckPayload:
            body = services.check_text(text)
            async with ctx.session(tenant) as s:
                await services.check_rate(
                    s, ctx.actor, ctx.platform.plugin_settings("data_governance"))
            matches = await services.screen(ctx.platform, tenant, body)
            return await mutate(
                info, tenant, PublicationCheckPayload, "check",
                lambda s: services.store_check(s, title=title, channel=channel, body=body,
                                               matches=matches, actor=ctx.actor,
                                               platform=ctx.platform, tenant_id=tenant),
                action="data_governance.publication_check.submitted",
                object_type=PUBLICATION, to_node=lambda row: check_node(info, row),
                details=lambda row: {"verdict": row.verdict, "sha256": row.text_sha256,
                                     "risks": {a["risk"]: a["verdict"] for a in row.risks},
                                     "matches": len(row.matches)},
                errors=payload_errors)

        return await errors_as_data(PublicationCheckPayload, run, errors=payload_errors)
