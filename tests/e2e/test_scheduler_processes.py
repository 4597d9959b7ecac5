"""Two `ipgov scheduler --once` processes at the same moment create each scheduled review once.

A group with three subsidiaries is made through the CLI (four tenants, each with the core's
periodic review schedule); two scheduler processes then run against the same database at the
same time, twice over. Each schedule must have exactly one run with trigger "schedule" for the
current period. Runs on a SQLite file and, when IPGOV_TEST_POSTGRES_URL is set, on PostgreSQL
(owner and non-owner app role).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from ipgov.settings import Settings

IPGOV = [sys.executable, "-m", "ipgov.cli.main"]


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*IPGOV, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"ipgov {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def _two_schedulers(env: dict[str, str]) -> list[int]:
    """Start two `scheduler --once` together; returns how many runs each says it created."""
    procs = [subprocess.Popen([*IPGOV, "scheduler", "--once"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    created = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        match = re.search(r"scheduled (\d+) review", out)
        assert match, out
        created.append(int(match.group(1)))
    return created


async def _scheduled_runs(settings: Settings) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The expected key per schedule of an active tenant, and every schedule-triggered run."""
    from ipgov.db.base import utcnow
    from ipgov.reviews.models import ReviewRun, ReviewSchedule
    from ipgov.reviews.scheduler import period_of
    from ipgov.startup import build_platform
    from ipgov.tenancy.models import Tenant

    platform = build_platform(settings)
    try:
        async with platform.db.system_session("test: scheduled runs") as s:
            schedules = (await s.execute(
                select(ReviewSchedule).join(Tenant, Tenant.id == ReviewSchedule.tenant_id)
                .where(ReviewSchedule.enabled.is_(True), Tenant.status == "active")
            )).scalars().all()
            now = utcnow()
            expected = {s_.tenant_id: f"schedule:{s_.id}:{period_of(now, s_.cadence_days)}"
                        for s_ in schedules}
            runs = (await s.execute(select(ReviewRun.tenant_id, ReviewRun.idempotency_key)
                                    .where(ReviewRun.trigger == "schedule"))).all()
    finally:
        await platform.close()
    return expected, [tuple(r) for r in runs]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({"IPGOV_DATA_DIR": str(tmp_path / "data"), "IPGOV_LOG_LEVEL": "WARNING"})
    if request.param == "postgres":
        from tests.conftest import _truncate

        owner, app, system = request.getfixturevalue("postgres_database")
        asyncio.run(_truncate(owner))  # the session's database is shared with other tests
        env.update({"IPGOV_DATABASE_URL": owner, "IPGOV_APP_DATABASE_URL": app,
                    "IPGOV_SYSTEM_DATABASE_URL": system})
    return env


def test_two_schedulers_at_once_create_each_scheduled_review_once(cli_env):
    _cli(cli_env, "migrate")
    _cli(cli_env, "tenant", "create-group", "acme", "--name", "Acme")
    for suffix in ("a", "b", "c"):
        _cli(cli_env, "tenant", "onboard", "acme", f"acme-{suffix}", "--name", f"Acme {suffix}")
    settings = Settings.from_env(cli_env)

    first = _two_schedulers(cli_env)
    print(f"\nschedulers reported {first} new runs")
    expected, runs = asyncio.run(_scheduled_runs(settings))
    assert len(expected) == 4, expected  # the group and its three subsidiaries
    assert sorted(runs) == sorted(expected.items()), (first, runs)
    assert max(first) <= len(expected) and sum(first) >= len(expected), first

    second = _two_schedulers(cli_env)
    assert second == [0, 0]
    again_expected, again = asyncio.run(_scheduled_runs(settings))
    assert again_expected == expected
    assert sorted(again) == sorted(runs)

