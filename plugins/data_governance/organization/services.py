"""The data governance organization (seed 7.4 b): roles and decision rights per asset or per
domain (an asset kind), and who holds a decision right for an asset."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import Conflict

from ..catalog.models import DataAsset
from ..catalog.services import get_kind
from ..common import FieldErrors, get, text
from ..vocabulary import DECISION_RIGHTS, GOVERNANCE_ROLES
from .models import GovernanceRoleAssignment

__all__ = ["assign_role", "holders"]


async def assign_role(session: AsyncSession, data: dict[str, Any], *, actor: str
                      ) -> GovernanceRoleAssignment:
    """Give a person a role (owner, steward, custodian) over an asset or a domain."""
    problems: list[tuple[str, str]] = []
    scope, role = data.get("scope") or "", data.get("role") or ""
    person = text(data.get("person"), "person", 200, required=True, problems=problems)
    if scope not in ("asset", "domain"):
        problems.append(("scope", "scope is asset or domain"))
    if role not in GOVERNANCE_ROLES:
        problems.append(("role", f"role must be one of {', '.join(GOVERNANCE_ROLES)}"))
    rights = sorted(set(data.get("decision_rights") or []))
    unknown = [r for r in rights if r not in DECISION_RIGHTS]
    if unknown:
        problems.append(("decisionRights", f"unknown decision rights {unknown}; known: "
                         f"{', '.join(DECISION_RIGHTS)}"))
    if problems:
        raise FieldErrors(problems)
    row = GovernanceRoleAssignment(scope=scope, role=role, person=person, decision_rights=rights,
                                   assigned_by=actor)
    if scope == "asset":
        row.asset_id = (await get(session, DataAsset, data.get("asset_id") or "", "data asset",
                                  "assetId")).id
    else:
        row.domain = (await get_kind(session, data.get("domain") or "", "domain")).key
    clash = (await session.execute(select(GovernanceRoleAssignment.id).where(
        GovernanceRoleAssignment.scope == scope, GovernanceRoleAssignment.role == role,
        GovernanceRoleAssignment.person == person,
        GovernanceRoleAssignment.asset_id.is_(row.asset_id) if row.asset_id is None else
        GovernanceRoleAssignment.asset_id == row.asset_id,
        GovernanceRoleAssignment.domain == row.domain))).first()
    if clash:
        raise Conflict(f"{person} is {role} there already", code="DUPLICATE", field="person")
    session.add(row)
    await session.flush()
    return row


async def holders(session: AsyncSession, asset: DataAsset, right: str) -> set[str]:
    """People holding ``right`` over the asset (asset roles, then its domain's roles)."""
    rows = (await session.execute(select(GovernanceRoleAssignment).where(
        (GovernanceRoleAssignment.asset_id == asset.id)
        | (GovernanceRoleAssignment.domain == asset.kind_key)))).scalars()
    return {r.person for r in rows if right in (r.decision_rights or [])}
