"""Start-up of a served ipgov with many tenants: until ``/readyz`` answers, and its memory.

For each size (default 10, 1,000, 10,000 tenants: one hybrid group and its subsidiaries, made by
``_tenants.clone_subsidiaries``), a SQLite database is built once into ``--cache`` and reused by
later runs (delete the directory to rebuild). Then ``ipgov serve --no-migrate`` is started in a
fresh process on a copy-free read of that file, ``/readyz`` polled every 20 ms, and the
process's resident memory (VmRSS) read the moment it answers (``--serve-reps``). Apart, in a
fresh process after ``build_platform``: ``authz.load()`` alone (the part that grows with the
tenants; the rest of a start-up, imports and the GraphQL schema, does not) and the memory it
adds (``--reps``, medians).

Baselines measured in the same run:

* a plain ``SELECT`` (stdlib ``sqlite3``, by position) of the rows the start-up reads: the
  floor for reading the policy store, whatever the engine does with it;
* ``--tree DIR``: the same for another checkout (e.g. main before rule sets,
  ``git worktree add --detach /tmp/ipgov-base main``), with its own databases (its schema,
  built with this tree's bench helpers), at the sizes of ``--tree-sizes``.

Usage: ``bench/policy_startup.py [--sizes 10,1000,10000] [--reps 3] [--serve-reps 1]
[--cache DIR] [--tree DIR --tree-sizes 10,1000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from _common import Result, emit, progress

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 5.0

_BUILD = """
import asyncio, sys
sys.path.insert(0, {bench!r})
from _common import _migrate
from _tenants import clone_subsidiaries
from pathlib import Path
from ipgov.settings import Settings
from ipgov.startup import build_platform
from ipgov.tenancy import services

async def main():
    conf = Settings(data_dir=Path({data!r}), log_level="WARNING")
    await asyncio.to_thread(_migrate, conf)
    platform = build_platform(conf)
    async with platform.db.system_session("bench: platform tenant") as s:
        await services.ensure_platform_tenant(platform, s)
    async with platform.db.system_session("bench: group") as s:
        group = await services.create_group(platform, s, slug="bench", name="Bench",
                                            governance_mode="hybrid", actor="bench")
    if {count} > 1:
        await clone_subsidiaries(platform, group.id, {count} - 1)
    await platform.close()

asyncio.run(main())
"""


def _env(tree: Path, data: Path) -> dict[str, str]:
    env = {**os.environ, "IPGOV_DATA_DIR": str(data), "IPGOV_LOG_LEVEL": "WARNING",
           "PYTHONPATH": f"{tree / 'platform'}:{tree / 'plugins'}:{tree}"}
    env.pop("IPGOV_ENABLED_PLUGINS", None)
    env.pop("IPGOV_DATABASE_URL", None)
    return env


def build(tree: Path, data: Path, tenants: int) -> None:
    """Create the database of ``tenants`` tenants (group included) in ``data`` once."""
    if (data / "ipgov.db").exists():
        return
    data.mkdir(parents=True, exist_ok=True)
    progress(f"building {tenants:,} tenants in {data} with {tree}")
    t0 = time.perf_counter()
    code = _BUILD.format(bench=str(ROOT / "bench"), data=str(data), count=tenants - 1)
    done = subprocess.run([sys.executable, "-c", code], env=_env(tree, data))
    if done.returncode:
        (data / "ipgov.db").unlink(missing_ok=True)
        raise SystemExit(f"building {data} failed")
    progress(f"built in {time.perf_counter() - t0:.0f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve_once(tree: Path, data: Path, timeout: float = 600.0) -> tuple[float, float]:
    """Seconds from launching ``ipgov serve`` to a 200 from ``/readyz``, and MiB resident."""
    port = _free_port()
    cmd = [sys.executable, "-c", "from ipgov.cli.main import main; main()", "serve",
           "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=_env(tree, data), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise SystemExit(f"ipgov serve exited with {proc.returncode} on {data}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0, _rss_mib(proc.pid)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.02)
        raise SystemExit(f"/readyz did not answer within {timeout:.0f} s")
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_LOAD = """
import asyncio, json, time
from ipgov.cli.common import settings
from ipgov.startup import build_platform

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

platform = build_platform(settings())

async def main():
    before = rss()
    t0 = time.perf_counter()
    await platform.authz.load()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "mib": rss() - before,
                      "rules": platform.authz.engine.rule_count}))
    await platform.close()

asyncio.run(main())
"""


def load_once(tree: Path, data: Path) -> dict[str, float]:
    """In a fresh process after ``build_platform``: seconds of ``authz.load()`` (the part of
    a start-up that grows with the tenants) and the resident memory it adds."""
    done = subprocess.run([sys.executable, "-c", _LOAD], env=_env(tree, data), check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def plain_select(data: Path) -> tuple[float, int]:
    """Seconds to read, by position, every row an engine load reads; and how many rows."""
    conn = sqlite3.connect(data / "ipgov.db")
    try:
        t0 = time.perf_counter()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        rows = conn.execute("SELECT ptype, v0, v1, v2, v3, tenant_id FROM authz_rules "
                            "WHERE active").fetchall()
        count = len(rows)
        if "authz_rule_set_rules" in tables:
            count += len(conn.execute("SELECT set_id, v0, v1, v2, v3 FROM "
                                      "authz_rule_set_rules").fetchall())
        count += len(conn.execute("SELECT id, parent_id, root_id, governance_mode, status, "
                                  "enabled_plugins, slug FROM tenants").fetchall())
        return time.perf_counter() - t0, count
    finally:
        conn.close()


def measure(label: str, tree: Path, cache: Path, size: int, reps: int,
            serve_reps: int) -> list[Result]:
    """Build (once) and measure one tree at one size."""
    data = cache / f"{label.replace(' ', '-')}-{size}"
    build(tree, data, size)
    loads = [load_once(tree, data) for _ in range(reps)]
    load_s = statistics.median(x["seconds"] for x in loads)
    load_mib = statistics.median(x["mib"] for x in loads)
    serves = [serve_once(tree, data) for _ in range(serve_reps)]
    seconds = statistics.median(s for s, _ in serves) if serves else None
    rss = statistics.median(m for _, m in serves) if serves else None
    select_s, rows = plain_select(data)
    name = f"{size:,} tenants, {label}"
    served = (f"serve to /readyz {seconds:7.2f} s, RSS {rss:6.0f} MiB" if serves
              else "serve not measured")
    print(f"  {name:<28} authz.load {load_s:7.2f} s (+{load_mib:6.0f} MiB, "
          f"{int(loads[0]['rules']):,} rules in effect) | {served} | plain SELECT of its "
          f"{rows:,} rows {select_s:6.2f} s")
    goal = size >= 10_000
    rows_out = [Result("policy startup", name, "authz.load", load_s, "s", select_s,
                       "plain SELECT of the rows"),
                Result("policy startup", name, "memory added by authz.load", load_mib, "MiB")]
    if serves:
        rows_out += [
            Result("policy startup", name, "serve to /readyz", seconds, "s", select_s,
                   "plain SELECT of the rows", f"<= {GOAL_S:g} s" if goal else "",
                   seconds <= GOAL_S if goal else None),
            Result("policy startup", name, "resident memory at ready", rss, "MiB")]
    return rows_out


def main() -> None:
    """Parse arguments, build what is missing, measure, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--reps", type=int, default=3, help="authz.load runs per size")
    parser.add_argument("--serve-reps", type=int, default=1,
                        help="ipgov serve starts per size (0: none)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ipgov-bench-startup"))
    parser.add_argument("--tree", type=Path, default=None, help="a baseline checkout")
    parser.add_argument("--tree-sizes", default="10,1000")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    plan = [("this tree", ROOT, int(s)) for s in args.sizes.split(",") if s]
    if args.tree is not None:
        plan += [("baseline", args.tree.resolve(), int(s))
                 for s in args.tree_sizes.split(",") if s]
    if args.build_only:
        for label, tree, size in plan:
            build(tree, args.cache / f"{label.replace(' ', '-')}-{size}", size)
        return
    rows: list[Result] = []
    for label, tree, size in plan:
        progress(f"{label}: {size:,} tenants x{args.reps}")
        rows += measure(label, tree, args.cache, size, args.reps, args.serve_reps)
    emit(rows)


if __name__ == "__main__":
    main()
