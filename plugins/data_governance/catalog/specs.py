"""Metadata specifications: JSON Schemas per asset kind, versioned.

A spec is checked as a schema (Draft 2020-12) before it is stored; an asset's metadata is
validated against the latest version of its kind's spec and every violation is reported with
the field path (``metadata.inventors[0]``), so a person can fix them all in one go.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import InvalidInput

from .models import DataAsset, MetadataSpec

__all__ = ["check_schema", "latest_spec", "metadata_problems", "nonconforming_assets"]

MAX_SCHEMA_BYTES = 64_000


def _path(parts: Any) -> str:
    out = "metadata"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def metadata_problems(schema: dict[str, Any], metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """Every violation of ``schema`` by ``metadata`` as (field path, message), sorted."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    problems = []
    for error in validator.iter_errors(metadata):
        parts = list(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            parts.append(missing)
        problems.append((_path(parts), error.message))
    return sorted(set(problems))


def check_schema(schema: Any) -> dict[str, Any]:
    """``schema`` if it is a valid JSON Schema object (``INVALID_SCHEMA`` otherwise)."""
    import json

    if not isinstance(schema, dict):
        raise InvalidInput("the specification must be a JSON Schema object",
                           code="INVALID_SCHEMA", field="jsonSchema")
    if len(json.dumps(schema)) > MAX_SCHEMA_BYTES:
        raise InvalidInput(f"the specification is larger than {MAX_SCHEMA_BYTES} bytes",
                           code="INVALID_SCHEMA", field="jsonSchema")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise InvalidInput(f"not a valid JSON Schema at {where}: {exc.message}",
                           code="INVALID_SCHEMA", field="jsonSchema") from exc
    return schema


async def latest_spec(session: AsyncSession, kind_key: str) -> MetadataSpec | None:
    """The highest version of ``kind_key``'s spec, if any."""
    return (await session.execute(
        select(MetadataSpec).where(MetadataSpec.kind_key == kind_key)
        .order_by(MetadataSpec.version.desc()).limit(1))).scalar_one_or_none()


async def next_version(session: AsyncSession, kind_key: str) -> int:
    """The version number a new spec of ``kind_key`` gets."""
    current = (await session.execute(select(func.max(MetadataSpec.version)).where(
        MetadataSpec.kind_key == kind_key))).scalar_one()
    return (current or 0) + 1


async def nonconforming_assets(session: AsyncSession, spec: MetadataSpec, *, limit: int = 500
                               ) -> list[tuple[DataAsset, list[tuple[str, str]]]]:
    """Live assets of the spec's kind that violate it, with their problems (at most ``limit``)."""
    rows = (await session.execute(select(DataAsset).where(
        DataAsset.kind_key == spec.kind_key, DataAsset.destroyed_at.is_(None))
        .order_by(DataAsset.code))).scalars()
    found = []
    for asset in rows:
        problems = metadata_problems(spec.json_schema, asset.properties or {})
        if problems:
            found.append((asset, problems))
            if len(found) >= limit:
                break
    return found
