"""A real OpenID provider for the single sign-on tests, and what drives a browser through it.

``OpenIdProvider`` runs ``web/e2e/oidc/provider.mjs`` (the certified ``oidc-provider`` npm
package) under Node with the clients and people a test gives. ``TokenPath`` stands between
ipgov and the provider's token endpoint the way an attacker on that path would: it serves the
provider's real discovery document with the token endpoint pointed at itself, passes token
requests on, and can swap the answer's ID token for another genuine one (issued to another
client, or for another sign-in) or hold the answer back until the ID token has expired.
``Browser`` follows a sign-in like a person: ipgov's login route, the provider's own login and
consent pages, back to ipgov's callback (which it returns unfollowed, so a test can alter it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx

from ipgov.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = ROOT / "web" / "e2e" / "oidc" / "provider.mjs"
PROVIDER_PACKAGE = ROOT / "web" / "node_modules" / "oidc-provider"
PASSWORD = "any password the development pages accept"
SECRET = "a client secret of thirty-two characters"
SAVE = """mutation($t: ID!, $i: IdentityProviderInput!) {
  saveIdentityProvider(tenantId: $t, input: $i) {
    identityProvider { id redirectUri hasClientSecret } errors { code field message } } }"""


def node_binary() -> Path | None:
    """The node of .venv/node-bin (scripts/_node.sh), the shared venv's, or the machine's."""
    local = ROOT / ".venv" / "node-bin" / "node"
    if local.exists():
        return local
    found = shutil.which("node")
    return Path(found) if found else None


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if node_binary() is None:
        return "needs Node.js (scripts/_node.sh puts one in .venv/node-bin)"
    if not PROVIDER_PACKAGE.is_dir():
        return "needs web/node_modules with oidc-provider (cd web && npm ci)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class OpenIdProvider:
    """The ``oidc-provider`` process (see the module)."""

    folder: Path
    clients: list[dict[str, Any]]
    accounts: dict[str, dict[str, Any]]
    short_code_clients: list[str] = field(default_factory=list)
    short_id_token_clients: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        node = node_binary()
        assert node is not None
        config = self.folder / "provider.json"
        config.write_text(json.dumps({
            "issuer": self.issuer, "port": self.port, "clients": self.clients,
            "accounts": self.accounts, "shortCodeClients": self.short_code_clients,
            "shortIdTokenClients": self.short_id_token_clients}))
        log = open(self.folder / "provider.log", "w")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen([str(node), str(PROVIDER_SCRIPT), str(config)],
                                     cwd=PROVIDER_SCRIPT.parent, stdout=log,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the provider exited: {self.log()}")
            try:
                if httpx.get(f"{self.issuer}/.well-known/openid-configuration",
                             timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"the provider did not start: {self.log()}")

    def log(self) -> str:
        path = self.folder / "provider.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class TokenPath:
    """An attacker on the path to the token endpoint (see the module)."""

    def __init__(self, provider: OpenIdProvider) -> None:
        self.provider = provider
        self.port = free_port()
        self.substitute: str | None = None  # an ID token to put in the next answer
        self.hold_seconds = 0.0  # how long to hold the next answer back
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def discovery_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/.well-known/openid-configuration"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        path = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                real = httpx.get(f"{path.provider.issuer}/.well-known/openid-configuration")
                doc = real.json()
                doc["token_endpoint"] = f"http://127.0.0.1:{path.port}/token"
                self._answer(200, json.dumps(doc).encode())

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("authorization", "content-type")}
                real = httpx.post(f"{path.provider.issuer}/token", content=body,
                                  headers=headers)
                answer = real.json()
                if path.substitute and "id_token" in answer:
                    answer["id_token"], path.substitute = path.substitute, None
                if path.hold_seconds:
                    time.sleep(path.hold_seconds)
                    path.hold_seconds = 0.0
                self._answer(real.status_code, json.dumps(answer).encode())

        return Handler


_FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.S)


def _is_on(url: str, base: str) -> bool:
    return urlsplit(url).netloc == urlsplit(base).netloc


class Browser:
    """One person's browser (its own cookies), driving sign-ins (see the module)."""

    def __init__(self, ipgov: str, provider: OpenIdProvider, language: str = "en") -> None:
        self.ipgov, self.provider = ipgov, provider
        self.client = httpx.AsyncClient(timeout=30, follow_redirects=False,
                                        headers={"accept-language": language})

    async def close(self) -> None:
        await self.client.aclose()

    async def _follow_provider(self, response: httpx.Response, login: str) -> str:
        """Through the provider's pages until it sends the browser elsewhere: that URL."""
        for _ in range(20):
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if not _is_on(target, self.provider.issuer):
                    return target
                response = await self.client.get(target)
                continue
            forms = _FORM.findall(response.text)
            assert response.status_code == 200 and forms, response.text[:2000]
            action = urljoin(str(response.url), forms[0])
            prompt = "login" if 'name="login"' in response.text else "consent"
            data = {"prompt": prompt}
            if prompt == "login":
                data.update(login=login, password=PASSWORD)
            response = await self.client.post(action, data=data)
        raise AssertionError("the provider's pages did not end")

    async def to_callback(self, provider_id: str, login: str) -> str:
        """Start at ipgov's login route, sign in at the provider as ``login``: the callback
        URL the provider sends the browser back to (not followed)."""
        start = await self.client.get(f"{self.ipgov}/auth/oidc/{provider_id}/login")
        assert start.status_code == 302, start.text[:2000]
        assert "ipgov_sso" in start.cookies, start.headers
        target = start.headers["location"]
        assert _is_on(target, self.provider.issuer), target
        return await self._follow_provider(await self.client.get(target), login)

    async def callback(self, url: str) -> httpx.Response:
        return await self.client.get(url)

    async def sign_in(self, provider_id: str, login: str) -> httpx.Response:
        """A whole sign-in up to ipgov's answer to the callback."""
        return await self.callback(await self.to_callback(provider_id, login))


def sso_code(response: httpx.Response) -> str:
    """The one-time code of a callback's redirect to the workspace."""
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    assert location.startswith("/signin#sso="), location
    return location.removeprefix("/signin#sso=")


def refusal(response: httpx.Response) -> tuple[str, str]:
    """The code and the message of a refusal page."""
    assert response.status_code in (403, 502), (response.status_code, response.text[:2000])
    code = re.search(r'<code id="code">([A-Z_]+)</code>', response.text)
    reason = re.search(r'<p id="reason">(.*?)</p>', response.text, re.S)
    assert code and reason, response.text[:2000]
    return code.group(1), reason.group(1)


async def direct_id_token(provider: OpenIdProvider, client_id: str, secret: str,
                          redirect_uri: str, login: str) -> str:
    """A genuine ID token for ``client_id``, from a code flow run here (not through ipgov)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({"client_id": client_id, "response_type": "code", "scope": "openid email",
                       "redirect_uri": redirect_uri, "state": secrets.token_urlsafe(8),
                       "nonce": secrets.token_urlsafe(8), "code_challenge": challenge,
                       "code_challenge_method": "S256"})
    browser = Browser("http://unused.invalid", provider)
    try:
        first = await browser.client.get(f"{provider.issuer}/auth?{query}")
        back = await browser._follow_provider(first, login)
        code = parse_qs(urlsplit(back).query)["code"][0]
        token = await browser.client.post(
            f"{provider.issuer}/token", auth=(client_id, secret),
            data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                  "redirect_uri": redirect_uri})
        assert token.status_code == 200, token.text
        return str(token.json()["id_token"])
    finally:
        await browser.close()


# ------------------------------------------------------------ ipgov serving two groups


def sso_server_env(settings: Settings, port: int) -> dict[str, str]:
    """The environment of an ``ipgov serve`` on ``settings``' database that may reach a
    provider on 127.0.0.1 in plain HTTP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({
        "IPGOV_DATA_DIR": str(settings.data_dir), "IPGOV_DATABASE_URL": settings.database_url,
        "IPGOV_HOST": "127.0.0.1", "IPGOV_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "IPGOV_LOG_LEVEL": "WARNING", "IPGOV_RATE_LIMIT_ANONYMOUS": "",
        "IPGOV_SSO_ALLOW_HTTP": "true", "IPGOV_SSO_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        "IPGOV_SSO_CLOCK_SKEW_SECONDS": "1", "PYTHONUNBUFFERED": "1"})
    if settings.app_database_url:
        env["IPGOV_APP_DATABASE_URL"] = settings.app_database_url
        env["IPGOV_SYSTEM_DATABASE_URL"] = settings.system_database_url
    return env


async def serving_two_groups(settings: Settings, procs: Any, stack: list[Any]
                             ) -> tuple[Any, tuple[Any, Any], str]:
    """The platform (closed with ``stack``), the acme (hybrid) and globex (centralized)
    groups, and the base URL of an ``ipgov serve`` started by ``procs`` on them."""
    from ipgov.startup import build_platform
    from ipgov.tenancy.services import ensure_platform_tenant
    from tests.conftest import make_group

    platform = build_platform(settings)
    stack.append(platform)
    async with platform.db.system_session("test: platform tenant") as s:
        await ensure_platform_tenant(platform, s)
    await platform.authz.load()
    groups = (await make_group(platform, "acme", "hybrid"),
              await make_group(platform, "globex", "centralized"))
    port = free_port()
    procs.env = sso_server_env(settings, port)
    procs.ports["api"] = port
    procs.start_api("api")
    await procs.wait_ready("api")
    return platform, groups, procs.base("api")


def provider_input(name: str, issuer: str, client: str, **extra: Any) -> dict[str, Any]:
    """``IdentityProviderInput`` for client ``ipgov-<client>`` of the test provider."""
    return {"name": name, "issuer": issuer, "clientId": f"ipgov-{client}",
            "clientSecret": SECRET, "scopes": ["openid", "email", "profile", "groups"],
            **extra}


def provider_clients(base: str, ids: dict[str, str]) -> list[dict[str, Any]]:
    """The provider's clients for registered providers ``key -> id`` (client ``ipgov-<key>``,
    redirected to that provider's callback)."""
    return [{"client_id": f"ipgov-{key}", "client_secret": SECRET,
             "redirect_uris": [f"{base}/auth/oidc/{pid}/callback"]} for key, pid in ids.items()]


async def graphql(client: httpx.AsyncClient, base: str, query: str, variables: dict[str, Any],
                  token: str | None = None) -> dict[str, Any]:
    """The data of a GraphQL call that must succeed."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = await client.post(f"{base}/graphql", json={"query": query, "variables": variables},
                               headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body
    return body["data"]


async def register_providers(client: httpx.AsyncClient, base: str, token: str, tenant: str,
                             inputs: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Register each input through GraphQL: ``key -> provider id``."""
    ids = {}
    for key, data in inputs.items():
        saved = (await graphql(client, base, SAVE, {"t": tenant, "i": data}, token)
                 )["saveIdentityProvider"]
        assert saved["errors"] == [], saved
        assert saved["identityProvider"]["hasClientSecret"] is True
        ids[key] = saved["identityProvider"]["id"]
    return ids


__all__ = ["SECRET", "Browser", "OpenIdProvider", "TokenPath", "direct_id_token", "free_port",
           "graphql", "missing", "node_binary", "provider_clients", "provider_input",
           "refusal", "register_providers", "serving_two_groups", "sso_code",
           "sso_server_env"]
