"""An ``ipgov worker`` process signalled twice (a process group signalled by systemd or Docker,
beside Dramatiq's main process forwarding its own SIGTERM) exits instead of hanging until
SIGKILL: Dramatiq answers the second signal with ``sys.exit`` and no shutdown hooks, and its
event loop thread is not a daemon (``ipgov.work.worker._stop_at_exit``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

REDIS_URL = os.environ.get("IPGOV_TEST_REDIS_URL", "")

pytestmark = [pytest.mark.redis,
              pytest.mark.skipif(not REDIS_URL, reason="needs IPGOV_TEST_REDIS_URL")]


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True,
                           check=False).stdout.split()
    return [int(p) for p in found]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                           text=True, check=False).stdout.strip()
    return bool(state) and not state.startswith("Z")


@pytest.mark.parametrize("gap", [0.05, 0.6])
def test_a_worker_signalled_twice_exits(sqlite_template, tmp_path, gap):
    import shutil

    from tests.e2e.test_review_workers import _cleanup_redis

    shutil.copy(sqlite_template, tmp_path / "ipgov.db")
    namespace = f"ipgov-sig-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({"IPGOV_DATA_DIR": str(tmp_path), "IPGOV_BROKER_URL": REDIS_URL,
                "IPGOV_BROKER_NAMESPACE": namespace, "IPGOV_LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1"})
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ipgov.cli.main", "worker",
                                 "--processes", "1", "--threads", "2"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while "ready for action" not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        (child,) = _children(proc.pid)
        os.kill(child, signal.SIGTERM)
        time.sleep(gap)
        os.kill(child, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(child), f"the worker process hung after two SIGTERMs\n" \
                                  f"{log.read_text()[-2000:]}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        import asyncio

        asyncio.run(_cleanup_redis(namespace))
