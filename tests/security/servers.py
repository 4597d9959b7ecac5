"""Real ``ipgov serve`` processes on a test's database and data directory, and timed calls.

``ApiProcess(platform, env, name)`` starts one API process (same signing key and database as
the test's platform, rate limits off unless ``env`` sets them), waits for ``/healthz`` and
stops it on exit; its log is ``<data dir>/<name>.log``. ``timed`` runs a request and returns
its response (or the exception) with how long it took.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ApiProcess", "free_port", "timed"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ApiProcess:
    """``ipgov serve --no-migrate`` as a separate process (real HTTP, real lifespan)."""

    def __init__(self, platform: Any, env: dict[str, str] | None = None,
                 name: str = "api") -> None:
        s = platform.settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
        self.env.update({"IPGOV_DATA_DIR": str(s.data_dir), "IPGOV_DATABASE_URL": s.database_url,
                         "IPGOV_APP_DATABASE_URL": s.app_database_url,
                         "IPGOV_RATE_LIMIT_USER": "", "IPGOV_RATE_LIMIT_ANONYMOUS": "",
                         "IPGOV_RATE_LIMIT_TENANT": "", "IPGOV_LOG_LEVEL": "WARNING",
                         "PYTHONUNBUFFERED": "1", **(env or {})})
        self.log = Path(s.data_dir) / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> ApiProcess:
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ipgov.cli.main", "serve", "--no-migrate", "--port",
                 str(self.port)], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.__exit__()
        raise AssertionError(f"server did not start: {self.tail()}")

    def __exit__(self, *_exc: Any) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def tail(self, chars: int = 3000) -> str:
        """The end of the server's log."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


async def timed(call: Any) -> tuple[httpx.Response | Exception, float]:
    """Await ``call`` (a coroutine making one request); (response or exception, seconds)."""
    started = time.monotonic()
    try:
        result: httpx.Response | Exception = await call
    except Exception as exc:  # a timeout is an outcome the test reports, not a crash
        result = exc
    return result, time.monotonic() - started
