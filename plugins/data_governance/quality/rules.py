"""Data-quality rules and their evaluation.

A rule looks at one field of the assets of one kind: a catalog field (``owner``,
``legalBasis``...) or a metadata path (``metadata.filingDate``). Its score is the share of
assets that pass (1.0 when the kind has no assets):

* completeness: the field has a value;
* validity: the value matches ``params.pattern`` (a regular expression), or, without a
  pattern, the asset conforms to its kind's latest metadata spec;
* uniqueness: the value is not shared with another asset (empty values are not counted);
* timeliness: the asset was updated within ``params.maxAgeDays``;
* consistency: the field compares with ``params.otherField`` as ``params.op`` says
  (``<=``, ``<``, ``==``, ``!=``, ``>=``, ``>``), e.g. a grant date after a filing date.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..catalog import specs
from ..catalog.models import DataAsset
from ..common import FieldErrors, aware, camel, text
from ..vocabulary import QUALITY_DIMENSIONS
from .models import QualityRule

__all__ = ["Evaluation", "evaluate_rule", "field_value", "validate_rule"]

CORE_FIELDS = ("code", "title", "summary", "owner", "steward", "classification",
               "system_of_record", "tags", "lifecycle_stage", "retention_months",
               "retention_starts_on", "legal_basis", "updated_at", "created_at")
_OPS = {"<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne,
        ">=": operator.ge, ">": operator.gt}
SAMPLE = 20


@dataclass(frozen=True)
class Evaluation:
    """A rule's score over the assets it applies to."""

    score: float
    total: int
    failing: list[str]  # asset ids


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def field_value(asset: DataAsset, path: str) -> Any:
    """The value at ``path`` (a catalog field or ``metadata.a.b``) of an asset, or None."""
    if path.startswith("metadata."):
        value: Any = asset.properties or {}
        for part in path.split(".")[1:]:
            value = value.get(part) if isinstance(value, dict) else None
        return value
    name = _snake(path)
    return getattr(asset, name) if name in CORE_FIELDS else None


def _known_field(path: str) -> bool:
    if path.startswith("metadata."):
        return len(path) > len("metadata.")
    return _snake(path) in CORE_FIELDS


def validate_rule(data: dict[str, Any]) -> dict[str, Any]:
    """Checked rule fields; every problem at once."""
    problems: list[tuple[str, str]] = []
    out = {"name": text(data.get("name"), "name", 200, required=True, problems=problems)}
    dimension = data.get("dimension") or ""
    if dimension not in QUALITY_DIMENSIONS:
        problems.append(("dimension", f"dimension must be one of {', '.join(QUALITY_DIMENSIONS)}"))
    field, params = (data.get("field") or "").strip(), data.get("params") or {}
    if not isinstance(params, dict):
        problems.append(("params", "params must be a JSON object"))
        params = {}
    needs_field = dimension in ("completeness", "uniqueness", "consistency") or (
        dimension == "validity" and params.get("pattern"))
    if needs_field and not _known_field(field):
        problems.append(("field", f"a catalog field ({', '.join(camel(f) for f in CORE_FIELDS)})"
                         " or metadata.<path>"))
    if dimension == "validity" and params.get("pattern"):
        try:
            re.compile(str(params["pattern"]))
        except re.error as exc:
            problems.append(("params.pattern", f"not a regular expression: {exc}"))
    if dimension == "timeliness" and not (isinstance(params.get("maxAgeDays"), int)
                                          and params["maxAgeDays"] > 0):
        problems.append(("params.maxAgeDays", "timeliness needs maxAgeDays (days, > 0)"))
    if dimension == "consistency":
        if params.get("op") not in _OPS:
            problems.append(("params.op", f"op must be one of {' '.join(_OPS)}"))
        if not _known_field(str(params.get("otherField") or "")):
            problems.append(("params.otherField", "the field to compare with"))
    threshold = data.get("threshold")
    threshold = 0.95 if threshold is None else threshold
    if not 0 <= threshold <= 1:
        problems.append(("threshold", "threshold is a share between 0 and 1"))
    if problems:
        raise FieldErrors(problems)
    return {**out, "dimension": dimension, "field": field, "params": params,
            "threshold": float(threshold)}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


async def evaluate_rule(session: AsyncSession, rule: QualityRule, now: datetime
                        ) -> Evaluation:
    """Score a rule over the live assets of its kind."""
    assets = list((await session.execute(select(DataAsset).where(
        DataAsset.kind_key == rule.kind_key, DataAsset.destroyed_at.is_(None))
        .order_by(DataAsset.code))).scalars())
    if not assets:
        return Evaluation(1.0, 0, [])
    failing = await _failing(session, rule, assets, now)
    return Evaluation(round(1 - len(failing) / len(assets), 4), len(assets), failing)


async def _failing(session: AsyncSession, rule: QualityRule, assets: list[DataAsset],
                   now: datetime) -> list[str]:
    params, values = rule.params or {}, {a.id: field_value(a, rule.field) for a in assets}
    if rule.dimension == "completeness":
        return [a.id for a in assets if _empty(values[a.id])]
    if rule.dimension == "validity":
        if params.get("pattern"):
            pattern = re.compile(str(params["pattern"]))
            return [a.id for a in assets
                    if _empty(values[a.id]) or not pattern.fullmatch(str(values[a.id]))]
        spec = await specs.latest_spec(session, rule.kind_key)
        return [] if spec is None else [
            a.id for a in assets if specs.metadata_problems(spec.json_schema, a.properties or {})]
    if rule.dimension == "uniqueness":
        counts = Counter(str(v) for v in values.values() if not _empty(v))
        return [a.id for a in assets if not _empty(values[a.id]) and counts[str(values[a.id])] > 1]
    if rule.dimension == "timeliness":
        limit = now - timedelta(days=int(params["maxAgeDays"]))
        return [a.id for a in assets if aware(a.updated_at) < limit]
    op = _OPS[params["op"]]
    out = []
    for a in assets:
        left, right = values[a.id], field_value(a, params["otherField"])
        if _empty(left) or _empty(right):
            continue  # completeness rules catch missing values
        try:
            ok = op(str(left), str(right)) if type(left) is not type(right) else op(left, right)
        except TypeError:
            ok = False
        if not ok:
            out.append(a.id)
    return out


