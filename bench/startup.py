"""Start-up time: building the platform, the ASGI application, and ``ipgov --help``.

Each figure is the median wall time of fresh interpreter processes (cold imports, as a server,
a worker or a command-line call pays them), beside two baselines measured in the same run:
``python -c pass`` (the interpreter) and a bare Litestar application with one route (the web
framework). ``--tree DIR`` measures another checkout of ipgov (e.g. the code before issue 21,
``git worktree add --detach /work/base b33b5d1``) with this virtualenv, by putting its
``platform/`` and ``plugins/`` first on ``PYTHONPATH``.

In-process, after the imports: how long collecting and validating the plugin contributions
takes, and how many times one review run does it (issue 21: the check catalog was rebuilt and
re-validated twice per run; the plugin catalog is built once, at start-up).

Usage: ``bench/startup.py [--reps 7] [--tree DIR] [--label before]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Result, emit, progress

ROOT = Path(__file__).resolve().parents[1]

BARE_LITESTAR = """
from litestar import Litestar, get
@get("/")
async def hello() -> str:
    return "hello"
Litestar([hello])
"""

_BUILD = """
import os, pathlib
from ipgov.settings import Settings
try:
    from ipgov.startup import build_platform
except ImportError:  # before issue 21
    from ipgov.runtime import build_platform
platform = build_platform(Settings(data_dir=pathlib.Path(os.environ["BENCH_DATA"])))
"""

SNIPPETS = {
    "python -c pass": "pass",
    "bare Litestar app": BARE_LITESTAR,
    "build_platform": _BUILD,
    "build_platform + ASGI app": _BUILD + "from ipgov.web.app import create_app\n"
                                          "create_app(platform)\n",
    "ipgov --help": "from ipgov.cli.main import main\n"
                    "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n",
}

IN_PROCESS = _BUILD + """
import json, time
from unittest import mock
calls = {"n": 0}
try:
    from ipgov.plugins import catalog as mod
    build = lambda: mod.build_catalog(platform.registry)
    import ipgov.runtime as runtime
    real = runtime.build_catalog
    def counted(registry):
        calls["n"] += 1
        return real(registry)
    patch = mock.patch.object(runtime, "build_catalog", counted)
except ImportError:  # before issue 21: the check catalog and the job kinds, built apart
    from ipgov.reviews import catalog as mod
    from ipgov.jobs.service import job_kinds
    def build():
        platform.extras.pop("job_kinds", None)
        mod.all_checks(platform)
        job_kinds(platform)
    real = mod.all_checks
    def counted(p):
        calls["n"] += 1
        return real(p)
    patch = mock.patch.object(mod, "all_checks", counted)
build()
times = []
for _ in range(20):
    start = time.perf_counter()
    build()
    times.append(time.perf_counter() - start)
times.sort()

import asyncio
from ipgov.reviews.inline import run_inline
from ipgov.tenancy.services import create_group, ensure_platform_tenant
from ipgov.db.migrate import upgrade

async def one_review():
    await platform.authz.load()
    async with platform.db.system_session("bench: platform tenant") as session:
        await ensure_platform_tenant(platform, session)
    async with platform.db.system_session("bench: group") as session:
        group = await create_group(platform, session, slug="bench", name="Bench",
                                   governance_mode="hybrid", actor="bench")
    await platform.authz.refresh()
    with patch:
        await run_inline(platform, group.id, actor="bench")
    await platform.close()

locations = [str(p) for p in platform.registry.hook.register_migrations() if p]
upgrade(platform.settings.sqlalchemy_url, locations, progress=lambda message: None)
asyncio.run(one_review())
print(json.dumps({"catalog_ms": times[len(times) // 2] * 1000, "builds_per_review": calls["n"]}))
"""


def _env(tree: Path | None, data: str) -> dict[str, str]:
    env = {**os.environ, "BENCH_DATA": data, "IPGOV_LOG_LEVEL": "WARNING"}
    env.pop("IPGOV_ENABLED_PLUGINS", None)
    if tree is not None:
        env["PYTHONPATH"] = f"{tree / 'platform'}:{tree / 'plugins'}"
    return env


def cold(code: str, reps: int, tree: Path | None) -> float:
    """Median seconds of ``reps`` fresh interpreters running ``code``."""
    times = []
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as data:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=_env(tree, data), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(tree: Path | None) -> dict[str, float]:
    """Catalog build time (warm) and catalog builds during one review run."""
    with tempfile.TemporaryDirectory() as data:
        done = subprocess.run([sys.executable, "-c", IN_PROCESS], env=_env(tree, data),
                              check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--tree", type=Path, default=None)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    label = args.label or ("this tree" if args.tree is None else str(args.tree))
    figures = {}
    for name, code in SNIPPETS.items():
        progress(f"{label}: {name} x{args.reps}")
        figures[name] = cold(code, args.reps, args.tree)
        print(f"  {name:<28} {figures[name] * 1000:8.0f} ms")
    progress(f"{label}: catalog in process")
    inside = in_process(args.tree)
    print(f"  plugin catalog build (warm)  {inside['catalog_ms']:8.1f} ms; "
          f"builds during one review run: {inside['builds_per_review']}")
    interpreter, litestar = figures["python -c pass"], figures["bare Litestar app"]
    rows = [Result("startup", label, name, figures[name] * 1000, "ms",
                   baseline=litestar * 1000, baseline_label="bare Litestar app")
            for name in ("build_platform", "build_platform + ASGI app", "ipgov --help")]
    rows.append(Result("startup", label, "bare Litestar app", litestar * 1000, "ms",
                       baseline=interpreter * 1000, baseline_label="python -c pass"))
    rows.append(Result("startup", label, "plugin catalog build (warm)", inside["catalog_ms"],
                       "ms", baseline=figures["build_platform"] * 1000,
                       baseline_label="build_platform (cold)"))
    rows.append(Result("startup", label, "catalog builds per review run",
                       inside["builds_per_review"], "builds", goal="0",
                       met=inside["builds_per_review"] == 0))
    emit(rows)


if __name__ == "__main__":
    main()
