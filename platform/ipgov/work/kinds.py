"""Kinds of queued work: what a kind declares so that one machine can carry, claim, recover and
run it (reviews and plugin jobs are two kinds; a notification delivery is a third, with no
change to the queue)."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any, Protocol

from ipgov.db import Database
from ipgov.settings import Settings

__all__ = ["CORE_KINDS", "Timing", "WorkKind", "WorkKinds", "WorkPlatform", "core_kinds",
           "timing_from_settings"]

CORE_KINDS = ("ipgov.reviews.work:REVIEWS", "ipgov.jobs.work:JOBS", "ipgov.events.work:EVENTS",
              "ipgov.notify.work:DELIVERIES")
"""The core's kinds of work, by dotted name, loaded like built-in plugins: neither the work
machine nor the platform imports the review engine, the jobs service or the event dispatch
(they import them)."""


class _PlatformWork(Protocol):
    @property
    def kinds(self) -> WorkKinds: ...

    @property
    def queue(self) -> Any: ...


class WorkPlatform(Protocol):
    """What the work machine needs of a platform (``ipgov.runtime.Platform`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def work(self) -> _PlatformWork: ...

    @property
    def audit(self) -> Callable[..., Awaitable[Any]]: ...

    def current(self) -> AbstractContextManager[Any]: ...

Perform = Callable[..., Awaitable[str]]
"""``perform(platform, held, **options) -> outcome``: the kind's work on a claimed row."""


@dataclass(frozen=True)
class Timing:
    """A kind's lease and recovery bounds (see docs/operations.md, "Degradation and recovery").

    ``lease``: how long a claim lasts without renewal; ``requeue``: how long a row may sit
    unsent, or past its lease, before recovery sends it again; ``resend``: how long a sent row
    may stay queued before recovery sends it again when the broker cannot tell whether it
    still holds the message."""

    lease: timedelta
    requeue: timedelta
    resend: timedelta

    @classmethod
    def of(cls, lease: float, requeue: float, resend: float) -> Timing:
        """From seconds (the settings' unit)."""
        return cls(timedelta(seconds=lease), timedelta(seconds=requeue),
                   timedelta(seconds=resend))


def timing_from_settings(prefix: str) -> Callable[[Settings], Timing]:
    """A kind's timing read from its own settings: ``IPGOV_<PREFIX>_LEASE_SECONDS``,
    ``IPGOV_<PREFIX>_REQUEUE_SECONDS`` and ``IPGOV_<PREFIX>_RESEND_SECONDS``."""

    def timing(settings: Settings) -> Timing:
        return Timing.of(*(getattr(settings, f"{prefix}_{bound}_seconds")
                           for bound in ("lease", "requeue", "resend")))

    return timing


@dataclass(frozen=True)
class WorkKind:
    """One kind of queued work.

    ``model`` is the row class (``LeasedWork`` and ``TenantScoped``): the row is the record,
    the broker only carries its id. ``queue_name``, ``actor_name`` and ``id_arg`` (the keyword
    naming the row in a message) fix the message format: change them only with a migration of
    the messages in flight. ``timing`` reads the kind's own lease settings. ``perform`` does
    the work under a claim; ``maintain`` is an optional extra step of each recovery pass.
    """

    name: str
    model: Any
    queue_name: str
    actor_name: str
    id_arg: str
    timing: Callable[[Settings], Timing]
    perform: Perform
    maintain: Callable[[Any], Awaitable[None]] | None = None
    actor_options: Mapping[str, Any] = field(default_factory=dict)
    not_claimed: str = "not-claimed"
    lost_claim: str = "lost-claim"

    def lease(self, settings: Settings) -> timedelta:
        """How long a claim of this kind lasts without renewal."""
        return self.timing(settings).lease


@cache
def core_kinds() -> tuple[WorkKind, ...]:
    """The kinds named by ``CORE_KINDS`` (reviews, plugin jobs, event dispatch)."""
    found = []
    for name in CORE_KINDS:
        module, attribute = name.split(":")
        found.append(getattr(importlib.import_module(module), attribute))
    return tuple(found)


class WorkKinds:
    """The kinds a platform knows, by name; the queue declares one actor per kind."""

    def __init__(self, kinds: Iterable[WorkKind] = ()) -> None:
        self._kinds: dict[str, WorkKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: WorkKind) -> None:
        """Add a kind; a second kind with the same name, queue or actor is an error."""
        for known in self._kinds.values():
            if kind.name == known.name or kind.actor_name == known.actor_name \
                    or kind.queue_name == known.queue_name:
                raise ValueError(f"work kind {kind.name!r} clashes with {known.name!r} "
                                 "(name, queue and actor must be unique)")
        self._kinds[kind.name] = kind

    def __getitem__(self, name: str) -> WorkKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise LookupError(f"no kind of work named {name!r}") from None

    def __iter__(self) -> Any:
        return iter(self._kinds.values())

    def __len__(self) -> int:
        return len(self._kinds)

    def names(self) -> list[str]:
        """Every kind's name, in registration order."""
        return list(self._kinds)

    def queue_names(self) -> list[str]:
        """Every kind's queue (what ``ipgov worker`` consumes)."""
        return [k.queue_name for k in self._kinds.values()]
