"""Checkpoints of every chain's head, witnessed outside the database (issue 22 item 13).

The chain and its MACed head live in the database, so an insider who can write the tables can
delete the last events and put back an earlier, genuine head row: everything still verifies.
The witness closes that gap. After each commit that appended events, the process records the
new head (tenant, sequence number, hash), MACed with the audit key, in a second store that the
database's users cannot write; the store only ever moves forward. Verification then demands
that the chain reach every witnessed checkpoint with the same hash.

Stores: a directory of small files (default ``$IPGOV_DATA_DIR/audit-witness``, one file per
tenant, replaced atomically under a file lock, for processes sharing one disk) or Redis (one
hash, advanced by a Lua script, shared by every replica). Checkpoints are written after the
commit, by a background thread, so a crash can only leave the witness behind the chain, never
ahead of it: the witness never raises a false alarm, it narrows what a rollback can hide to
the events committed since the last checkpoint that reached it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import queue
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, Self
from urllib.parse import parse_qs, urlparse

from sqlalchemy import event

from ipgov.db.scope import canonical_tenant_id
from ipgov.db.session import ScopedSession

__all__ = ["Checkpoint", "FileWitness", "RedisWitness", "VerifiedCheckpoint", "Witness",
           "WitnessWriter", "build_witness", "remember_append"]

log = logging.getLogger("ipgov.audit.witness")
_APPENDED = "ipgov.audit.appended"
_WRITER = "ipgov.audit.witness"


@dataclass(frozen=True)
class Checkpoint:
    """A chain head as the witness saw it: tenant, sequence number, hash, the hash of the
    chain's first event (which chain this is), when, and a MAC over all of it."""

    tenant_id: str
    seq: int
    hash: str
    first: str
    at: str
    mac: str

    @staticmethod
    def message(tenant_id: str, seq: int, digest: str, first: str, at: str) -> bytes:
        """What the MAC covers."""
        return f"witness|{tenant_id}|{seq}|{digest}|{first}|{at}".encode()

    @classmethod
    def make(cls, key: Any, tenant_id: str, seq: int, digest: str, first: str) -> Checkpoint:
        """A new checkpoint, MACed with the audit key."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        mac = key.mac(cls.message(tenant_id, seq, digest, first, at))
        return cls(tenant_id, seq, digest, first, at, mac)

    def valid(self, key: Any) -> bool:
        """Whether the MAC matches (someone without the key did not make or change it)."""
        import hmac

        expected = key.mac(self.message(self.tenant_id, self.seq, self.hash, self.first,
                                        self.at))
        return hmac.compare_digest(expected, self.mac)

    def to_json(self) -> str:
        """The stored form."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Self | None:
        """Parse a stored checkpoint; None for anything malformed (reported as altered)."""
        try:
            data = json.loads(raw)
            return cls(str(data["tenant_id"]), int(data["seq"]), str(data["hash"]),
                       str(data["first"]), str(data["at"]), str(data["mac"]))
        except (ValueError, KeyError, TypeError):
            return None


class VerifiedCheckpoint(Checkpoint):
    """How far a chain was verified: every event up to ``seq`` (whose hash is ``hash``)
    verified, the walk from the first event done at ``at``. MACed like a checkpoint (under
    another message), so nobody without the key can make one; kept beside the checkpoints."""

    @staticmethod
    def message(tenant_id: str, seq: int, digest: str, first: str, at: str) -> bytes:
        """What the MAC covers."""
        return f"verified|{tenant_id}|{seq}|{digest}|{first}|{at}".encode()

    @classmethod
    def since(cls, key: Any, tenant_id: str, seq: int, digest: str, first: str,
              at: str) -> VerifiedCheckpoint:
        """A verified checkpoint whose full walk happened at ``at``."""
        return cls(tenant_id, seq, digest, first, at,
                   key.mac(cls.message(tenant_id, seq, digest, first, at)))


class Witness(Protocol):
    """A store of the latest checkpoint per tenant that only moves forward."""

    description: str

    def advance(self, checkpoint: Checkpoint) -> None:
        """Keep ``checkpoint`` unless the stored one is at least as far."""

    def read(self, tenant_ids: Iterable[str]) -> dict[str, Checkpoint | None]:
        """The stored checkpoint of each tenant that has one (None: present but unreadable)."""

    def reset(self, checkpoint: Checkpoint) -> None:
        """Replace the checkpoint, even backwards (after an acknowledged restore)."""


class FileWitness:
    """One JSON file per tenant in a directory, replaced atomically under ``flock``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = f"file {directory}"

    def _path(self, tenant_id: str) -> Path:
        return self.directory / f"{canonical_tenant_id(tenant_id)}.json"

    @contextlib.contextmanager
    def _locked(self) -> Any:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.directory / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write(self, checkpoint: Checkpoint) -> None:
        path = self._path(checkpoint.tenant_id)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(checkpoint.to_json())
        os.replace(temp, path)

    def _stored(self, tenant_id: str) -> Checkpoint | None:
        path = self._path(tenant_id)
        return Checkpoint.from_json(path.read_text()) if path.exists() else None

    def advance(self, checkpoint: Checkpoint) -> None:
        """Keep ``checkpoint`` unless the stored one is at least as far."""
        with self._locked():
            stored = self._stored(checkpoint.tenant_id)
            if stored is None or stored.seq < checkpoint.seq:
                self._write(checkpoint)

    def read(self, tenant_ids: Iterable[str]) -> dict[str, Checkpoint | None]:
        """The stored checkpoint of each tenant that has one (None: present but unreadable)."""
        out: dict[str, Checkpoint | None] = {}
        for tid in tenant_ids:
            path = self._path(tid)
            if path.exists():
                out[tid] = Checkpoint.from_json(path.read_text())
        return out

    def reset(self, checkpoint: Checkpoint) -> None:
        """Replace the checkpoint, even backwards (after an acknowledged restore)."""
        with self._locked():
            self._write(checkpoint)

    def _verified_path(self, tenant_id: str) -> Path:
        return self.directory / "verified" / f"{canonical_tenant_id(tenant_id)}.json"

    def read_verified(self, tenant_id: str) -> VerifiedCheckpoint | None:
        """How far the tenant's chain was verified (None: never, or unreadable)."""
        path = self._verified_path(tenant_id)
        return VerifiedCheckpoint.from_json(path.read_text()) if path.exists() else None

    def keep_verified(self, checkpoint: VerifiedCheckpoint) -> None:
        """Remember how far the chain was verified (replacing what was kept)."""
        path = self._verified_path(checkpoint.tenant_id)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(checkpoint.to_json())
        os.replace(temp, path)


_ADVANCE = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and tonumber(stored['seq']) ~= nil
     and tonumber(stored['seq']) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


class RedisWitness:
    """One Redis hash (``<prefix>:audit-witness``), advanced atomically by a Lua script."""

    def __init__(self, url: str) -> None:
        import redis

        parsed = urlparse(url)
        prefix = (parse_qs(parsed.query).get("prefix") or ["ipgov"])[0]
        clean = parsed._replace(query="").geturl()
        self.client = redis.Redis.from_url(clean, socket_timeout=2, socket_connect_timeout=2)
        self.key = f"{prefix}:audit-witness"
        self.description = f"redis {parsed.hostname}:{parsed.port or 6379} key {self.key}"
        self._advance = self.client.register_script(_ADVANCE)

    def advance(self, checkpoint: Checkpoint) -> None:
        """Keep ``checkpoint`` unless the stored one is at least as far."""
        self._advance(keys=[self.key], args=[checkpoint.tenant_id, checkpoint.seq,
                                             checkpoint.to_json()])

    def read(self, tenant_ids: Iterable[str]) -> dict[str, Checkpoint | None]:
        """The stored checkpoint of each tenant that has one (None: present but unreadable)."""
        ids = list(tenant_ids)
        if not ids:
            return {}
        values = self.client.hmget(self.key, ids)
        return {tid: Checkpoint.from_json(raw) for tid, raw in zip(ids, values, strict=True)
                if raw is not None}

    def reset(self, checkpoint: Checkpoint) -> None:
        """Replace the checkpoint, even backwards (after an acknowledged restore)."""
        self.client.hset(self.key, checkpoint.tenant_id, checkpoint.to_json())

    def read_verified(self, tenant_id: str) -> VerifiedCheckpoint | None:
        """How far the tenant's chain was verified (None: never, or unreadable)."""
        raw = self.client.hget(f"{self.key}:verified", tenant_id)
        return VerifiedCheckpoint.from_json(raw) if raw is not None else None

    def keep_verified(self, checkpoint: VerifiedCheckpoint) -> None:
        """Remember how far the chain was verified (replacing what was kept)."""
        self.client.hset(f"{self.key}:verified", checkpoint.tenant_id, checkpoint.to_json())


def build_witness(url: str, data_dir: Path) -> Witness:
    """The store named by ``IPGOV_AUDIT_WITNESS_URL`` (a directory in the data dir by default)."""
    if not url:
        return FileWitness(data_dir / "audit-witness")
    scheme = urlparse(url).scheme
    if scheme == "file":
        return FileWitness(Path(urlparse(url).path))
    if scheme in ("redis", "rediss"):
        return RedisWitness(url)
    raise ValueError(f"IPGOV_AUDIT_WITNESS_URL: use file:///directory or redis://host:port/db, "
                     f"got {url!r}")


class WitnessWriter:
    """Writes checkpoints in a background thread, after the commits that made them.

    ``submit`` never blocks the caller (it runs inside a commit); ``flush`` waits until what was
    submitted so far is stored (verification in this process calls it first); a store that is
    away is logged and retried with the next checkpoint, never raised into a request.
    """

    def __init__(self, store: Witness, key: Any) -> None:
        self.store, self.key = store, key
        self._queue: queue.Queue[tuple[str, int, str, str] | None] = queue.Queue()
        self.first_hashes: dict[str, str] = {}  # tenant -> hash of its chain's first event
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pending = 0
        self._done = threading.Condition(self._lock)

    def submit(self, tenant_id: str, seq: int, digest: str, first: str) -> None:
        """Queue the head ``(seq, digest)`` of ``tenant_id``'s chain, just committed."""
        with self._lock:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ipgov-audit-witness",
                                                daemon=True)
                self._thread.start()
        self._queue.put((tenant_id, seq, digest, first))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self.store.advance(Checkpoint.make(self.key, *item))
            except Exception as exc:  # the witness lags; the next checkpoint catches up
                log.warning("audit witness (%s) not updated: %s", self.store.description, exc)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._done.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every submitted checkpoint is stored; False if that took too long."""
        with self._lock:
            return self._done.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        """Store what is queued, then stop the thread."""
        self.flush()
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)


def remember_append(session: Any, writer: WitnessWriter | None, tenant_id: str, seq: int,
                    digest: str, first: str) -> None:
    """Note an appended event in the session: its chain head is witnessed once it commits."""
    if writer is None:
        return
    sync = getattr(session, "sync_session", session)
    sync.info.setdefault(_APPENDED, {})[tenant_id] = (seq, digest, first)
    sync.info[_WRITER] = writer


@event.listens_for(ScopedSession, "after_commit")
def _witness_after_commit(session: Any) -> None:
    appended = session.info.pop(_APPENDED, None)
    writer = session.info.get(_WRITER)
    if not appended or writer is None:
        return
    for tenant_id, (seq, digest, first) in appended.items():
        writer.submit(tenant_id, seq, digest, first)


@event.listens_for(ScopedSession, "after_rollback")
def _forget_after_rollback(session: Any) -> None:
    # whatever was appended is gone (or, after a savepoint, uncertain): witness nothing of it
    session.info.pop(_APPENDED, None)
