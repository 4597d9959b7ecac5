"""Experiment for ``bench/onboarding.py``: the two onboarding changes proposed in
docs/performance.md, applied for the duration of a ``with proposed_changes():`` block.

1. ``tenancy.policies._rules`` loads only the rules ``recompute_effective_policies`` looks at
   (origin ``group:*`` or ``local`` of the tenant, ``template`` rules of the parent) instead of
   every ``p`` rule of both as ORM objects (~750 objects per onboarding, all then discarded).
2. ``authz.store.add_policies`` writes the change log straight from the row dicts it inserted
   instead of first building one ``AuthzRule`` ORM object per rule; it builds those objects only
   for a caller that uses them (``add_policy``: one rule).

Both keep every stored row identical (the benchmark's ``_check_same_rows`` proves it on a
tenant onboarded each way).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.models import AuthzRule, PolicyChange
from ipgov.db.base import new_id, utcnow
from ipgov.tenancy import policies


async def _rules(session: AsyncSession, tenant_id: str) -> list[AuthzRule]:
    """Change 1: only the rules that ``recompute_effective_policies`` filters for."""
    stmt = select(AuthzRule).where(
        AuthzRule.tenant_id == tenant_id, AuthzRule.ptype == "p",
        or_(AuthzRule.origin.startswith("group:"), AuthzRule.origin == "local",
            AuthzRule.template.is_(True)))
    return list((await session.execute(stmt)).scalars())


class _Rows(list):
    """The ``add_policies`` result, built only when a caller reads it (change 2)."""

    def __init__(self, values: list[dict[str, Any]]) -> None:
        super().__init__()
        self._values: list[dict[str, Any]] | None = values

    def _fill(self) -> None:
        if self._values is not None:
            values, self._values = self._values, None
            self.extend(AuthzRule(**v) for v in values)

    def __iter__(self) -> Iterator[Any]:
        self._fill()
        return super().__iter__()

    def __getitem__(self, index: Any) -> Any:
        self._fill()
        return super().__getitem__(index)

    def __len__(self) -> int:
        self._fill()
        return super().__len__()


async def add_policies(
    session: AsyncSession, domain: str, rules: Sequence[store.PolicyRule], *, origin: str,
    template: bool = False, active: bool = True,
) -> list[AuthzRule]:
    """Change 2: the same inserts as ``store.add_policies``, the log built from the dicts."""
    now = utcnow()
    values = [
        {"id": new_id(), "tenant_id": domain, "ptype": "p", "v0": r.subject, "v1": r.obj,
         "v2": r.action, "v3": r.effect, "origin": origin, "template": template,
         "active": active, "created_at": now}
        for r in rules
    ]
    if values:
        await session.execute(insert(AuthzRule), values)
        if active:
            version = await store._version(session)
            await session.execute(insert(PolicyChange), [
                {"version": version, "op": "add", "domain": domain, "ptype": "p",
                 "v0": v["v0"], "v1": v["v1"], "v2": v["v2"] or "", "v3": v["v3"] or ""}
                for v in values])
    return _Rows(values)


@contextmanager
def proposed_changes() -> Iterator[None]:
    """Patch both changes in, restore the originals on exit."""
    saved = policies._rules, store.add_policies
    policies._rules, store.add_policies = _rules, add_policies  # type: ignore[assignment]
    try:
        yield
    finally:
        policies._rules, store.add_policies = saved  # type: ignore[assignment]
