"""Real ``ipgov`` processes for the end-to-end tests: a free port, a command-line call, a
served platform until the test is done, the demo after a group review."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

IPGOV = [sys.executable, "-m", "ipgov.cli.main"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*IPGOV, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def running_server(env: dict[str, str], *serve_args: str):
    """``ipgov serve`` with ``env`` until the generator is closed; yields its base URL."""
    import httpx

    proc = subprocess.Popen([*IPGOV, "serve", *serve_args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{env['IPGOV_PORT']}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"server did not start: {proc.stdout.read() if proc.stdout else ''}")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def person(env: dict[str, str], email: str, tenant: str, role: str, password: str) -> None:
    """A local account with a password and one role (a journey that changes how a person signs
    in, such as enrolling a second factor, uses its own)."""
    _cli(env, "user", "create", email, "--name", email.split("@")[0], "--password", password)
    _cli(env, "user", "grant", email, tenant, role)


def reviewed_demo(data: Path) -> dict[str, str]:
    """The environment of a data directory holding the demo after a group review."""
    env = {**os.environ, "IPGOV_DATA_DIR": str(data), "IPGOV_PORT": str(_free_port()),
           "IPGOV_LOG_LEVEL": "WARNING"}
    _cli(env, "demo")
    _cli(env, "review", "run", "hanwei-group", "--group")
    return env
