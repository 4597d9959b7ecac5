"""A tenant's office connectors: credentials set (sealed) and cleared, the register numbers
a run walks, and the collection the fetched documents go to.

Credentials are sealed for their row (``ipgov.api.seal_secret``) and only ever opened in the
refresh job; no read returns them, only a hint (the last four characters of the first
field) to tell which key is set.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import (
    InvalidInput,
    PlatformContext,
    list_ip_objects,
    new_id,
    open_secret,
    seal_secret,
    utcnow,
)

from ..models import Collection
from ..numbers import InvalidPublicationNumber, parse_number
from ..settings import PLUGIN
from .models import OfficeConnector
from .registry import connector_info
from .uspto_odp import application_key

__all__ = ["OFFICE_COLLECTION", "clear_credentials", "connector_row", "credentials_of",
           "office_collection", "register_numbers", "set_credentials"]

OFFICE_COLLECTION = "Office data (connectors)"
MAX_CREDENTIAL = 500


def _purpose(office: str) -> str:
    return f"{PLUGIN}:office-credentials:{office}"


async def connector_row(session: AsyncSession, office: str) -> OfficeConnector | None:
    """The session's tenant's connector for ``office`` (the tenant filter applies)."""
    return (await session.execute(select(OfficeConnector).where(
        OfficeConnector.office == office))).scalar_one_or_none()


def _checked(office: str, credentials: dict[str, str]) -> dict[str, str]:
    info = connector_info(office)
    if not info.available:
        raise InvalidInput(f"{info.name}: there is no interface to connect to", field="office",
                           code="OFFICE_NOT_AVAILABLE")
    values = {}
    for name in info.credentials:
        value = (credentials.get(name) or "").strip()
        if not value or len(value) > MAX_CREDENTIAL or any(ch.isspace() for ch in value):
            raise InvalidInput(f"{name} is required: 1 to {MAX_CREDENTIAL} characters without "
                               "spaces", field=f"input.{name}")
        values[name] = value
    return values


async def set_credentials(platform: PlatformContext, session: AsyncSession, tenant_id: str,
                          office: str, credentials: dict[str, str],
                          actor: str) -> OfficeConnector:
    """Store (or replace) the tenant's credentials for ``office``, sealed; a run stopped for
    bad credentials may go again."""
    values = _checked(office, credentials)
    row = await connector_row(session, office)
    if row is None:
        row = OfficeConnector(id=new_id(), tenant_id=tenant_id, office=office)
        session.add(row)
    row.sealed_credentials = seal_secret(platform, json.dumps(values), row_id=row.id,
                                         purpose=_purpose(office))
    first = values[connector_info(office).credentials[0]]
    row.credential_hint = "…" + first[-4:]
    row.enabled, row.configured_by, row.configured_at = True, actor, utcnow()
    if row.last_error_code in ("OFFICE_AUTH_FAILED", "OFFICE_FORBIDDEN"):
        row.last_error_code, row.last_error_message, row.last_error_params = "", "", {}
        row.status = "idle"
    await session.flush()
    return row


async def clear_credentials(session: AsyncSession, office: str) -> OfficeConnector:
    """Forget the tenant's credentials for ``office`` (its run state and events stay)."""
    connector_info(office)
    row = await connector_row(session, office)
    if row is None or not row.sealed_credentials:
        raise InvalidInput(f"no credentials are set for {office}", code="OFFICE_NOT_CONFIGURED",
                           field="office")
    row.sealed_credentials, row.credential_hint, row.enabled = "", "", False
    row.status = "not_configured"
    await session.flush()
    return row


def credentials_of(platform: PlatformContext, row: OfficeConnector) -> dict[str, str]:
    """The plaintext credentials of a connector row (in the refresh job only)."""
    opened: dict[str, str] = json.loads(open_secret(
        platform, row.sealed_credentials, row_id=row.id, purpose=_purpose(row.office)))
    return opened


async def office_collection(session: AsyncSession, tenant_id: str,
                            row: OfficeConnector) -> str:
    """The collection fetched documents go to: the row's, or the tenant's office-data
    collection (created once, shared by the tenant's connectors)."""
    if row.collection_id and await session.get(Collection, row.collection_id) is not None:
        return row.collection_id
    found = (await session.execute(select(Collection).where(
        Collection.name == OFFICE_COLLECTION))).scalar_one_or_none()
    if found is None:
        found = Collection(id=new_id(), tenant_id=tenant_id, name=OFFICE_COLLECTION,
                           kind="research", source="office connectors",
                           description="Documents and family members the office connectors "
                                       "fetched for the register's numbers",
                           created_by="office connectors")
        session.add(found)
        await session.flush()
    row.collection_id = found.id
    return found.id


def _publication(obj: Any) -> str | None:
    text = str(obj.details.get("publication_number") if "publication_number" in obj.details
               else obj.ref)
    if not text.strip():
        return None
    try:
        parsed = parse_number(text, obj.details.get("jurisdiction") or None)
    except InvalidPublicationNumber:
        return None
    return parsed.canonical if parsed.country else None


async def register_numbers(platform: PlatformContext, tenant_id: str, office: str,
                           limit: int) -> list[str]:
    """The numbers of the tenant's register entries ``office`` can refresh, sorted, unique:
    canonical publication numbers for EPO OPS, US application numbers for USPTO ODP. The
    register is any other plugin's IP objects (``list_ip_objects``): this plugin's own
    documents are what the connectors fetch, not what they are asked for."""
    objects = [o for o in await list_ip_objects(platform, tenant_id,
                                                kinds=["patent", "application"], limit=limit)
               if o.plugin != PLUGIN and o.tenant_id == tenant_id]
    numbers: set[str] = set()
    for obj in objects:
        if office == "epo_ops":
            found = _publication(obj)
        elif office == "uspto_odp":
            found = (application_key(str(obj.details.get("application_number") or ""))
                     if str(obj.details.get("jurisdiction") or "").upper() == "US" else "")
        else:
            found = None
        if found:
            numbers.add(found)
    return sorted(numbers)[:limit]
