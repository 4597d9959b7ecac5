"""The workspace in a real browser: time to the first meaningful paint of the home page and of
the IP asset register holding N assets, and the GraphQL round trips each screen makes, beside
the same screen's bare GraphQL fetch time (its own requests, replayed over HTTP with no browser)
measured in the same run.

A meaningful paint is the screen's content, not its frame: the home page's "What needs me"
heading with its cards loaded, the register's first table row. Each figure is the median of
``--reps`` fresh browser contexts (a new page load, the session already signed in), against
``ipgov serve`` on the embedded default with the demo loaded. Needs the built workspace,
web/node_modules and Debian's /usr/bin/chromium (``./scripts/test`` builds the first two).

Usage: ``bench/workspace.py [--reps 5] [--assets 10000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import Result, emit, progress

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
IPGOV = [sys.executable, "-m", "ipgov.cli.main"]
PASSWORD = "ipgov-demo-2026"
MANAGER = "wang.fang@hanwei.example"
TENANT = "hanwei-semiconductor"

PROBE = r"""
import { chromium } from "@playwright/test";
const [base, cookies, path, selector, reps] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.IPGOV_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
const runs = [];
for (let i = 0; i < Number(reps) + 1; i++) {       // the first load warms the HTTP cache
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies(JSON.parse(cookies).map((c) => ({ ...c, url: base })));
  const page = await context.newPage();
  const bodies = [];
  page.on("request", (q) => { if (q.url().endsWith("/graphql")) bodies.push(q.postData()); });
  const started = Date.now();
  await page.goto(base + path);
  await page.locator(selector).first().waitFor({ state: "visible", timeout: 120000 });
  const paint = Date.now() - started;
  runs.push({ paint, requests: bodies.length, bodies });
  await context.close();
}
await browser.close();
console.log(JSON.stringify(runs.slice(1)));
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _node() -> str:
    local = ROOT / ".venv" / "node-bin" / "node"
    return str(local) if local.exists() else "node"


def _gql(base: str, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables or {}},
                        headers=headers, timeout=120).json()
    if answer.get("errors"):
        raise SystemExit(f"GraphQL refused: {answer['errors'][0]}")
    return dict(answer["data"])


def _login(base: str, email: str) -> tuple[str, str]:
    """A workspace session (cookie mode): its access token, for the bench's own bearer calls,
    and its cookies as JSON, for the browser contexts."""
    response = httpx.post(f"{base}/graphql", headers={"x-ipgov-session": "cookie"}, json={
        "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) "
                 "{ userId } }", "variables": {"e": email, "p": PASSWORD}}, timeout=120)
    cookies = [{"name": c.name, "value": c.value} for c in response.cookies.jar]
    access = next(c["value"] for c in cookies if c["name"].endswith("ipgov_access"))
    return access, json.dumps(cookies)


def _import_assets(base: str, token: str, tenant_id: str, count: int) -> None:
    """``count`` patent assets through importIpAssets, 1,000 rows a request."""
    header = "kind,title,jurisdiction,application_number,status,family_id\n"
    for start in range(0, count, 1000):
        rows = "".join(f"patent,Bench asset {i},CN,CN{202400000000 + i},pending,F{i // 4}\n"
                       for i in range(start, min(count, start + 1000)))
        result = _gql(base, "mutation($t: ID!, $c: String!) { importIpAssets(tenantId: $t, "
                            "csv: $c) { created rowErrors { row message } errors { message } } }",
                      {"t": tenant_id, "c": header + rows}, token)["importIpAssets"]
        if result["errors"] or result["rowErrors"]:
            raise SystemExit(f"import refused: {str(result)[:500]}")
        progress(f"assets imported: {min(count, start + 1000)}/{count}")


def _probe(base: str, cookies: str, path: str, selector: str, reps: int) -> list[dict]:
    script = WEB / ".bench-probe.mjs"  # inside web/ so that @playwright/test resolves
    script.write_text(PROBE, encoding="utf-8")
    try:
        done = subprocess.run([_node(), str(script), base, cookies, path, selector,
                               str(reps)], capture_output=True, text=True, timeout=900,
                              check=False, cwd=WEB)
    finally:
        script.unlink(missing_ok=True)
    if done.returncode != 0:
        raise SystemExit(f"browser probe failed: {done.stderr[-2000:]}")
    runs: list[dict] = json.loads(done.stdout.strip().splitlines()[-1])
    return runs


def _bare_fetch(base: str, token: str, bodies: list[str], reps: int) -> float:
    """The screen's own GraphQL requests, one after another, with no browser: median ms."""
    times = []
    with httpx.Client(base_url=base, timeout=120,
                      headers={"authorization": f"Bearer {token}",
                               "content-type": "application/json"}) as client:
        for _ in range(reps):
            started = time.perf_counter()
            for body in bodies:
                client.post("/graphql", content=body)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _screen(name: str, size: str, base: str, token: str, cookies: str, path: str,
            selector: str, reps: int) -> list[Result]:
    progress(f"{name}: {reps} page loads of {path}")
    runs = _probe(base, cookies, path, selector, reps)
    paint = statistics.median(r["paint"] for r in runs)
    trips = statistics.median(r["requests"] for r in runs)
    bare = _bare_fetch(base, token, [b for b in runs[0]["bodies"] if b], reps)
    print(f"{name:<16} {size:<12} paint {paint:7.0f} ms  round trips {trips:3.0f}  "
          f"bare GraphQL {bare:6.0f} ms")
    return [Result("workspace", size, f"{name}: first meaningful paint", paint, "ms", bare,
                   "the same requests, bare"),
            Result("workspace", size, f"{name}: GraphQL round trips", trips, "requests")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--assets", type=int, default=10000)
    args = parser.parse_args()
    if not (ROOT / "platform/ipgov/web/static/workspace/index.html").exists():
        raise SystemExit("the workspace is not built: ./scripts/test or ./scripts/run builds it")
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "IPGOV_DATA_DIR": data, "IPGOV_PORT": str(_free_port()),
               "IPGOV_LOG_LEVEL": "WARNING"}
        progress("loading the demo")
        subprocess.run([*IPGOV, "demo"], env=env, check=True, capture_output=True)
        server = subprocess.Popen([*IPGOV, "serve"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{env['IPGOV_PORT']}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            token, cookies = _login(base, MANAGER)
            rows = _screen("home", "demo", base, token, cookies, f"/t/{TENANT}/",
                           ".ant-card-body .ant-empty, .ant-card-body .ant-list-item", args.reps)
            tenants = _gql(base, "{ tenants(first: 100) { nodes { id slug } } }", None, token)
            tenant_id = next(t["id"] for t in tenants["tenants"]["nodes"]
                             if t["slug"] == TENANT)
            _import_assets(base, token, tenant_id, args.assets)
            extensions = _gql(base, "query($t: ID!) { workspaceExtensions(tenantId: $t) "
                                    "{ plugin navigation { key path } } }", {"t": tenant_id},
                              token)["workspaceExtensions"]
            register = next((n["path"] for e in extensions for n in e["navigation"]
                             if e["plugin"] == "ip_governance" and "asset" in n["key"]), None)
            if register is None:
                print("asset register: no ip_governance asset screen is installed")
            else:
                token, cookies = _login(base, MANAGER)
                rows += _screen("asset register", f"{args.assets} assets", base, token,
                                cookies, f"/t/{TENANT}{register}", ".ant-table-row", args.reps)
        finally:
            server.terminate()
            server.wait(timeout=20)
    emit(rows)


if __name__ == "__main__":
    main()
