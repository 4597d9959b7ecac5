"""Writing policies: rule rows, the change log and the version, in the caller's transaction.

Every function here takes the session of the change that causes the policy change, so a
membership and its ``g`` rule, or a mode switch and its recomputed rules, commit together or not
at all. Processes learn of committed changes through ``ipgov.authz.watcher``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import new_id, utcnow

from .models import AuthzRule, PolicyChange, PolicyVersion

__all__ = [
    "PolicyRule",
    "RoleAssignment",
    "add_policies",
    "assign_role",
    "bump_version",
    "deactivate",
    "engine_tuple",
    "record_tree_change",
    "remove_rules",
    "unassign_role",
]

ALLOW, DENY = "allow", "deny"


@dataclass(frozen=True)
class PolicyRule:
    """``subject`` may ``action`` on ``obj`` (or is denied it) in one domain."""

    subject: str
    obj: str
    action: str
    effect: str = ALLOW


@dataclass(frozen=True)
class RoleAssignment:
    """``user_id`` holds ``role`` in one domain."""

    user_id: str
    role: str


def engine_tuple(rule: AuthzRule) -> tuple[str, ...]:
    """The Casbin-style tuple the decision engine loads for a stored rule."""
    if rule.ptype == "g":
        return ("g", rule.v0, rule.v1, rule.tenant_id)
    return ("p", rule.v0, rule.tenant_id, rule.v1, rule.v2, rule.v3)


async def bump_version(session: AsyncSession) -> int:
    """Increment the policy version under a row lock and return it.

    The lock orders policy writers, so versions become visible in increasing order.
    """
    result = await session.execute(
        update(PolicyVersion)
        .where(PolicyVersion.id == 1)
        .values(version=PolicyVersion.version + 1)
        .returning(PolicyVersion.version)
    )
    version = result.scalar_one_or_none()
    if version is None:
        session.add(PolicyVersion(id=1, version=1))
        await session.flush()
        version = 1
    session.info["ipgov.policy_version"] = version
    return version


async def _version(session: AsyncSession) -> int:
    cached = session.info.get("ipgov.policy_version")
    if cached is not None:
        return cached
    return await bump_version(session)


async def _log(session: AsyncSession, op: str, rules: Iterable[AuthzRule]) -> None:
    """Append the change log rows in one bulk insert (onboarding writes hundreds)."""
    rows = [
        {"version": 0, "op": op, "domain": r.tenant_id, "ptype": r.ptype, "v0": r.v0,
         "v1": r.v1, "v2": r.v2 or "", "v3": r.v3 or ""}
        for r in rules
    ]
    if not rows:
        return
    version = await _version(session)
    for row in rows:
        row["version"] = version
    await session.execute(insert(PolicyChange), rows)


async def add_policies(
    session: AsyncSession,
    domain: str,
    rules: Sequence[PolicyRule],
    *,
    origin: str,
    template: bool = False,
    active: bool = True,
) -> list[AuthzRule]:
    """Store ``p`` rules in ``domain`` in one bulk insert; active ones are logged for the
    engines. Returns detached copies of the stored rows (for ids and display)."""
    now = utcnow()
    values = [
        {"id": new_id(), "tenant_id": domain, "ptype": "p", "v0": r.subject, "v1": r.obj,
         "v2": r.action, "v3": r.effect, "origin": origin, "template": template,
         "active": active, "created_at": now}
        for r in rules
    ]
    if values:
        await session.execute(insert(AuthzRule), values)
    rows = [AuthzRule(**v) for v in values]
    await _log(session, "add", [r for r in rows if active])
    return rows


async def assign_role(session: AsyncSession, domain: str, user_id: str, role: str) -> AuthzRule:
    """Store the ``g`` rule that gives ``user_id`` the role ``role`` in ``domain``."""
    row = AuthzRule(tenant_id=domain, ptype="g", v0=user_id, v1=role, origin="membership")
    session.add(row)
    await _log(session, "add", [row])
    return row


async def unassign_role(session: AsyncSession, domain: str, user_id: str, role: str) -> int:
    """Remove the ``g`` rule of a membership; returns how many rules went."""
    stmt = select(AuthzRule).where(
        AuthzRule.tenant_id == domain,
        AuthzRule.ptype == "g",
        AuthzRule.v0 == user_id,
        AuthzRule.v1 == role,
    )
    return await remove_rules(session, list((await session.execute(stmt)).scalars()))


def _key(rule: AuthzRule) -> tuple[str, ...]:
    return (rule.tenant_id, rule.ptype, rule.v0, rule.v1, rule.v2 or "", rule.v3 or "")


async def _without_twins(session: AsyncSession, rows: Sequence[AuthzRule]) -> list[AuthzRule]:
    """The active ``rows`` whose rule no other active stored row repeats.

    The engines hold rules as a set: a local allow equal to a default grant is one rule
    there, and logging its removal would take the default away too (until a cold reload,
    so processes would disagree). Removing one of two twins changes nothing to log."""
    going = [r for r in rows if r.active]
    if not going:
        return []
    ids = {r.id for r in rows}
    stmt = select(AuthzRule).where(
        AuthzRule.active.is_(True),
        AuthzRule.tenant_id.in_(sorted({r.tenant_id for r in going})),
        AuthzRule.v0.in_(sorted({r.v0 for r in going})),
        AuthzRule.v1.in_(sorted({r.v1 for r in going})))
    staying = {_key(r) for r in (await session.execute(stmt)).scalars() if r.id not in ids}
    return [r for r in going if _key(r) not in staying]


async def remove_rules(session: AsyncSession, rows: Sequence[AuthzRule]) -> int:
    """Delete stored rules; active ones no other stored rule repeats are logged as removed."""
    await _log(session, "remove", await _without_twins(session, rows))
    for row in rows:
        await session.delete(row)
    await session.flush()
    return len(rows)


async def deactivate(session: AsyncSession, rows: Sequence[AuthzRule], active: bool) -> int:
    """Switch rules on or off without deleting them (local rules under a centralized group)."""
    changed = [r for r in rows if r.active != active]
    logged = changed if active else await _without_twins(session, changed)
    for row in changed:
        row.active = active
    await _log(session, "add" if active else "remove", logged)
    return len(changed)


async def record_tree_change(session: AsyncSession, domain: str) -> None:
    """Log that the tenant tree or a governance mode changed; engines reload their tree."""
    version = await _version(session)
    session.add(PolicyChange(version=version, op="tree", domain=domain))


def _forget_version(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("ipgov.policy_version", None)


def _install_listener() -> None:
    from sqlalchemy import event

    from ipgov.db.session import ScopedSession

    event.listen(ScopedSession, "after_transaction_end", _forget_version)


_install_listener()
