"""Shared helpers of the benchmarks: result rows, percentiles and a throw-away migrated platform.

Every benchmark prints its own detailed table and, through ``emit``, one summary row per figure
(benchmark, size, figure, baseline, ratio, goal, met). When ``IPGOV_BENCH_JSON`` names a file,
``emit`` appends the rows to it as JSON lines: that is how ``bench/run`` gathers one table.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "platform") not in sys.path:
    sys.path.insert(0, str(ROOT / "platform"))

JSON_ENV = "IPGOV_BENCH_JSON"


@dataclass
class Result:
    """One summary figure: ``value`` (in ``unit``) beside a ``baseline`` measured in the same run.

    ``ratio`` is value / baseline; ``goal`` says what the issue asks (e.g. "<= 10x dict",
    "p50 <= 50 ms"); ``met`` is None when there is no goal for this row.
    """

    benchmark: str
    size: str
    figure: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    goal: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        """value / baseline, when both exist."""
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict including the ratio."""
        return {**asdict(self), "ratio": self.ratio}


def emit(rows: Sequence[Result]) -> None:
    """Print the summary rows and append them to ``$IPGOV_BENCH_JSON`` when set."""
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        met = {True: "met", False: "NOT met", None: ""}[row.met]
        print(f"  = {row.benchmark} [{row.size}] {row.figure}: {fmt(row.value)} {row.unit} "
              f"(baseline {fmt(row.baseline)} {row.baseline_label}, ratio {ratio}) "
              f"{row.goal} {met}".rstrip())
    path = os.environ.get(JSON_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row.as_dict()) + "\n")


def fmt(value: float | None) -> str:
    """A number with sensible precision, or a dash."""
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def progress(message: str) -> None:
    """A progress line on stderr (long runs show where they are)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


async def _admin_sql(url: str, sql: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


def delete_redis_namespace(redis_url: str, namespace: str) -> None:
    """Delete every Redis key of a benchmark's namespace."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _migrate(settings: Any) -> None:
    """Run every migration head (core and plugins) in a worker thread's own event loop."""
    from ipgov.db.migrate import upgrade
    from ipgov.startup import build_platform

    platform = build_platform(settings)
    locations = [str(p) for p in platform.registry.hook.register_migrations() if p]
    upgrade(settings.sqlalchemy_url, locations)
    asyncio.run(platform.db.dispose())


@asynccontextmanager
async def bench_platform(postgres: str = "", **settings: Any) -> AsyncIterator[Any]:
    """A freshly migrated platform with the platform tenant, on SQLite in a temporary directory
    or on a new PostgreSQL database (created from ``postgres``, used as its owner, dropped)."""
    from ipgov.settings import Settings
    from ipgov.startup import build_platform
    from ipgov.tenancy.services import ensure_platform_tenant

    settings.setdefault("log_level", "WARNING")
    name = ""
    with tempfile.TemporaryDirectory(prefix="ipgov-bench-") as tmp:
        if postgres:
            from sqlalchemy.engine import make_url

            name = f"ipgov_bench_{uuid.uuid4().hex[:10]}"
            await _admin_sql(postgres, f'CREATE DATABASE "{name}"')
            settings["database_url"] = make_url(postgres).set(database=name).render_as_string(
                hide_password=False)
        conf = Settings(data_dir=Path(tmp), **settings)
        try:
            await asyncio.to_thread(_migrate, conf)
            platform = build_platform(conf)
            try:
                async with platform.db.system_session("bench: platform tenant") as session:
                    await ensure_platform_tenant(platform, session)
                await platform.authz.load()
                yield platform
            finally:
                await platform.close()
        finally:
            if name:
                await _admin_sql(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def timed_ms(reps: int, fn: Callable[[], Any], warmup: int = 1) -> list[float]:
    """Milliseconds of ``reps`` awaited calls of ``fn`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        await fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - start) * 1000)
    return times
