"""Notifications with real processes (issue 17, "what it must show").

One ``ipgov serve`` and two ``ipgov worker`` processes (a Redis broker; a SQLite file, or
PostgreSQL under row-level security) deliver to receivers this test starts: a local HTTP
receiver that verifies Standard Webhooks signatures with the reference ``standardwebhooks``
library and processes each webhook-id once (``webhook_receiver``), and a real SMTP server
(aiosmtpd). Destinations, rules, preferences and the changes that cause events go through the
public GraphQL API over HTTP. Five stories run at once, so that they share the outage's minute:

1. a ``review.finished`` delivery made by a worker verifies at the receiver;
2. the receiver stops answering for ``IPGOV_TEST_NOTIFY_OUTAGE_SECONDS`` (60 by default): its
   listening socket closed, then 503, then requests read and left hanging past the sender's
   timeout; every delivery made meanwhile arrives, verified, exactly once after it returns
   (one 2xx answer per webhook-id, one webhook-id per event, none missing);
3. the worker holding a delivery open (the receiver keeps the request) is SIGKILLed: another
   delivers it after the lease, under the same webhook-id, processed once;
4. events recorded in a transaction that rolls back (whole, or a savepoint inside one that
   commits) are never delivered, while one committed the same way is;
5. the 30-day deadline reminder (``setDeadlineReminderDays``, the job
   ``ip_governance.deadline_reminders`` started by a real ``ipgov scheduler --once``) reaches
   the SMTP server at once for immediate readers and in the daily digest for the others, each
   in the reader's language (zh-CN and en), as MIME with a text and an HTML part.

Leases and timeouts are the shortest sound ones (``NOTIFY_ENV``); the wait after a failed
attempt is the product's (5 s, then three times longer each time).
"""

from __future__ import annotations

import asyncio
import email
import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from email.policy import default as default_policy
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from standardwebhooks import Webhook, WebhookVerificationError

from ipgov.db.base import utcnow
from ipgov.notify.channels.webhook import new_webhook_secret
from tests.conftest import Group, make_group
from tests.e2e.test_multi_process import Api, Processes, _add_viewer, _free_port, _until
from tests.e2e.test_review_workers import _cleanup_redis
from tests.e2e.webhook_receiver import HANG, UNAVAILABLE, UP, WebhookReceiver, socket_owner
from tests.security.identity_support import Mailbox, smtp_server

REDIS_URL = os.environ.get("IPGOV_TEST_REDIS_URL", "")
OUTAGE = float(os.environ.get("IPGOV_TEST_NOTIFY_OUTAGE_SECONDS", "60"))
TIMEOUT = 5  # IPGOV_NOTIFY_TOTAL_TIMEOUT_SECONDS: what one attempt on a hanging receiver costs
LEASE = 8  # longer than one request may take: a live delivery is never taken over

pytestmark = [pytest.mark.redis, pytest.mark.slow,
              pytest.mark.skipif(not REDIS_URL, reason="needs IPGOV_TEST_REDIS_URL")]

NOTIFY_ENV = {
    "IPGOV_NOTIFY_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8", "IPGOV_NOTIFY_ALLOW_HTTP": "true",
    "IPGOV_NOTIFY_CONNECT_TIMEOUT_SECONDS": "1", "IPGOV_NOTIFY_READ_TIMEOUT_SECONDS": str(TIMEOUT),
    "IPGOV_NOTIFY_TOTAL_TIMEOUT_SECONDS": str(TIMEOUT), "IPGOV_NOTIFY_RESEND_SECONDS": "30",
    **{f"IPGOV_{kind}_{bound}_SECONDS": value for kind in ("NOTIFY", "EVENT", "REVIEW", "JOB")
       for bound, value in (("LEASE", str(LEASE)), ("REQUEUE", "2"))},
}
WORKER = ("worker", "--processes", "1", "--threads", "2")
STORY_TIMEOUT = 120.0 + OUTAGE

DEST = """mutation($t: ID!, $u: String!) { registerNotificationDestination(tenantId: $t,
  kind: "webhook", name: "receiver", target: $u) { destination { id } secret errors { code } } }"""
RULE = """mutation($t: ID!, $r: RuleInput!) { saveNotificationRule(tenantId: $t, rule: $r) {
  rule { id } errors { code field } } }"""
LOG = """query($t: ID!) { notificationDeliveries(tenantId: $t, first: 100) { edges { node {
  id eventId eventType channel userId mode status attempts lastStatus } } } }"""
REVIEW = """mutation($t: ID!) { requestReview(tenantId: $t) { run { id } errors { code } } }"""
DIRECTIVES = "query($t: ID!) { directives(tenantId: $t) { edges { node { id severity } } } }"
BELOW_TOLERANCE = ("info", "low", "medium")  # never escalated (the tolerance is high): the
# subsidiary's admin may assign them; a review escalates the others after it finishes
ASSIGN = """mutation($t: ID!, $d: ID!, $u: ID!) { updateDirective(tenantId: $t, id: $d,
  ownerUserId: $u) { directive { ownerUserId } errors { code message } } }"""
LOCALE = "mutation($l: String!) { setMyLocale(locale: $l) { locale errors { code } } }"
CADENCE = """mutation($c: String!, $z: String!) { setMyNotificationPreference(cadence: $c,
  timezone: $z) { errors { code } } }"""
LEADS = """mutation($t: ID!, $d: [Int!]!) { setDeadlineReminderDays(tenantId: $t, days: $d) {
  days errors { code } } }"""
ASSET = """mutation($t: ID!, $n: String!, $a: String!) { createIpAsset(tenantId: $t, input: {
  kind: "patent", title: $n, applicationNumber: $a}) { asset { id } errors { code message } } }"""
DEADLINE = """mutation($t: ID!, $a: ID!, $k: String!, $d: Date!) { addIpAssetDeadline(
  tenantId: $t, assetId: $a, kind: $k, dueOn: $d) { deadline { id } errors { code } } }"""


class Sent:
    """The broker queue of this process, remembering which rows it was asked to send."""

    def __init__(self, queue: Any) -> None:
        self.queue, self.ids = queue, set[str]()

    def send(self, kind: str, row_id: str, tenant_id: str,
             traceparent: str | None = None) -> None:
        self.ids.add(row_id)
        self.queue.send(kind, row_id, tenant_id, traceparent)


@dataclass
class Stack:
    """The processes, the API client, the groups (one per story) and the receivers."""

    platform: Any
    procs: Processes
    api: Api
    groups: dict[str, Group]
    mailbox: Mailbox
    env: dict[str, str]
    sent: Sent
    receivers: list[WebhookReceiver] = field(default_factory=list)

    def receiver(self, **options: Any) -> WebhookReceiver:
        """A webhook receiver, stopped when the test ends."""
        self.receivers.append(WebhookReceiver(**options))
        return self.receivers[-1]

    async def until(self, predicate: Any, what: str, timeout: float = STORY_TIMEOUT) -> Any:
        """``predicate()`` once truthy; the test fails with the processes' logs otherwise."""
        return await _until(predicate, timeout, what, self.procs, every=0.1)

    async def route_to(self, group: Group, receiver: WebhookReceiver, types: list[str]) -> None:
        """A webhook destination on ``receiver`` and a rule sending ``types`` there, made by
        the subsidiary's admin; the receiver learns the secret shown once."""
        tenant, admin = _tenant(group), group.token("a-admin")
        made = (await self.api(DEST, {"t": tenant, "u": receiver.url}, admin)
                )["registerNotificationDestination"]
        assert made["errors"] == [] and made["secret"].startswith("whsec_"), made
        receiver.secret = made["secret"]
        rule = {"name": "to the receiver", "eventTypes": types,
                "destinationIds": [made["destination"]["id"]]}
        saved = (await self.api(RULE, {"t": tenant, "r": rule}, admin))["saveNotificationRule"]
        assert saved["errors"] == [], saved

    async def review(self, group: Group) -> str:
        """Ask for a review of the subsidiary (a worker runs it); its id."""
        answer = (await self.api(REVIEW, {"t": _tenant(group)}, group.token("a-admin"))
                  )["requestReview"]
        assert answer["errors"] == [], answer
        return str(answer["run"]["id"])

    async def log(self, group: Group, channel: str = "webhook") -> list[dict[str, Any]]:
        """The subsidiary's delivery log over one channel, through the API."""
        data = await self.api(LOG, {"t": _tenant(group)}, group.token("a-admin"))
        return [e["node"] for e in data["notificationDeliveries"]["edges"]
                if e["node"]["channel"] == channel]


def _tenant(group: Group) -> str:
    """The group's first subsidiary (``<prefix>-a``), where each story plays."""
    prefix = min(group.ids, key=len)
    return group.ids[f"{prefix}-a"]


def _env(platform: Any, namespace: str, smtp_url: str, port: int) -> dict[str, str]:
    s = platform.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({"IPGOV_DATA_DIR": str(s.data_dir), "IPGOV_DATABASE_URL": s.database_url,
                "IPGOV_APP_DATABASE_URL": s.app_database_url,
                "IPGOV_SYSTEM_DATABASE_URL": s.system_database_url,
                "IPGOV_BROKER_URL": REDIS_URL, "IPGOV_BROKER_NAMESPACE": namespace,
                "IPGOV_HOST": "127.0.0.1", "IPGOV_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "IPGOV_SMTP_URL": smtp_url, "IPGOV_LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1", **NOTIFY_ENV})
    return env


async def _no_scheduled_reviews(platform: Any) -> None:
    """The scheduler process is there for the deadline scan: the core's periodic reviews of
    every tenant are switched off, so that their events do not crowd the stories."""
    from ipgov.reviews.models import ReviewSchedule

    async with platform.db.system_session("test: no periodic reviews") as session:
        await session.execute(update(ReviewSchedule).values(enabled=False))


async def test_notifications_reach_real_receivers_through_outage_kill_and_rollback(
        platform, tmp_path):
    from ipgov.settings import Settings
    from ipgov.work.broker import build_broker
    from ipgov.work.queue import WorkQueue

    groups = {p: await make_group(platform, p) for p in ("sig", "out", "kill", "undo", "mail")}
    for name in ("zh-daily", "en-daily"):
        await _add_viewer(platform, groups["mail"], name, groups["mail"].ids["mail-a"])
    await _no_scheduled_reviews(platform)
    namespace = f"ipgov-notify-{uuid.uuid4().hex[:10]}"
    (tmp_path / "logs").mkdir()
    async with smtp_server() as mailbox:
        port = _free_port()
        env = _env(platform, namespace, mailbox.url, port)
        procs = Processes(env, tmp_path / "logs")
        procs.ports["api"] = port
        queue = WorkQueue(build_broker(Settings.from_env(env)), platform.work.kinds)
        sent = Sent(queue)
        platform.work.attach(sent)  # what this process commits is sent to the workers
        receivers: list[WebhookReceiver] = []
        try:
            procs.start_api("api")
            for name in ("worker-1", "worker-2"):
                procs.start(name, *WORKER)
            await procs.wait_ready("api")
            async with httpx.AsyncClient(timeout=30) as client:
                stack = Stack(platform, procs, Api(client, procs.base("api")), groups,
                              mailbox, env, sent, receivers)
                async with asyncio.TaskGroup() as stories:
                    for story in (outage_then_once, signed_review_finished,
                                  worker_killed_mid_delivery, rolled_back_never_sent,
                                  mail_in_each_language):
                        stories.create_task(story(stack))
        finally:
            for receiver in receivers:
                receiver.stop()
            procs.stop_all()
            queue.broker.close()
            await _cleanup_redis(namespace)


# -- 1. a signed review.finished ------------------------------------------------------------

async def signed_review_finished(stack: Stack) -> None:
    group = stack.groups["sig"]
    receiver = stack.receiver()
    await stack.route_to(group, receiver, ["review.finished"])
    run_id = await stack.review(group)
    post = await stack.until(lambda: next(
        (p for p in receiver.snapshot() if p.answered == 204 and p.verified
         and p.body["data"].get("review_id") == run_id), None), "the review.finished webhook")
    assert post.body["type"] == "review.finished"
    assert post.body["data"]["tenant_id"] == post.body["event"]["tenant_id"] == _tenant(group)
    assert Webhook(receiver.secret).verify(post.raw, post.headers) == post.body
    for raw, secret in ((post.raw + b" ", receiver.secret), (post.raw, new_webhook_secret())):
        with pytest.raises(WebhookVerificationError):  # a changed body, or another key
            Webhook(secret).verify(raw, post.headers)
    row = await stack.until(lambda: _delivered(stack, group, post.webhook_id),
                            "the delivery logged as delivered")  # the answer is recorded after
    assert row["eventType"] == "review.finished", row
    other = stack.groups["out"].token("a-admin")  # another group's admin
    code = await stack.api.error_code(LOG, {"t": _tenant(group)}, other)
    assert code == "FORBIDDEN"
    assert receiver.unverified() == []
    assert {b["data"]["tenant_id"] for b in receiver.bodies()} == {_tenant(group)}


# -- 2. a minute without the receiver ---------------------------------------------------------

async def outage_then_once(stack: Stack) -> None:
    group = stack.groups["out"]
    tenant, admin = _tenant(group), group.token("a-admin")
    receiver = stack.receiver(hang_seconds=TIMEOUT + 1)
    await stack.route_to(group, receiver, ["review.finished", "directive.assigned"])
    first = await stack.review(group)  # delivered before the outage; it opens directives
    await stack.until(lambda: _review_done(receiver, first), "a delivery before the outage")
    before = set(receiver.answered_ok())
    edges = (await stack.api(DIRECTIVES, {"t": tenant}, admin))["directives"]["edges"]
    directives = [e["node"]["id"] for e in edges
                  if e["node"]["severity"] in BELOW_TOLERANCE][:3]
    assert len(directives) == 3, edges
    reviews, seen = await _timeline(stack, group, receiver, directives)
    meanwhile = await stack.until(lambda: _failed_once(stack, group, before, seen),
                                  "every delivery made during the outage failed once")
    receiver.listen(UP)
    back = time.monotonic()
    final = await stack.until(lambda: _all_delivered(stack, group, len(before) + 6),
                              "every delivery made during the outage delivered")
    ids = {row["id"] for row in final}
    ok, after = receiver.answered_ok(), Counter(p.webhook_id for p in receiver.snapshot()
                                                if p.at >= back)
    assert receiver.unverified() == []
    assert set(ok) == ids, (ok, ids)  # none missing, none unknown
    assert all(ok[i] == 1 for i in meanwhile), ok  # once: one 2xx answer per webhook-id
    assert all(after[i] == 1 for i in meanwhile), after  # one post each once it was back
    by_event = receiver.ids_by_event()
    assert len(by_event) == len(ids) and all(len(v) == 1 for v in by_event.values()), by_event
    bodies = receiver.bodies()
    assert {b["data"]["review_id"] for b in bodies if b["type"] == "review.finished"} \
        == {first, *reviews}
    assert {b["data"]["directive_id"] for b in bodies if b["type"] == "directive.assigned"} \
        == set(directives)
    assert all(row["attempts"] >= 2 for row in final if row["id"] in meanwhile), final
    modes = Counter(p.mode for p in receiver.snapshot())
    print(f"\noutage {OUTAGE:.0f} s: {len(meanwhile)} deliveries made meanwhile, attempts "
          f"{sorted(r['attempts'] for r in final if r['id'] in meanwhile)}, failures seen "
          f"{sorted(seen)}, requests by receiver state {dict(modes)}")


def _review_done(receiver: WebhookReceiver, run_id: str) -> bool:
    return any(b["data"].get("review_id") == run_id for b in receiver.bodies())


async def _timeline(stack: Stack, group: Group, receiver: WebhookReceiver,
                    directives: list[str]) -> tuple[list[str], set[str]]:
    """The outage: socket closed, 503 from a third on, hanging from two thirds on. Reviews are
    asked for at its start and directives assigned near its end, so that every retry falls
    within the product's backoff without waiting its longest step twice. Returns the reviews
    and the failures the delivery log showed meanwhile."""
    started, seen = time.monotonic(), set()
    owner = group.users["a-admin"]

    async def at(fraction: float) -> None:
        await asyncio.sleep(max(0.0, started + fraction * OUTAGE - time.monotonic()))
        seen.update(r["lastStatus"] for r in await stack.log(group)
                    if r["lastStatus"] not in ("", "delivered"))

    receiver.close_socket()
    reviews = []
    for fraction in (0.0, 0.03, 0.06):
        await at(fraction)
        reviews.append(await stack.review(group))
    await at(1 / 3)
    receiver.listen(UNAVAILABLE)
    await at(2 / 3)
    receiver.listen(HANG)
    for fraction, directive in zip((0.7, 0.8, 0.9), directives, strict=True):
        await at(fraction)
        done = (await stack.api(ASSIGN, {"t": _tenant(group), "d": directive, "u": owner},
                                group.token("a-admin")))["updateDirective"]
        assert done["errors"] == [], done
    await at(1.0)
    return reviews, seen


async def _failed_once(stack: Stack, group: Group, before: set[str],
                       seen: set[str]) -> set[str] | None:
    """The deliveries made during the outage, once each has had a failed attempt."""
    rows = [r for r in await stack.log(group) if r["id"] not in before]
    seen.update(r["lastStatus"] for r in rows if r["lastStatus"])
    assert not [r for r in rows if r["status"] == "delivered"], rows  # the receiver is down
    if len(rows) < 6 or not all(r["lastStatus"] for r in rows):
        return None
    return {r["id"] for r in rows}


async def _all_delivered(stack: Stack, group: Group, count: int) -> list[dict] | None:
    rows = await stack.log(group)
    dead = [r for r in rows if r["status"] == "dead"]
    assert not dead, dead
    done = len(rows) >= count and all(r["status"] == "delivered" for r in rows)
    return rows if done else None


# -- 3. a worker killed while it delivers -------------------------------------------------------

async def worker_killed_mid_delivery(stack: Stack) -> None:
    group = stack.groups["kill"]
    receiver = stack.receiver(hold_first=True)
    await stack.route_to(group, receiver, ["review.finished"])
    await stack.review(group)
    await stack.until(receiver.held.is_set, "a delivery held open by the receiver")
    held = receiver.held_post
    pid = socket_owner(held.peer_port, receiver.port)
    name = next((n for n, p in stack.procs.procs.items() if pid and p.pid == os.getpgid(pid)),
                None)
    assert name is not None and name.startswith("worker"), (pid, name)
    stack.procs.kill(name)  # SIGKILL, its whole process group, mid-request
    [row] = [r for r in await stack.log(group) if r["id"] == held.webhook_id]
    assert (row["status"], row["attempts"]) == ("running", 1), row  # nothing was recorded
    stack.procs.start(name, *WORKER)
    receiver.released.set()
    row = await stack.until(lambda: _delivered(stack, group, held.webhook_id),
                            "the killed worker's delivery, by another worker")
    posts = [p for p in receiver.snapshot() if p.webhook_id == held.webhook_id]
    assert [p.answered for p in posts] == [None, 204], posts  # the first never got its answer
    assert all(p.verified for p in posts) and posts[0].body == posts[1].body
    assert receiver.ids_by_event()[held.event_id] == {held.webhook_id}
    assert receiver.answered_ok()[held.webhook_id] == 1 and row["attempts"] == 2, row


async def _delivered(stack: Stack, group: Group, delivery_id: str) -> dict | None:
    rows = [r for r in await stack.log(group) if r["id"] == delivery_id]
    return rows[0] if rows and rows[0]["status"] == "delivered" else None


# -- 4. a rolled-back event is never sent ---------------------------------------------------------

class _Undo(Exception):
    """Raised to roll a transaction back."""


async def rolled_back_never_sent(stack: Stack) -> None:
    from ipgov.events.models import Event
    from ipgov.events.record import event_type

    platform, group = stack.platform, stack.groups["undo"]
    tenant = _tenant(group)
    receiver = stack.receiver()
    await stack.route_to(group, receiver, ["escalation.decided"])
    payload = {**event_type(platform, "escalation.decided").example, "tenant_id": tenant}

    async def record(session: Any) -> str:
        event = await platform.record_event(session, tenant_id=tenant, type="escalation.decided",
                                            payload=payload, actor="test")
        return event.id

    undone = []
    with pytest.raises(_Undo):  # the whole transaction rolls back
        async with platform.db.tenant_session(tenant) as session:
            undone.append(await record(session))
            raise _Undo
    async with platform.db.tenant_session(tenant) as session:  # a savepoint inside one that
        with pytest.raises(_Undo):  # commits
            async with session.begin_nested():
                undone.append(await record(session))
                raise _Undo
    async with platform.db.tenant_session(tenant) as session:  # the same, committed
        control = await record(session)
    assert control in stack.sent.ids and not set(undone) & stack.sent.ids, (
        "a worker was sent an event that rolled back", undone)
    await stack.until(lambda: control in receiver.ids_by_event(), "the committed event")
    await stack.until(lambda: _settled(platform, tenant), "the tenant's outbox settled")
    assert set(receiver.ids_by_event()) == {control}
    assert [r["eventId"] for r in await stack.log(group)] == [control]
    async with platform.db.tenant_session(tenant, readonly=True) as session:
        assert (await session.execute(select(func.count()).select_from(Event).where(
            Event.id.in_(undone)))).scalar_one() == 0


async def _settled(platform: Any, tenant: str) -> bool:
    """No event of the tenant waits for dispatch and no delivery for an attempt."""
    from ipgov.events.models import Event
    from ipgov.notify.models import Delivery

    async with platform.db.tenant_session(tenant, readonly=True) as session:
        events = (await session.execute(select(func.count()).select_from(Event).where(
            Event.status.in_(["queued", "running"]),
            Event.type == "escalation.decided"))).scalar_one()
        deliveries = (await session.execute(select(func.count()).select_from(Delivery).where(
            Delivery.status.in_(["queued", "running", "retry"])))).scalar_one()
    return events == 0 and deliveries == 0


# -- 5. deadline reminders and the daily digest by e-mail ----------------------------------------

READERS = {"a-viewer": ("zh-CN", "immediate"), "a-admin": ("en", "immediate"),
           "zh-daily": ("zh-CN", "daily"), "en-daily": ("en", "daily")}
ZONES = {"zh-CN": "Asia/Shanghai", "en": "Europe/London"}


async def mail_in_each_language(stack: Stack) -> None:
    group, api = stack.groups["mail"], stack.api
    tenant, admin = _tenant(group), group.token("a-admin")
    for name, (locale, cadence) in READERS.items():
        token = group.token(name)
        assert (await api(LOCALE, {"l": locale}, token))["setMyLocale"]["errors"] == []
        answer = await api(CADENCE, {"c": cadence, "z": ZONES[locale]}, token)
        assert answer["setMyNotificationPreference"]["errors"] == []
    assert (await api(LEADS, {"t": tenant, "d": [30, 7]}, admin)
            )["setDeadlineReminderDays"]["days"] == [30, 7]
    today = utcnow().date()
    for title, kind, days in (("Wafer bonding", "annuity", 30), ("Die attach", "renewal", 7)):
        made = (await api(ASSET, {"t": tenant, "n": title, "a": f"CN2026{days:06d}"}, admin)
                )["createIpAsset"]
        assert made["errors"] == [], made
        asset = made["asset"]
        added = await api(DEADLINE, {"t": tenant, "a": asset["id"], "k": kind,
                                     "d": (today + timedelta(days=days)).isoformat()}, admin)
        assert added["addIpAssetDeadline"]["errors"] == [], added
    rule = {"name": "deadlines", "eventTypes": ["ip_governance.deadline.*"],
            "userIds": [group.users[name] for name in READERS]}
    assert (await api(RULE, {"t": tenant, "r": rule}, admin))["saveNotificationRule"][
        "errors"] == []
    await _scheduler_once(stack.env)
    await stack.until(lambda: len(_by_id(stack.mailbox)) >= 4, "the immediate reminders")
    await _held_since_yesterday(stack.platform, tenant)  # so the workers find the digest due
    await stack.until(lambda: len(_by_id(stack.mailbox)) >= 6, "the daily digests")
    log = await stack.until(lambda: _mail_settled(stack, group), "the e-mail log settled")
    _check_mail(_by_id(stack.mailbox), group, log)


async def _scheduler_once(env: dict[str, str]) -> None:
    """One pass of a real ``ipgov scheduler`` (it enqueues the hourly deadline scan)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ipgov.cli.main", "scheduler", "--once", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, out.decode(errors="replace")


async def _held_since_yesterday(platform: Any, tenant: str) -> None:
    """The other processes' clocks cannot be moved: the items held for the digests are dated
    back a day instead, as if they had waited since yesterday's 08:00."""
    from ipgov.notify.models import Delivery

    async with platform.db.tenant_session(tenant) as session:
        await session.execute(update(Delivery).where(Delivery.status == "pending").values(
            requested_at=utcnow() - timedelta(hours=25)))


async def _mail_settled(stack: Stack, group: Group) -> list[dict] | None:
    rows = await stack.log(group, "email")
    busy = [r for r in rows if r["status"] in ("queued", "running", "retry", "pending")]
    return None if busy or len(rows) < 6 else rows


def _by_id(mailbox: Mailbox) -> dict[str, Any]:
    """The messages received, parsed as MIME, one per Message-ID: delivery is at least once
    (a worker killed after the server took a message sends it again), and the id, made from
    the delivery's, is what tells a reader's mail program that a repeat is the same message."""
    parsed = [email.message_from_bytes(m.as_bytes(), policy=default_policy)
              for m in list(mailbox.messages)]
    return {m["Message-ID"]: m for m in parsed}


def _check_mail(messages: dict[str, Any], group: Group, log: list[dict]) -> None:
    """Each reader got what their cadence says, in their language, as text and HTML."""
    assert len(messages) == 6, [m["Subject"] for m in messages.values()]
    by_reader: dict[str, list[Any]] = {}
    for message in messages.values():
        by_reader.setdefault(message["To"].addresses[0].display_name, []).append(message)
    assert sorted(by_reader) == sorted(READERS), by_reader
    for name, (locale, cadence) in READERS.items():
        messages = by_reader[name]
        assert [m["Content-Language"] for m in messages] == [locale] * len(messages)
        texts = [_parts(m) for m in messages]
        if cadence == "immediate":
            assert len(messages) == 2, (name, [m["Subject"] for m in messages])
            [(text, html)] = [t for t in texts if "Wafer bonding" in t[0]]
            due = "将在 30 天后到期" if locale == "zh-CN" else "due in 30 day(s)"
        else:
            [(text, html)] = texts  # one digest of both reminders
            assert "Die attach" in text and "Die attach" in html
            due = "ipgov 的 2 条通知" if locale == "zh-CN" else "2 notifications from ipgov"
        assert due in text and due in html, (name, text)
        assert f'lang="{locale}"' in html and "/t/mail-a/x/ip_governance/deadline-list" in html
    digested = [r for r in log if r["status"] == "digested"]
    assert {r["userId"] for r in digested} == {group.users["zh-daily"], group.users["en-daily"]}


def _parts(message: Any) -> tuple[str, str]:
    """The text and HTML alternatives of a message (both must be there)."""
    assert message.get_content_type() == "multipart/alternative", message.get_content_type()
    return (message.get_body(preferencelist=("plain",)).get_content(),
            message.get_body(preferencelist=("html",)).get_content())
