"""A real Standard Webhooks receiver for deliveries made by worker processes (tests, bench).

It listens on 127.0.0.1, verifies every request with the reference ``standardwebhooks``
library (never with ipgov's own signing code), processes each ``webhook-id`` once and answers
a repeat with 204 without processing it again, as the specification asks of receivers. It can
stop answering the ways a real receiver does: its listening socket closed (connection
refused), ``503``, or reading a request and hanging past the sender's timeout; and it can hold
the first request it gets until the test releases it (to kill the sender meanwhile).
Everything that reached it is kept, for counting per webhook-id and per event.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook

__all__ = ["Post", "WebhookReceiver", "socket_owner"]

UP, UNAVAILABLE, HANG = "up", "503", "hang"


@dataclass
class Post:
    """One request that reached the receiver."""

    webhook_id: str
    verified: bool
    body: dict[str, Any] | None
    peer_port: int
    mode: str
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    answered: int | None = None  # the status written back (None: none, or it could not be)

    @property
    def event_id(self) -> str | None:
        """The platform event the message is about (None for a digest or a bad body)."""
        return ((self.body or {}).get("event") or {}).get("id")


class WebhookReceiver:
    """See the module docstring; ``secret`` is set once the destination is registered."""

    def __init__(self, secret: str = "", *, hold_first: bool = False,
                 hang_seconds: float = 6.0) -> None:
        self.secret, self.hold_first, self.hang_seconds = secret, hold_first, hang_seconds
        self.mode = UP
        self.posts: list[Post] = []
        self.processed: dict[str, dict[str, Any]] = {}  # webhook-id -> body, first copy only
        self.held = threading.Event()
        self.held_post: Post | None = None  # the request held open (``hold_first``)
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.listen()

    @property
    def url(self) -> str:
        """Where ipgov posts (a registered destination's target)."""
        return f"http://127.0.0.1:{self.port}/hook"

    # -- going down and coming back ------------------------------------------------------

    def listen(self, mode: str = UP) -> None:
        """Accept connections again (on the same port) and answer as ``mode``."""
        self.mode = mode
        if self._server is not None:
            return
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        self._server = server

    def close_socket(self) -> None:
        """Stop listening: connections are refused until ``listen``."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def stop(self) -> None:
        """Release whatever is held and close the socket."""
        self.released.set()
        self.close_socket()

    # -- what arrived ----------------------------------------------------------------------

    def snapshot(self) -> list[Post]:
        """Every request so far, in arrival order."""
        with self._lock:
            return list(self.posts)

    def answered_ok(self) -> Counter[str]:
        """How many 2xx answers were written per webhook-id."""
        return Counter(p.webhook_id for p in self.snapshot()
                       if p.answered is not None and 200 <= p.answered < 300)

    def ids_by_event(self) -> dict[str, set[str]]:
        """The webhook-ids that carried each event (one each when nothing is duplicated)."""
        found: dict[str, set[str]] = {}
        for post in self.snapshot():
            if post.verified and post.event_id:
                found.setdefault(post.event_id, set()).add(post.webhook_id)
        return found

    def bodies(self) -> list[dict[str, Any]]:
        """The messages processed, one per webhook-id, in arrival order."""
        with self._lock:
            return list(self.processed.values())

    def unverified(self) -> list[Post]:
        """Requests whose signature did not verify (must be none)."""
        return [p for p in self.snapshot() if not p.verified]

    # -- the handler -----------------------------------------------------------------------

    def _receive(self, headers: dict[str, str], raw: bytes, peer_port: int) -> Post:
        try:
            Webhook(self.secret).verify(raw, headers)
            verified, body = True, json.loads(raw)
        except Exception:  # a bad signature, timestamp or body: kept as unverified
            verified, body = False, None
        post = Post(headers.get("webhook-id", ""), verified, body, peer_port, self.mode, raw,
                    headers)
        with self._lock:
            self.posts.append(post)
        return post

    def _process(self, post: Post) -> None:
        with self._lock:
            if post.body is not None:
                self.processed.setdefault(post.webhook_id, post.body)

    def _hold(self, post: Post) -> bool:
        """Whether this is the request to hold (the first one, when asked)."""
        with self._lock:
            first = self.hold_first and not self.held.is_set()
            if first:
                self.held_post = post
                self.held.set()
        return first

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's API
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                post = receiver._receive(headers, raw, self.client_address[1])
                if post.mode == HANG:
                    time.sleep(receiver.hang_seconds)  # past the sender's timeout, no answer
                    return
                if post.mode == UNAVAILABLE or not post.verified:
                    self._answer(post, 503 if post.verified else 401)
                    return
                receiver._process(post)  # processed first, then answered, like a real one
                if receiver._hold(post):
                    receiver.released.wait(120)
                    if self._sender_gone():
                        return
                self._answer(post, 204)

            def _sender_gone(self) -> bool:
                """Whether the sender closed the connection (a killed process's is closed
                by the kernel); an answer written then would reach nobody."""
                try:
                    return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
                except BlockingIOError:
                    return False
                except OSError:
                    return True

            def _answer(self, post: Post, status: int) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    self.wfile.flush()
                except OSError:  # the sender is gone (killed meanwhile)
                    return
                post.answered = status

            def log_message(self, *_args: object) -> None:
                pass

        return Handler


def socket_owner(local_port: int, remote_port: int) -> int | None:
    """The pid of the process holding the IPv4 TCP connection from ``local_port`` to
    ``remote_port`` on this machine (from /proc), None when there is none."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, remote = parts[1], parts[2]
        if int(local.split(":")[1], 16) == local_port \
                and int(remote.split(":")[1], 16) == remote_port:
            inode = parts[9]
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(fd.readlink().as_posix() == target for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    return None
