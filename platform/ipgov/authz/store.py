"""Writing policies: rule rows, rule sets, the change log and the version, in the caller's
transaction.

Every function here takes the session of the change that causes the policy change, so a
membership and its ``g`` rule, or a mode switch and its recomputed rules, commit together or not
at all. Processes learn of committed changes through the change log (``AuthzService.refresh``).

Rules every tenant of a kind holds alike (the default grants of its roles) are not copied into
each tenant: they are stored once as a content-addressed *rule set* and each tenant holds one
reference row (``ptype`` "s"), logged as ``attach``/``detach``. A tenant that removes one rule
of a set references the set without it (copy-on-write; shared again by every tenant that
removed the same rule).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import new_id, utcnow

from .models import AuthzRule, AuthzRuleSet, AuthzRuleSetRule, PolicyChange, PolicyVersion

__all__ = [
    "PolicyRule",
    "RoleAssignment",
    "SetRule",
    "add_policies",
    "assign_role",
    "attach_rule_set",
    "read_rule_sets",
    "remove_from_rule_set",
    "rule_key",
    "rule_set_id",
    "bump_version",
    "deactivate",
    "default_grants_held",
    "record_tree_change",
    "remove_rules",
    "unassign_role",
]

ALLOW, DENY = "allow", "deny"
SET = "s"
"""``ptype`` of a row that references a rule set (``v0`` = its id)."""
SetRule = tuple[str, str, str, str]
"""(subject, object, action, effect)."""
_SET_OPS = {"add": "attach", "remove": "detach"}


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
    """Append the change log rows in one bulk insert; a set reference is logged as
    ``attach``/``detach`` of its set."""
    rows = [
        {"version": 0, "op": _SET_OPS[op] if r.ptype == SET else op, "domain": r.tenant_id,
         "ptype": r.ptype, "v0": r.v0, "v1": r.v1, "v2": r.v2 or "", "v3": r.v3 or ""}
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


# -- rule sets -----------------------------------------------------------------------------


def _canonical(rules: Iterable[PolicyRule | SetRule]) -> list[SetRule]:
    out = set()
    for r in rules:
        out.add((r.subject, r.obj, r.action, r.effect) if isinstance(r, PolicyRule) else
                tuple(r))
    return sorted(out)  # type: ignore[arg-type]


def rule_set_id(rules: Iterable[SetRule]) -> str:
    """The content address of a set: SHA-256 of its sorted, distinct rules."""
    text = "\n".join("\x1f".join(r) for r in _canonical(rules))
    return hashlib.sha256(text.encode()).hexdigest()


def rule_key(rule: SetRule) -> str:
    """A short stable name of one rule inside a set (part of its GraphQL id)."""
    return hashlib.sha256("\x1f".join(rule).encode()).hexdigest()[:16]


async def _store_rule_set(session: AsyncSession, rules: Sequence[SetRule]) -> str:
    """Store the set of ``rules`` unless it exists; return its id.

    Concurrent writers of the same set meet on its primary key: the second waits for the
    first and then does nothing (``ON CONFLICT DO NOTHING``)."""
    from sqlalchemy.dialects import postgresql, sqlite

    set_id = rule_set_id(rules)
    values = {"id": set_id, "size": len(rules), "created_at": utcnow()}
    stmt: Any
    if session.get_bind().dialect.name == "postgresql":
        stmt = postgresql.insert(AuthzRuleSet).values(values)
    else:
        stmt = sqlite.insert(AuthzRuleSet).values(values)
    result = await session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
    if result.rowcount:  # type: ignore[attr-defined]
        await session.execute(insert(AuthzRuleSetRule), [
            {"set_id": set_id, "position": n, "v0": r[0], "v1": r[1], "v2": r[2], "v3": r[3]}
            for n, r in enumerate(rules)])
    return set_id


async def attach_rule_set(
    session: AsyncSession, domain: str, rules: Iterable[PolicyRule | SetRule], *, origin: str,
    template: bool = False,
) -> AuthzRule | None:
    """Make ``rules`` apply in ``domain`` by reference to their set (stored once for every
    tenant holding the same rules); returns the reference row, None for no rules."""
    canonical = _canonical(rules)
    if not canonical:
        return None
    set_id = await _store_rule_set(session, canonical)
    values = {"id": new_id(), "tenant_id": domain, "ptype": SET, "v0": set_id, "v1": "",
              "v2": "", "v3": "", "origin": origin, "template": template, "active": True,
              "created_at": utcnow()}
    await session.execute(insert(AuthzRule), [values])
    row = AuthzRule(**values)
    await _log(session, "add", [row])
    return row


async def read_rule_sets(session: AsyncSession, set_ids: Iterable[str]
                         ) -> dict[str, list[SetRule]]:
    """The rules of the named sets, in their stored order (by position, in bulk)."""
    ids = sorted(set(set_ids))
    out: dict[str, list[SetRule]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        rows = (await session.execute(select(
            AuthzRuleSetRule.set_id, AuthzRuleSetRule.v0, AuthzRuleSetRule.v1,
            AuthzRuleSetRule.v2, AuthzRuleSetRule.v3).where(
            AuthzRuleSetRule.set_id.in_(ids[start:start + 500])).order_by(
            AuthzRuleSetRule.set_id, AuthzRuleSetRule.position))).all()
        for set_id, v0, v1, v2, v3 in rows:
            out[set_id].append((v0, v1, v2, v3))
    return out


async def default_grants_held(session: AsyncSession, tenant_id: str
                              ) -> set[tuple[str, str, str]]:
    """(role, object, action) of every default grant the tenant holds: in the sets it
    references with origin ``default`` and in ``default`` rows (stored before rule sets)."""
    rows = (await session.execute(select(
        AuthzRule.ptype, AuthzRule.v0, AuthzRule.v1, AuthzRule.v2).where(
        AuthzRule.tenant_id == tenant_id, AuthzRule.ptype.in_(("p", SET)),
        AuthzRule.origin == "default"))).all()
    held = {(v0, v1, v2) for ptype, v0, v1, v2 in rows if ptype == "p"}
    sets = await read_rule_sets(session, [v0 for ptype, v0, _v1, _v2 in rows if ptype == SET])
    held.update((sub, obj, act) for rules in sets.values() for sub, obj, act, _eft in rules)
    return held


async def remove_from_rule_set(session: AsyncSession, ref: AuthzRule, rule: SetRule) -> None:
    """Take one rule out of what ``ref`` references in its tenant: the reference moves to the
    set without it (stored if new), or goes when nothing is left. Other tenants are
    untouched."""
    rules = (await read_rule_sets(session, [ref.v0]))[ref.v0]
    rest = [r for r in rules if r != tuple(rule)]
    old = AuthzRule(id=ref.id, tenant_id=ref.tenant_id, ptype=SET, v0=ref.v0, v1="", v2="",
                    v3="", origin=ref.origin, template=ref.template, active=ref.active)
    if not rest:
        await remove_rules(session, [ref])
        return
    ref.v0 = await _store_rule_set(session, rest)
    await _log(session, "remove", await _without_twins(session, [old]))
    if ref.active:
        await _log(session, "add", [ref])
    await session.flush()


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
