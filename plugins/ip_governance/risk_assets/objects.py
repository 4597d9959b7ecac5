"""The IP asset register as other plugins see it (hook ``list_ip_objects``): patents, utility
models and designs with their numbers, so that, e.g., the patent plugin's office connectors can
refresh the register's entries from the offices without importing this plugin."""

from __future__ import annotations

from sqlalchemy import select

from ipgov.api import IpObject, PlatformContext

from .models import IpAsset

__all__ = ["PLUGIN", "register_objects"]

PLUGIN = "ip_governance"
FILED_KINDS = ("patent", "utility_model", "design")
_PENDING = ("draft", "pending", "published")


def _canonical(asset: IpAsset) -> str:
    """How offices and the patent database name the right: ``CN105894088B`` (country, number,
    kind code), not the bare ``105894088`` the register keeps in three fields."""
    if asset.publication_number:
        number = asset.publication_number.replace(" ", "")
        if number[:2].isalpha():
            return number
        return f"{asset.jurisdiction or ''}{number}{asset.kind_code or ''}"
    return asset.application_number or asset.registration_number or ""


def _object(asset: IpAsset, tenant_id: str) -> IpObject:
    kind = "application" if asset.status in _PENDING else "patent"
    ref = _canonical(asset)
    return IpObject(plugin=PLUGIN, id=asset.id, tenant_id=tenant_id, kind=kind, ref=ref,
                    title=asset.title, status=asset.status,
                    details={"asset_kind": asset.kind, "jurisdiction": asset.jurisdiction,
                             "family_id": asset.family_id,
                             "application_number": asset.application_number,
                             "publication_number": asset.publication_number,
                             "registration_number": asset.registration_number,
                             "kind_code": asset.kind_code})


async def register_objects(platform: PlatformContext, tenant_id: str, kinds: list[str] | None,
                           ids: list[str] | None, limit: int) -> list[IpObject]:
    """The tenant's filed rights of the register (kinds ``patent`` and ``application``)."""
    wanted = set(kinds or ("patent", "application"))
    if not wanted & {"patent", "application"}:
        return []
    async with platform.read_session(tenant_id) as session:
        stmt = (select(IpAsset).where(IpAsset.kind.in_(FILED_KINDS))
                .order_by(IpAsset.jurisdiction, IpAsset.publication_number, IpAsset.id)
                .limit(limit))
        if ids:
            stmt = stmt.where(IpAsset.id.in_(ids))
        assets = (await session.execute(stmt)).scalars().all()
    return [o for o in (_object(a, tenant_id) for a in assets)
            if o.kind in wanted and o.ref]
