"""Queued work as one concept: a kind of work (reviews, plugin jobs, ...) is a leased database
row (the record) and a message naming it (the carrier).

- ``kinds``: what a kind declares (row model, queue, actor, lease settings, its work);
- ``running``: ``platform.work`` (the kinds and the attached queue), ``send`` and ``execute``;
- ``claims``: claim, renew and finish a row under a lease and a token;
- ``queue``: the Dramatiq queue (one actor per kind) and the inline queue;
- ``broker``: the broker from ``IPGOV_BROKER_URL`` and the tenant/trace middleware;
- ``context``: the tenant and trace context a message carries;
- ``recovery``: resending stale work of every kind;
- ``worker``: worker processes, the embedded default, ``ipgov worker``'s preload.
"""

from .claims import Claim, LostClaim, claim, finish, renew
from .kinds import Timing, WorkKind, WorkKinds
from .running import Carrier, Work, execute, send

__all__ = ["Carrier", "Claim", "LostClaim", "Timing", "Work", "WorkKind", "WorkKinds", "claim",
           "execute", "finish", "renew", "send"]
