"""End to end with real processes: `ipgov demo`, `ipgov serve`, and a GraphQL client over HTTP.

The README's first command does exactly this; the story below is the one the issue asks for:
sign in, list tenants, onboard a subsidiary, switch the group's mode and watch a subsidiary
user's permissions change.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

IPGOV = [sys.executable, "-m", "ipgov.cli.main"]
PASSWORD = "ipgov-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {**os.environ, "IPGOV_DATA_DIR": str(data), "IPGOV_PORT": str(port),
           "IPGOV_LOG_LEVEL": "WARNING"}
    demo = subprocess.run([*IPGOV, "demo"], env=env, capture_output=True, text=True,
                          timeout=180)
    assert demo.returncode == 0, demo.stderr
    assert "onboarding hanwei-semiconductor" in demo.stderr  # progress is shown
    again = subprocess.run([*IPGOV, "demo"], env=env, capture_output=True, text=True,
                           timeout=180)
    assert again.returncode == 0 and "already loaded" in again.stderr
    proc = subprocess.Popen([*IPGOV, "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"server did not start: {proc.stdout.read() if proc.stdout else ''}")
    yield base, env
    proc.terminate()
    proc.wait(timeout=20)


def _gql(base: str, query: str, variables: dict | None = None, token: str | None = None):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    r = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables or {}},
                   headers=headers, timeout=30)
    return r.status_code, r.json()


def _login(base: str, email: str) -> str:
    _, body = _gql(base, "mutation($e: String!, $p: String!) { login(email: $e, password: $p) "
                         "{ token errors { code } } }", {"e": email, "p": PASSWORD})
    token = body["data"]["login"]["token"]
    assert token, body
    return token


def test_group_admin_story_over_http(server):
    base, _env = server
    admin = _login(base, "li.wei@hanwei.example")
    _, body = _gql(base, "{ tenants(first: 50) { edges { node { id slug parentId } } } }",
                   token=admin)
    tenants = {e["node"]["slug"]: e["node"] for e in body["data"]["tenants"]["edges"]}
    group_id = tenants["hanwei-group"]["id"]
    subsidiaries = [s for s, t in tenants.items() if t["parentId"] == group_id]
    assert len(subsidiaries) >= 3
    assert "northstar-robotics" not in tenants  # another group stays invisible

    _, body = _gql(base, "mutation($p: ID!) { onboardSubsidiary(input: {parentId: $p, "
                         "slug: \"hanwei-batteries\", name: \"Hanwei Batteries\"}) "
                         "{ tenant { id slug governanceMode } errors { code } } }",
                   {"p": group_id}, token=admin)
    assert body["data"]["onboardSubsidiary"]["tenant"]["slug"] == "hanwei-batteries"

    semi = tenants["hanwei-semiconductor"]["id"]
    engineer = _login(base, "zhao.lei@hanwei.example")
    can = ("query($t: ID!) { can(tenantId: $t, object: \"ip_governance:asset\", "
           "action: \"create\") }")
    assert _gql(base, can, {"t": semi}, engineer)[1]["data"]["can"] is False  # group baseline

    _, body = _gql(base, "mutation($t: ID!) { setGovernanceMode(tenantId: $t, "
                         "mode: DECENTRALIZED) { tenant { governanceMode } errors { code } } }",
                   {"t": group_id}, token=admin)
    assert body["data"]["setGovernanceMode"]["tenant"]["governanceMode"] == "DECENTRALIZED"
    assert _gql(base, can, {"t": semi}, engineer)[1]["data"]["can"] is True
    status, body = _gql(base, "query($t: ID!) { members(tenantId: $t) { edges { node { role } "
                              "} } }", {"t": semi}, admin)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_unauthenticated_and_malformed_tokens_get_401(server):
    base, _env = server
    status, _ = _gql(base, "{ tenants { edges { node { id } } } }")
    assert status == 401
    status, _ = _gql(base, "{ me { id } }", token="not.a.jwt")
    assert status == 401


def test_cli_errors_are_one_line_and_non_zero(server):
    _base, env = server
    bad = subprocess.run([*IPGOV, "tenant", "onboard", "no-such-group", "x", "--name", "X"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0 and "no-such-group" in bad.stderr
    dup = subprocess.run([*IPGOV, "tenant", "onboard", "hanwei-group", "hanwei-medical",
                          "--name", "Dup"], env=env, capture_output=True, text=True, timeout=60)
    assert dup.returncode != 0 and "DUPLICATE_SLUG" in dup.stderr
    ok = subprocess.run([*IPGOV, "audit", "verify"], env=env, capture_output=True, text=True,
                        timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "TAMPERED" not in ok.stdout
    plugins = subprocess.run([*IPGOV, "plugin", "list"], env=env, capture_output=True,
                             text=True, timeout=60)
    assert "ip_governance" in plugins.stdout


def test_help_explains_each_command():
    out = subprocess.run([*IPGOV, "--help"], capture_output=True, text=True, timeout=60)
    for command in ("serve", "migrate", "tenant", "user", "plugin", "demo", "audit"):
        assert command in out.stdout
    assert Path(__file__).exists()


def test_review_runs_in_the_servers_embedded_workers(server):
    base, _env = server
    admin = _login(base, "li.wei@hanwei.example")
    _, body = _gql(base, "{ tenants(first: 50) { edges { node { id slug } } } }", token=admin)
    group = next(e["node"]["id"] for e in body["data"]["tenants"]["edges"]
                 if e["node"]["slug"] == "hanwei-group")
    _, body = _gql(base, "mutation($t: ID!) { requestGroupReview(tenantId: $t) "
                         "{ run { id status } errors { code } } }", {"t": group}, admin)
    run_id = body["data"]["requestGroupReview"]["run"]["id"]
    query = ("query($t: ID!, $r: ID!) { reviewRun(tenantId: $t, id: $r) { status "
             "childrenTotal childrenDone scores } }")
    for _ in range(300):
        run = _gql(base, query, {"t": group, "r": run_id}, admin)[1]["data"]["reviewRun"]
        if run["status"] in ("succeeded", "partial", "failed"):
            break
        time.sleep(0.1)
    assert run["status"] == "succeeded", run
    assert run["childrenTotal"] == run["childrenDone"] >= 4
    assert run["scores"]["overall"] is not None
