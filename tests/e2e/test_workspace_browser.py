"""The workspace's browser journeys (web/e2e/*.spec.ts, Playwright Test) against a real
``ipgov serve`` with the demo loaded and a group review done, in English and Chinese, driving
Debian's Chromium. The journeys click through the README's stories; each also checks axe-core
(WCAG 2 A/AA) and that no Content-Security-Policy violation or page error happened.

Needs the built workspace and its packages (``./scripts/test`` builds them with Node.js from
.venv) and ``/usr/bin/chromium`` (``.ci/run`` installs it); skips, saying which, without them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ipgov.web.shell import workspace_built
from tests.e2e.servers import person, reviewed_demo, running_server

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = Path(os.environ.get("IPGOV_CHROMIUM", "/usr/bin/chromium"))


def _node_bin() -> Path | None:
    """The node of .venv/node-bin (scripts/_node.sh) or the machine's own."""
    local = ROOT / ".venv" / "node-bin" / "node"
    found = local if local.exists() else shutil.which("node")
    return Path(found) if found else None


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"needs Debian's chromium at {CHROMIUM} (.ci/run installs it)"
    if not workspace_built() or not (WEB / "node_modules" / "@playwright" / "test").is_dir():
        return "needs the built workspace and web/node_modules (./scripts/test builds them)"
    if _node_bin() is None:
        return "needs Node.js (scripts/_node.sh puts one in .venv/node-bin)"
    return None


if (reason := _missing()) is not None:
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory):
    env = reviewed_demo(tmp_path_factory.mktemp("workspace"))
    # the notifications journey's webhook receiver listens on 127.0.0.1, in plain HTTP
    env.update(IPGOV_NOTIFY_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8", IPGOV_NOTIFY_ALLOW_HTTP="1")
    # served as http://localhost: WebAuthn refuses an IP address as its relying party's id
    local = f"http://localhost:{env['IPGOV_PORT']}"
    env["IPGOV_PUBLIC_URL"] = local
    for lang in ("en", "zh-cn"):  # the second-factor journey's people (one per language)
        person(env, f"mfa-{lang}@hanwei.example", "hanwei-semiconductor", "viewer",
               "ipgov-demo-2026")
    for _base in running_server(env):
        yield local


SPECS = sorted(p.name for p in (WEB / "e2e").glob("*.spec.ts"))
ZH_FIRST = ["director.spec.ts", "ip-manager.spec.ts"]
"""The Chinese journeys of the suite: the screens a group director and an IP manager open first
(every screen's text is checked in both languages by tests/core/test_i18n.py and Vitest); the
other Chinese journeys are long runs (``-m slow``, CI's second pass)."""


@pytest.mark.parametrize(("language", "specs"), [
    ("en", SPECS),
    ("zh-CN", ZH_FIRST),
    pytest.param("zh-CN", [s for s in SPECS if s not in ZH_FIRST], marks=pytest.mark.slow,
                 id="zh-CN-rest"),
], ids=["en", "zh-CN", "zh-CN-rest"])
def test_the_workspace_journeys_pass(language, specs, demo_server, tmp_path):
    """One language a test, so that parallel workers can run them at once."""
    node = _node_bin()
    assert node is not None and specs
    cli = WEB / "node_modules" / "@playwright" / "test" / "cli.js"
    env = {**os.environ, "IPGOV_BASE_URL": demo_server, "IPGOV_E2E_OUTPUT": str(tmp_path),
           "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1", "PATH": f"{node.parent}:{os.environ['PATH']}"}
    files = [f"e2e/{name}" for name in specs]
    # the files before --project, which takes every name after it
    done = subprocess.run([str(node), str(cli), "test", *files, "--project", language], cwd=WEB,
                          env=env, capture_output=True, text=True, timeout=1500, check=False)
    sys.stdout.write(done.stdout[-20000:])
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-4000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) > 0, done.stdout[-4000:]  # the files ran
