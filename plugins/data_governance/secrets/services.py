"""The trade-secret register's rules: reading protected content (clearance from the core's
authorizer; every attempt logged and audited), reasonable-steps evidence, and what the
register offers other plugins (``list_ip_objects``) and the pre-publication check (the texts
it screens)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import (
    Conflict,
    Forbidden,
    InvalidInput,
    IpObject,
    check_permission,
    record_audit,
    utcnow,
)

from ..catalog.models import DataAsset, DataAssetContent
from ..common import get, text
from ..events import TRADE_SECRET_KIND
from ..vocabulary import STEP_KINDS, content_object
from .models import DataAccessLog, ReasonableStep

__all__ = ["list_trade_secrets", "read_content", "record_step", "trade_secret_texts"]

PLUGIN = "data_governance"
TRADE_SECRET = "trade_secret"  # noqa: S105 - a permission name
MIN_PURPOSE = 8


async def _log(info: Info, tenant_id: str, asset: DataAsset, purpose: str, outcome: str,
               session: AsyncSession) -> None:
    ctx = info.context
    session.add(DataAccessLog(asset_id=asset.id, actor=ctx.actor, purpose=purpose,
                              outcome=outcome, classification=asset.classification))
    await record_audit(
        ctx.platform, session, tenant_id=tenant_id, actor=ctx.actor,
        action=f"{PLUGIN}.content.read" if outcome == "granted" else
        f"{PLUGIN}.content.read_denied", object_type="data_governance:asset",
        object_id=asset.id, details={"purpose": purpose, "classification": asset.classification,
                                     "code": asset.code})
    if asset.kind_key == TRADE_SECRET_KIND:
        await ctx.platform.record_event(
            session, tenant_id=tenant_id, actor=ctx.actor, object_id=asset.id,
            type=f"{PLUGIN}.trade_secret.{'read' if outcome == 'granted' else 'refused'}",
            severity="medium" if outcome == "granted" else "high",
            payload={"tenant_id": tenant_id, "asset_id": asset.id, "code": asset.code,
                     "classification": asset.classification, "reader": ctx.actor[:200]})


async def read_content(info: Info, tenant_id: str, asset_id: str, purpose: str
                       ) -> tuple[DataAsset, str]:
    """An asset's content for a caller cleared for its classification.

    The decision is the core authorizer's (``data_governance:content:<level>``, ``read``); a
    refusal is logged and audited in its own transaction before ``FORBIDDEN`` is raised."""
    purpose = text(purpose, "purpose", 2000, required=True)
    if len(purpose) < MIN_PURPOSE:
        raise InvalidInput(f"say why you need the content (at least {MIN_PURPOSE} characters)",
                           code="PURPOSE_REQUIRED", field="purpose")
    ctx = info.context
    async with ctx.write_session(tenant_id) as session:  # a read that leaves its record
        asset = await get(session, DataAsset, asset_id, "data asset")
        try:
            check_permission(info, tenant_id, content_object(asset.classification), "read")
        except Forbidden:
            denied = True
        else:
            denied = False
            await _log(info, tenant_id, asset, purpose, "granted", session)
            asset.last_used_at = utcnow()
            body = (await session.execute(select(DataAssetContent.body).where(
                DataAssetContent.asset_id == asset.id))).scalar_one_or_none()
    if denied:
        async with ctx.write_session(tenant_id) as session:
            await _log(info, tenant_id, asset, purpose, "denied", session)
        raise Forbidden(f"your clearance does not reach {asset.classification}: the attempt "
                        "was logged")
    if asset.destroyed_at is not None:
        raise Conflict("the content was purged when the asset was destroyed",
                       code="ASSET_DESTROYED", field="id")
    return asset, body or ""


async def record_step(session: AsyncSession, data: dict[str, Any], *, actor: str,
                      today: date) -> ReasonableStep:
    """Record evidence of a reasonable step for a trade secret."""
    asset = await get(session, DataAsset, data["asset_id"], "data asset", "assetId")
    if asset.kind_key != TRADE_SECRET:
        raise InvalidInput(f"{asset.code} is a {asset.kind_key}, not a trade secret",
                           code="NOT_A_TRADE_SECRET", field="assetId")
    kind = data.get("kind") or ""
    if kind not in STEP_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(STEP_KINDS)}; got {kind!r}",
                           field="kind")
    taken_on, expires_on = data.get("taken_on"), data.get("expires_on")
    if taken_on is None:
        raise InvalidInput("takenOn is required", code="REQUIRED", field="takenOn")
    if taken_on > today:
        raise InvalidInput("a step cannot be taken in the future", field="takenOn")
    if expires_on is not None and expires_on <= taken_on:
        raise InvalidInput("expiresOn must be after takenOn", field="expiresOn")
    step = ReasonableStep(asset_id=asset.id, kind=kind, taken_on=taken_on,
                          expires_on=expires_on, recorded_by=actor,
                          description=text(data.get("description"), "description", 5000),
                          evidence_ref=text(data.get("evidence_ref"), "evidenceRef", 300))
    session.add(step)
    await session.flush()
    return step


def _live_secrets() -> Any:
    return select(DataAsset).where(DataAsset.kind_key == TRADE_SECRET,
                                   DataAsset.destroyed_at.is_(None))


async def list_trade_secrets(session: AsyncSession, tenant_id: str, *, ids: list[str] | None,
                             limit: int) -> list[IpObject]:
    """The tenant's live trade secrets as IP objects (kind ``trade_secret``)."""
    stmt = _live_secrets().order_by(DataAsset.code).limit(limit)
    if ids is not None:
        stmt = stmt.where(DataAsset.id.in_([str(i) for i in ids]))
    return [IpObject(plugin=PLUGIN, id=a.id, tenant_id=tenant_id, kind=TRADE_SECRET,
                     ref=a.code, title=a.title, status=a.lifecycle_stage,
                     details={"classification": a.classification, "owner": a.owner})
            for a in (await session.execute(stmt)).scalars()]


async def trade_secret_texts(session: AsyncSession, tenant_id: str | None = None
                             ) -> dict[str, tuple[DataAsset, str]]:
    """Every live trade secret with the text a screening compares (summary and content);
    ``tenant_id`` narrows a system session (the demo) to one tenant."""
    stmt = (select(DataAsset, DataAssetContent.body).outerjoin(
        DataAssetContent, DataAssetContent.asset_id == DataAsset.id)
        .where(DataAsset.kind_key == TRADE_SECRET, DataAsset.destroyed_at.is_(None)))
    if tenant_id is not None:
        stmt = stmt.where(DataAsset.tenant_id == tenant_id)
    rows = (await session.execute(stmt)).all()
    return {a.id: (a, "\n".join(p for p in (a.summary, body or "") if p)) for a, body in rows}
