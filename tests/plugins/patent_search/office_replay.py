"""A local HTTP server that answers as EPO OPS and the USPTO Open Data Portal do, replaying
recorded real answers (``fixtures/office_api`` and ``fixtures/office_replay``, origins in
their SOURCES.md), for the office connector tests. No internet: the connectors are pointed
at this server by their settings.

Besides the recorded answers, a test can script what a path answers next (a 403 quota, a 429
with Retry-After), add throttling headers to every OPS answer, or make a path hang until
released (a worker killed mid-request). Every request is logged with its time and
credentials.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = FIXTURES / "office_api"
REPLAY = FIXTURES / "office_replay"
OPS = "/3.2/rest-services/"
OPS_ANSWERS = {
    "published-data/publication/docdb/EP.2400812.A1/biblio": "ops-biblio-EP2400812A1.xml",
    "published-data/publication/docdb/US.10047600.B2/biblio": "ops-biblio-US10047600B2.xml",
    "family/publication/docdb/EP.2400812.A1/legal": "ops-legal-EP2400812.xml",
}
ODP_ANSWERS = {"16330077": RECORDED / "odp-application-16330077.json",
               "14412875": REPLAY / "odp-transactions-14412875.json"}
INVALID_TOKEN = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 b'<fault xmlns="http://ops.epo.org">\n    <code>CLIENT.InvalidAccessToken'
                 b'</code>\n    <message>invalid_access_token</message>\n</fault>\n')


@dataclass
class Scripted:
    """One answer a test wants a path to give next."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request the server answered: when, what, with which credentials."""

    at: float
    method: str
    path: str
    credential: str  # the Basic user, the bearer token or the API key
    status: int = 0


class OfficeReplay:
    """The server; ``ops_url`` and ``odp_url`` are what the connector settings take."""

    def __init__(self) -> None:
        self.accounts: dict[tuple[str, str], str] = {}  # (key, secret) -> token prefix
        self.api_keys: set[str] = set()
        self.issued: dict[str, str] = {}  # token -> consumer key
        self.script: dict[str, deque[Scripted]] = defaultdict(deque)
        self.throttling: str | None = None
        self.extra_headers: dict[str, str] = {}
        self.hang: dict[str, threading.Event] = {}
        self.hanging = threading.Event()
        self.log: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def ops_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/3.2"

    @property
    def odp_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> OfficeReplay:
        self._thread.start()
        return self

    def stop(self) -> None:
        for event in self.hang.values():
            event.set()
        self._server.shutdown()
        self._server.server_close()

    def requests(self, fragment: str = "", method: str | None = None) -> list[Seen]:
        """The logged requests whose path holds ``fragment``."""
        with self._lock:
            return [s for s in self.log if fragment in s.path
                    and (method is None or s.method == method)]

    # -- answers -----------------------------------------------------------------------------

    def _answer(self, method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[Seen, Scripted]:
        auth = headers.get("authorization", "")
        seen = Seen(time.monotonic(), method, path, auth)
        if path == "/3.2/auth/accesstoken" and method == "POST":
            return seen, self._token(auth, body, seen)
        if path.startswith(OPS):
            return seen, self._ops(path[len(OPS):], auth, seen)
        if path.startswith("/api/v1/patent/applications/"):
            seen.credential = headers.get("x-api-key", "")
            return seen, self._odp(path.rsplit("/", 1)[1], seen.credential)
        return seen, Scripted(404, b"no such path")

    def _token(self, auth: str, body: bytes, seen: Seen) -> Scripted:
        user, _, secret = base64.b64decode(auth.removeprefix("Basic ") or b"").decode(
            errors="replace").partition(":")
        seen.credential = user
        if b"grant_type=client_credentials" not in body or (user, secret) not in self.accounts:
            return Scripted(401, b'{"error":"invalid_client"}',
                            {"Content-Type": "application/json"})
        token = f"{self.accounts[(user, secret)]}-{len(self.issued) + 1}"
        self.issued[token] = user
        answer = {"refresh_token_expires_in": "0", "api_product_list": "[ops-prod]",
                  "token_type": "BearerToken", "issued_at": str(int(time.time() * 1000)),
                  "client_id": user, "access_token": token, "application_name": "test",
                  "scope": "core", "expires_in": "1199", "refresh_count": "0",
                  "status": "approved"}
        return Scripted(200, json.dumps(answer).encode(), {"Content-Type": "application/json"})

    def _scripted(self, path: str) -> Scripted | None:
        queue = self.script.get(path)
        return queue.popleft() if queue else None

    def _ops(self, path: str, auth: str, seen: Seen) -> Scripted:
        token = auth.removeprefix("Bearer ")
        seen.credential = token
        if token not in self.issued:
            return Scripted(400, INVALID_TOKEN, {"Content-Type": "application/xml"})
        scripted = self._scripted(path)
        if scripted is None:
            name = OPS_ANSWERS.get(path)
            scripted = (Scripted(200, (RECORDED / name).read_bytes()) if name else
                        Scripted(404, (REPLAY / "ops-fault-404.xml").read_bytes()))
        headers = {"Content-Type": "application/xml", **self.extra_headers,
                   **scripted.headers}
        if self.throttling:
            headers.setdefault("X-Throttling-Control", self.throttling)
        return Scripted(scripted.status, scripted.body, headers)

    def _odp(self, number: str, key: str) -> Scripted:
        if key not in self.api_keys:
            return Scripted(403, b'{"message":"Forbidden"}', {"Content-Type": "application/json"})
        scripted = self._scripted(f"odp/{number}")
        if scripted is not None:
            return scripted
        found = ODP_ANSWERS.get(number)
        if found is None:
            return Scripted(404, b'{"code":404,"error":"Not Found","errorDetails":"No matching '
                                 b'records found"}', {"Content-Type": "application/json"})
        return Scripted(200, found.read_bytes(), {"Content-Type": "application/json"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path.split("?", 1)[0]
                hang = replay.hang.get(path)
                if hang is not None:
                    replay.hanging.set()
                    hang.wait(30)
                seen, answer = replay._answer(method, path, headers, body)
                seen.status = answer.status
                with replay._lock:
                    replay.log.append(seen)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, *args: object) -> None:
                return

        return Handler
