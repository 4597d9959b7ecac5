"""Benchmark of previewing a group's governance-mode change, beside the change itself.

For each size N (default 10 and 100) a hybrid group holds N subsidiaries (one onboarded for
real with a tenant admin, then cloned by ``_tenants.clone_subsidiaries``, ~375 rules each) and a
group director and auditor. Over ``--reps`` calls each after one warm-up, in turns:

* preview: ``tenancy.services.preview_governance_mode`` to decentralized: the change run in a
  transaction that is rolled back, with the effective rights of every member profile of every
  tenant compared before and after (what ``previewGovernanceMode`` answers);
* baseline: the same change without measuring its effect (recompute policies and plugins of
  the subtree), in a transaction that is rolled back too.

The ratio is what measuring the effect costs on top of making the change. SQLite in a temporary
directory; also PostgreSQL when ``--postgres`` or ``IPGOV_TEST_POSTGRES_URL`` is set.
Run: ``python bench/governance_mode.py [--sizes 10,100] [--reps 3] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from _common import Result, bench_platform, emit, percentile, progress
from _tenants import clone_subsidiaries


async def _group(platform: Any, size: int) -> tuple[str, int]:
    """A hybrid group with ``size`` subsidiaries and members; its id and the effect's size."""
    from ipgov.identity.service import add_membership, create_user
    from ipgov.tenancy import services

    async with platform.db.system_session("bench: group") as s:
        group = await services.create_group(platform, s, slug="bench-group", name="Bench",
                                            governance_mode="hybrid", actor="bench")
        for email, role in (("director@bench.example", "group_admin"),
                            ("auditor@bench.example", "auditor")):
            user = await create_user(s, email=email, display_name=email)
            await add_membership(platform, s, tenant_id=group.id, user_id=user.id, role=role,
                                 actor="bench")
    ids = await clone_subsidiaries(platform, group.id, size)
    async with platform.db.system_session("bench: local admin") as s:
        user = await create_user(s, email="admin@sub.example", display_name="admin")
        await add_membership(platform, s, tenant_id=ids[0], user_id=user.id,
                             role="tenant_admin", actor="bench")
    await platform.authz.load()
    effect = await services.preview_governance_mode(platform, tenant_id=group.id,
                                                    mode="decentralized")
    return group.id, len(effect.tenants)


async def _plain_change(platform: Any, group_id: str) -> None:
    """The mode change itself, unmeasured, rolled back."""
    from ipgov.tenancy import enablement
    from ipgov.tenancy.policies import recompute_effective_policies
    from ipgov.tenancy.tree import get_tenant

    async with platform.db.system_session("bench: plain change") as s:
        try:
            tenant = await get_tenant(s, group_id)
            tenant.governance_mode = "decentralized"
            await s.flush()
            await recompute_effective_policies(s, tenant)
            await enablement.recompute_plugins(platform, s, tenant, actor="bench",
                                               provision=False)
        finally:
            await s.rollback()


async def _turns(reps: int, platform: Any, group_id: str) -> tuple[list[float], list[float]]:
    from ipgov.tenancy import services

    async def preview() -> None:
        await services.preview_governance_mode(platform, tenant_id=group_id,
                                               mode="decentralized")

    await preview()
    await _plain_change(platform, group_id)
    previews, plains = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        await preview()
        previews.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        await _plain_change(platform, group_id)
        plains.append((time.perf_counter() - t0) * 1000)
    return previews, plains


async def run(size: int, reps: int, postgres: str) -> list[Result]:
    backend = "postgresql" if postgres else "sqlite"
    async with bench_platform(postgres) as platform:
        progress(f"{backend}: group with {size} subsidiaries")
        group_id, changed = await _group(platform, size)
        previews, plains = await _turns(reps, platform, group_id)
    p50, base = percentile(previews, 0.5), percentile(plains, 0.5)
    print(f"{backend} N={size}: preview p50 {p50:.1f} ms, change p50 {base:.1f} ms, "
          f"{changed} tenants in the effect")
    return [Result("governance_mode", f"{backend} N={size}", "preview p50", p50, "ms",
                   baseline=base, baseline_label="ms unmeasured change")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("IPGOV_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows += asyncio.run(run(size, args.reps, ""))
        if args.postgres:
            rows += asyncio.run(run(size, args.reps, args.postgres))
    emit(rows)


if __name__ == "__main__":
    main()
