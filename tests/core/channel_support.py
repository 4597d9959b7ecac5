"""Real local HTTP receivers for the channel tests, and the settings that let ipgov reach them."""

from __future__ import annotations

import dataclasses
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ipgov.notify.channels.outbound import OutboundPolicy
from ipgov.settings import Settings

LOCAL = Settings(notify_allow_private_networks="127.0.0.0/8,::1/128", notify_allow_http=True)
"""Settings under which ipgov may post to a receiver on this machine."""
LOCAL_POLICY = OutboundPolicy.from_settings(LOCAL)


@dataclasses.dataclass
class Received:
    """One request a receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (first value of each)."""
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


Answer = Callable[[Received], tuple[int, dict[str, str], bytes]]


def ok(_request: Received) -> tuple[int, dict[str, str], bytes]:
    """204, nothing to say."""
    return 204, {}, b""


def answering(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> Answer:
    """Always the same answer (a dict or list body is sent as JSON)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return lambda _request: (status, headers or {}, data)


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread; ``answer`` decides each response, ``hang``
    makes it read the request and never answer (until stopped)."""

    def __init__(self, answer: Answer = ok, *, hang: bool = False,
                 tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Received] = []
        self.answer, self.hang = answer, hang
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.port = self.server.server_address[1]

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        """The receiver's URL for ``path``."""
        return f"{self.scheme}://{host}:{self.port}{path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's API
                length = int(self.headers.get("Content-Length") or 0)
                got = Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()},
                               self.rfile.read(length))
                receiver.requests.append(got)
                if receiver.hang:
                    receiver.released.wait(30)
                    return
                status, headers, body = receiver.answer(got)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def receiver(answer: Answer = ok, *, hang: bool = False,
             tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """A running ``Receiver`` for the duration of the block."""
    with Receiver(answer, hang=hang, tls=tls) as running:
        yield running
