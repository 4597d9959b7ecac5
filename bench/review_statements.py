"""How many SQL statements one review costs, beside a fixed baseline measured in the same run.

A review is requested and executed in this process (as ``run_inline`` does: request, claim,
every check, finalise, directives, escalation; the finished run is not read back), first of
one subsidiary, then of a group with its subsidiaries (fan-out, one run per tenant,
aggregation). Every statement any engine of the platform executes is counted
(``before_cursor_execute``), by kind (SELECT, INSERT, UPDATE, other), and every transaction
begun (the engines' ``begin`` event; on PostgreSQL each also costs a ``set_config`` naming the
scope). The baseline is one audited write (a tenant session appending one audit event), an
operation the review machinery does not touch, so the ratio compares the review's cost with
the platform's cheapest audited unit of work, on the same database, in the same run.

The figures are statement counts, not times: they do not depend on the machine's load. Run on
b33b5d1 and after (``PYTHONPATH`` pointing at that tree's ``platform`` and ``plugins``) to
compare the two review machines; the results are in the docstring of ``main``'s output and in
/work/notes (issue 21).

Usage: ``bench/review_statements.py [--subsidiaries 3] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from typing import Any

from _common import Result, bench_platform, emit, progress
from sqlalchemy import event


class StatementCounter:
    """Counts the statements every engine of ``platform`` executes while ``counting``."""

    def __init__(self, platform: Any) -> None:
        self.kinds: collections.Counter[str] = collections.Counter()
        self.counting = False
        for engine in platform.db.engines:
            event.listen(engine.sync_engine, "before_cursor_execute", self._seen)
            event.listen(engine.sync_engine, "begin", self._began)

    def _began(self, _conn: Any) -> None:
        if self.counting:
            self.kinds["transactions"] += 1

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.counting:
            verb = statement.lstrip().split(None, 1)[0].upper()
            self.kinds[verb if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else "other"] += 1

    async def count(self, work: Any) -> collections.Counter[str]:
        """The statements ``await work()`` executes, by kind."""
        self.kinds.clear()
        self.counting = True
        try:
            await work()
        finally:
            self.counting = False
        return collections.Counter(self.kinds)


async def _group(platform: Any, subsidiaries: int) -> dict[str, str]:
    from ipgov.tenancy import services

    ids: dict[str, str] = {}
    async with platform.db.system_session("bench: group") as session:
        group = await services.create_group(platform, session, slug="acme", name="Acme",
                                            governance_mode="hybrid", actor="bench")
        ids["acme"] = group.id
        for i in range(subsidiaries):
            tenant = await services.onboard_subsidiary(
                platform, session, parent_id=group.id, slug=f"acme-{i}", name=f"Acme {i}",
                actor="bench")
            ids[tenant.slug] = tenant.id
    await platform.authz.refresh()
    return ids


async def _audited_write(platform: Any, tenant_id: str) -> None:
    async with platform.db.tenant_session(tenant_id) as session:
        await platform.audit(session, tenant_id=tenant_id, actor="bench", action="bench.noop",
                             object_type="bench:noop", object_id="1")


async def _review(platform: Any, tenant_id: str, group: bool = False) -> None:
    """What ``run_inline`` does, without reading the finished run back."""
    from ipgov.reviews.runner import KIND
    from ipgov.reviews.service import request_review
    from ipgov.work.queue import InlineQueue

    queue = InlineQueue(kinds={KIND}, forward=platform.work.queue)
    with platform.work.carried_by(queue):
        await request_review(platform, tenant_id=tenant_id, actor="bench",
                             kind="group" if group else "tenant")
        await queue.drain(platform, lambda *_: None)


def _statements(counts: collections.Counter[str]) -> int:
    return sum(n for kind, n in counts.items() if kind != "transactions")


def _line(label: str, counts: collections.Counter[str]) -> str:
    parts = ", ".join(f"{k} {counts[k]}" for k in ("SELECT", "INSERT", "UPDATE", "DELETE",
                                                    "other") if counts[k])
    return (f"  {label:<34} {counts['transactions']:>4} transactions "
            f"{_statements(counts):>5} statements ({parts})")


async def measure(args: argparse.Namespace) -> list[Result]:
    from ipgov.reviews.inline import run_inline

    async with bench_platform(args.postgres) as platform:
        ids = await _group(platform, args.subsidiaries)
        counter = StatementCounter(platform)
        first = ids["acme-0"]
        await run_inline(platform, first)  # warm: catalog, caches, first directives opened
        await _audited_write(platform, first)
        baseline = await counter.count(lambda: _audited_write(platform, first))
        tenant = await counter.count(lambda: _review(platform, first))
        group = await counter.count(lambda: _review(platform, ids["acme"], group=True))
    backend = "PostgreSQL" if args.postgres else "SQLite"
    tenants = args.subsidiaries + 1
    print(f"SQL statements per review ({backend}; group of {tenants} tenants)")
    print(_line("baseline: one audited write", baseline))
    print(_line("review of one subsidiary", tenant))
    print(_line(f"group review ({tenants} tenant runs)", group))
    base = _statements(baseline)
    return [
        Result("review_statements", f"{backend}, 1 tenant", "statements per review",
               _statements(tenant), "statements", base, "one audited write"),
        Result("review_statements", f"{backend}, 1 tenant", "transactions per review",
               tenant["transactions"], "transactions", baseline["transactions"],
               "one audited write"),
        Result("review_statements", f"{backend}, group of {tenants}",
               "statements per group review", _statements(group), "statements", base,
               "one audited write"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subsidiaries", type=int, default=3)
    parser.add_argument("--postgres", default="", help="PostgreSQL admin URL (else SQLite)")
    args = parser.parse_args(argv)
    progress("review statements: seeding a group, running reviews")
    emit(asyncio.run(measure(args)))


if __name__ == "__main__":
    main()
