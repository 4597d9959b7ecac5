"""The catalog's rules: the kind registry, publishing specs, writing assets (every field
checked at once; metadata against the kind's latest spec; nothing stored on any error)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import Conflict, InvalidInput

from ..common import FieldErrors, camel, plain, text
from ..vocabulary import BUILTIN_KINDS, CLASSIFICATIONS, LIFECYCLE_STAGES
from . import specs
from .models import DataAsset, DataAssetContent, DataAssetKind, MetadataSpec

__all__ = ["ensure_builtin_kinds", "get_kind", "publish_spec", "register_kind", "save_asset",
           "set_content"]

MAX_CONTENT = 200_000
MAX_TAGS = 30


async def ensure_builtin_kinds(session: AsyncSession, tenant_id: str | None = None) -> None:
    """Add the built-in kinds the tenant does not have yet."""
    stmt = select(DataAssetKind.key)
    if tenant_id:  # a system-scoped session (onboarding, demo) sees every tenant
        stmt = stmt.where(DataAssetKind.tenant_id == tenant_id)
    have = set((await session.execute(stmt)).scalars())
    for key, (title, description) in BUILTIN_KINDS.items():
        if key not in have:
            row = DataAssetKind(key=key, title=title, description=description, builtin=True)
            if tenant_id:
                row.tenant_id = tenant_id
            session.add(row)
    await session.flush()


async def get_kind(session: AsyncSession, key: str, field: str = "kind") -> DataAssetKind:
    """The tenant's kind ``key`` (the built-ins are added on first use)."""
    await ensure_builtin_kinds(session)
    row = (await session.execute(select(DataAssetKind).where(
        DataAssetKind.key == key))).scalar_one_or_none()
    if row is None:
        raise InvalidInput(f"unknown asset kind {key!r}: register it first", code="UNKNOWN_KIND",
                           field=field)
    return row


async def register_kind(session: AsyncSession, *, key: str, title: str,
                        description: str) -> DataAssetKind:
    """Add a kind to the tenant's registry (keys are lower_snake_case and unique)."""
    key = plain(key)
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,59}", key):
        raise InvalidInput("a kind key is 2-60 lower-case letters, digits or underscores",
                           field="key")
    await ensure_builtin_kinds(session)
    if (await session.execute(select(DataAssetKind.id).where(
            DataAssetKind.key == key))).first():
        raise Conflict(f"the kind {key!r} exists already", code="DUPLICATE", field="key")
    row = DataAssetKind(key=key, title=text(title, "title", 200, required=True),
                        description=text(description, "description", 5000))
    session.add(row)
    await session.flush()
    return row


async def publish_spec(session: AsyncSession, *, kind_key: str, json_schema: Any, note: str,
                       actor: str) -> tuple[MetadataSpec, list[Any]]:
    """Store a new version of the kind's spec; return it with the assets that no longer
    conform (they are kept as they are: the report says what to fix)."""
    await get_kind(session, kind_key, "kindKey")
    spec = MetadataSpec(kind_key=kind_key, json_schema=specs.check_schema(json_schema),
                        version=await specs.next_version(session, kind_key),
                        note=text(note, "note", 5000), created_by=actor)
    session.add(spec)
    await session.flush()
    return spec, await specs.nonconforming_assets(session, spec)


def _core_fields(data: dict[str, Any], problems: list[tuple[str, str]],
                 asset: DataAsset | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sizes = {"code": 60, "title": 300, "summary": 10_000, "owner": 200, "steward": 200,
             "system_of_record": 200, "legal_basis": 300}
    for name, size in sizes.items():
        out[name] = text(data.get(name), camel(name), size,
                         required=name in ("code", "title"), problems=problems)
    if out["code"] and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", out["code"]):
        problems.append(("code", "code may hold letters, digits, '.', '_', '/' and '-' only"))
    level = data.get("classification") or "internal"
    if level not in CLASSIFICATIONS:
        problems.append(("classification", f"classification must be one of "
                         f"{', '.join(CLASSIFICATIONS)}; got {level!r}"))
    out["classification"] = level
    stage = data.get("lifecycle_stage") or (asset.lifecycle_stage if asset else "create")
    if asset is None and stage not in ("create", "store", "use"):
        problems.append(("lifecycleStage", "a new asset starts at create, store or use"))
    elif stage not in LIFECYCLE_STAGES:
        problems.append(("lifecycleStage", f"unknown lifecycle stage {stage!r}"))
    out["lifecycle_stage"] = stage
    tags = [plain(t) for t in data.get("tags") or [] if t and t.strip()]
    if len(tags) > MAX_TAGS or any(len(t) > 60 for t in tags):
        problems.append(("tags", f"at most {MAX_TAGS} tags of up to 60 characters"))
    out["tags"] = sorted(set(tags))
    months = data.get("retention_months")
    if months is not None and not 1 <= months <= 1200:
        problems.append(("retentionMonths", "retentionMonths must be 1 to 1200 (100 years)"))
    out["retention_months"] = months
    out["retention_starts_on"] = data.get("retention_starts_on")
    if months is not None and not out["legal_basis"]:
        problems.append(("legalBasis", "a retention period needs its legal basis"))
    return out


async def save_asset(session: AsyncSession, data: dict[str, Any], *, actor: str,
                     asset: DataAsset | None = None) -> DataAsset:
    """Create or update an asset. Every problem is collected; on any, ``FieldErrors`` is
    raised before anything is written."""
    if asset is not None and asset.destroyed_at is not None:
        raise Conflict("the asset was destroyed; only its tombstone remains",
                       code="ASSET_DESTROYED", field="id")
    problems: list[tuple[str, str]] = []
    fields = _core_fields(data, problems, asset)
    kind_key = plain(data.get("kind") or (asset.kind_key if asset else ""))
    if asset is not None and kind_key != asset.kind_key:
        problems.append(("kind", "the kind of an asset cannot change"))
    metadata = data.get("metadata")
    metadata = (asset.properties if asset else {}) if metadata is None else metadata
    if not isinstance(metadata, dict):
        problems.append(("metadata", "metadata must be a JSON object"))
        metadata = {}
    spec = None
    try:
        await get_kind(session, kind_key)
        spec = await specs.latest_spec(session, kind_key)
    except InvalidInput as exc:
        problems.append(("kind", exc.message))
    if spec is not None:
        problems.extend(specs.metadata_problems(spec.json_schema, metadata))
    if fields["code"] and (asset is None or asset.code != fields["code"]):
        clash = (await session.execute(select(DataAsset.id).where(
            DataAsset.code == fields["code"]))).first()
        if clash:
            problems.append(("code", f"the code {fields['code']!r} is taken in this tenant"))
    content = data.get("content")
    if content is not None and len(content) > MAX_CONTENT:
        problems.append(("content", f"content is longer than {MAX_CONTENT} characters"))
    if problems:
        code = "SPEC_VIOLATION" if any(f.startswith("metadata") for f, _ in problems) else (
            "INVALID_INPUT")
        raise FieldErrors(problems, code=code)
    asset = asset or DataAsset(kind_key=kind_key, created_by=actor)
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.properties = metadata
    asset.spec_version = spec.version if spec else None
    if asset.retention_months and asset.retention_starts_on is None:
        asset.retention_starts_on = date.today()
    session.add(asset)
    await session.flush()
    if content is not None:
        await set_content(session, asset, content)
    return asset


async def set_content(session: AsyncSession, asset: DataAsset, body: str) -> None:
    """Store (or replace) an asset's protected content."""
    row = (await session.execute(select(DataAssetContent).where(
        DataAssetContent.asset_id == asset.id))).scalar_one_or_none()
    if row is None:
        session.add(DataAssetContent(asset_id=asset.id, body=body))
    else:
        row.body = body
    await session.flush()
