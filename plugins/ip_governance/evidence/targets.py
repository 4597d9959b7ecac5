"""The records an evidence file can be attached to, by object type.

Each type names the permission needed to read such records (attaching a file to a record you
cannot see is refused like reading it) and how its existence is checked in the tenant: a
model of this plugin or of the core, a clause of the certification outline, or, for another
plugin's records (a trade secret's reasonable step), nothing this plugin may look at: those
attachments are stored with ``verified = false``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ipgov.api import Directive, InvalidInput, NotFound, ReviewRun

from ..certification.models import ManagementReview
from ..certification.outline import load_outline
from ..organization.models import GovernanceDirective, PdcaPhaseRecord

__all__ = ["TARGETS", "Target", "check_target", "register_target"]


@dataclass(frozen=True)
class Target:
    """An attachable record type: the permission to read it and its existence check
    (``None``: not checkable here)."""

    object_type: str
    read_permission: tuple[str, str]
    exists: Callable[[Any, str], Awaitable[bool]] | None


def _model(model: type) -> Callable[[Any, str], Awaitable[bool]]:
    async def exists(session: Any, object_id: str) -> bool:
        found = (await session.execute(select(model.id).where(  # type: ignore[attr-defined]
            model.id == object_id))).first()  # type: ignore[attr-defined]
        return found is not None
    return exists


async def _clause(session: Any, object_id: str) -> bool:
    return any(c.id == object_id for c in load_outline().clauses)


TARGETS: dict[str, Target] = {t.object_type: t for t in (
    Target("ip_governance:pdca_phase", ("ip_governance:management_system", "read"),
           _model(PdcaPhaseRecord)),
    Target("ip_governance:governance_directive", ("ip_governance:governance", "read"),
           _model(GovernanceDirective)),
    Target("ip_governance:management_review", ("ip_governance:certification", "read"),
           _model(ManagementReview)),
    Target("ip_governance:certification_clause", ("ip_governance:certification", "read"),
           _clause),
    Target("ipgov:directive", ("ipgov:directive", "read"), _model(Directive)),
    Target("ipgov:review_run", ("ipgov:review", "read"), _model(ReviewRun)),
    Target("data_governance:reasonable_step", ("data_governance:trade_secret", "read"), None),
)}


def register_target(target: Target) -> None:
    """Make another record type of this plugin attachable (the documents area's versions)."""
    TARGETS[target.object_type] = target


async def check_target(session: Any, object_type: str, object_id: str) -> Target:
    """The target type; ``InvalidInput`` for an unknown type, ``NotFound`` for a record the
    tenant does not hold."""
    target = TARGETS.get(object_type)
    if target is None:
        raise InvalidInput(f"evidence cannot be attached to {object_type!r}; one of: "
                           f"{', '.join(sorted(TARGETS))}", code="EVIDENCE_TARGET_UNKNOWN",
                           field="objectType")
    if not object_id or len(object_id) > 120:
        raise InvalidInput("objectId is required (at most 120 characters)", field="objectId")
    if target.exists is not None and not await target.exists(session, object_id):
        raise NotFound(f"no {object_type} {object_id} in this tenant",
                       code="EVIDENCE_TARGET_NOT_FOUND", field="objectId")
    return target
