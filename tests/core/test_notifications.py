"""Notifications end to end (issue 17): rules route events to the people allowed to read them
and to registered destinations, never across a tenant boundary; deliveries go through real
receivers (a local webhook receiver verifying Standard Webhooks signatures, an SMTP server),
are retried until the receiver answers and arrive once; digests and calendar feeds follow
each user's language and zone."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import timedelta
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from icalendar import Calendar
from sqlalchemy import select, update
from standardwebhooks import Webhook

from ipgov.db.base import utcnow
from ipgov.events.record import event_type
from ipgov.notify.digests import write_due_digests
from ipgov.notify.models import Delivery
from ipgov.notify.work import resend_due
from ipgov.work.queue import InlineQueue
from tests.conftest import make_group
from tests.security.identity_support import smtp_server

RULE = """mutation($t: ID!, $r: RuleInput!) { saveNotificationRule(tenantId: $t, rule: $r) {
  rule { id name eventTypes roles } errors { code field } } }"""
DEST = """mutation($t: ID!, $k: String!, $n: String!, $u: String!, $l: String) {
  registerNotificationDestination(tenantId: $t, kind: $k, name: $n, target: $u, locale: $l) {
  destination { id kind target signed } secret errors { code field } } }"""
LOG = """query($t: ID!) { notificationDeliveries(tenantId: $t) { edges { node {
  channel status attempts lastStatus eventType } } } }"""
INBOX = "{ myNotifications { edges { node { eventType title tenantId } } } }"


@pytest.fixture
def private_ok(platform, monkeypatch):
    """Receivers here listen on 127.0.0.1: the operator allows loopback for these tests."""
    import dataclasses

    platform.settings = dataclasses.replace(
        platform.settings, notify_allow_private_networks="127.0.0.0/8", notify_allow_http=True)
    return platform


async def _review_finished(platform, tenant_id, severity="high"):
    example = dict(event_type(platform, "review.finished").example)
    async with platform.db.tenant_session(tenant_id) as session:
        return await platform.record_event(
            session, tenant_id=tenant_id, type="review.finished",
            payload={**example, "tenant_id": tenant_id}, actor="test", severity=severity)


async def _deliveries(platform, tenant_id, **where):
    async with platform.db.tenant_session(tenant_id) as session:
        stmt = select(Delivery)
        for key, value in where.items():
            stmt = stmt.where(getattr(Delivery, key) == value)
        return list((await session.execute(stmt)).scalars())


async def _rule(gql, group, tenant, token="admin", **rule):
    body = {"name": "r", "eventTypes": ["review.*"], **rule}
    answer = await gql(RULE, {"t": group.ids[tenant], "r": body}, token=group.token(token))
    return answer["data"]["saveNotificationRule"]


async def test_a_rule_reports_every_bad_field_and_refuses_another_tenants_people(gql, platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    saved = await _rule(gql, acme, "acme-a", token="a-admin", eventTypes=["nothing.here"],
                        roles=["wizard"], minSeverity="huge",
                        userIds=[globex.users["a-admin"]], destinationIds=["nope"])
    assert saved["rule"] is None
    assert {e["field"] for e in saved["errors"]} == {
        "eventTypes", "roles", "minSeverity", "userIds", "destinationIds"}
    other = await gql(RULE, {"t": globex.ids["globex-a"], "r": {"name": "x", "eventTypes": ["*"],
                                                                 "roles": ["viewer"]}},
                      token=acme.token("a-admin"))
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_events_reach_the_people_allowed_to_read_them_and_no_other_tenant(gql, platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    platform.work.attach(InlineQueue())
    assert (await _rule(gql, acme, "acme-a", token="a-admin",
                        roles=["tenant_admin", "viewer"]))["errors"] == []
    assert (await _rule(gql, globex, "globex-a", token="a-admin", eventTypes=["*"],
                        roles=["tenant_admin"]))["errors"] == []
    await _review_finished(platform, acme.ids["acme-a"])
    await platform.work.queue.drain(platform)
    inbox = await _deliveries(platform, acme.ids["acme-a"], channel="inbox")
    assert {d.user_id for d in inbox} == {acme.users["a-admin"], acme.users["a-viewer"]}
    assert await _deliveries(platform, globex.ids["globex-a"]) == []  # never across groups
    mine = await gql(INBOX, token=acme.token("a-viewer"))
    [item] = [e["node"] for e in mine["data"]["myNotifications"]["edges"]]
    assert item["eventType"] == "review.finished" and item["tenantId"] == acme.ids["acme-a"]
    theirs = await gql(INBOX, token=globex.token("a-admin"))
    assert theirs["data"]["myNotifications"]["edges"] == []


@pytest.mark.parametrize("mode, reaches", [("centralized", True), ("decentralized", False)])
async def test_a_group_rule_sees_subsidiaries_only_where_the_mode_lets_it(
        gql, platform, mode, reaches):
    group = await make_group(platform, "acme", mode)
    platform.work.attach(InlineQueue())
    assert (await _rule(gql, group, "acme", roles=["group_admin"],
                        includeSubsidiaries=True))["errors"] == []
    await _review_finished(platform, group.ids["acme-b"])
    await platform.work.queue.drain(platform)
    got = await _deliveries(platform, group.ids["acme"], channel="inbox")
    assert bool(got) is reaches


class _Receiver:
    """A webhook receiver on 127.0.0.1 that verifies signatures with the standardwebhooks
    library, keeps what it accepted by webhook-id (dropping repeats) and can be made to fail."""

    def __init__(self, secret: str | None = None) -> None:
        self.secret, self.down, self.accepted, self.seen = secret, False, {}, 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.seen += 1
                if receiver.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                Webhook(receiver.secret).verify(body, headers)  # raises on a bad signature
                receiver.accepted.setdefault(headers["webhook-id"], json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()


async def test_a_webhook_is_signed_retried_while_the_receiver_is_down_and_arrives_once(
        gql, private_ok):
    platform = private_ok
    acme = await make_group(platform, "acme")
    queue = InlineQueue()
    platform.work.attach(queue)
    receiver = _Receiver()
    try:
        made = (await gql(DEST, {"t": acme.ids["acme-a"], "k": "webhook", "n": "siem",
                                 "u": receiver.url}, token=acme.token("a-admin"))
                )["data"]["registerNotificationDestination"]
        assert made["errors"] == [] and made["secret"].startswith("whsec_")
        receiver.secret = made["secret"]
        assert (await _rule(gql, acme, "acme-a", token="a-admin",
                            destinationIds=[made["destination"]["id"]]))["errors"] == []
        receiver.down = True
        event = await _review_finished(platform, acme.ids["acme-a"])
        await queue.drain(platform)
        [row] = await _deliveries(platform, acme.ids["acme-a"], channel="webhook")
        assert (row.status, row.last_status) == ("retry", "http_503")
        receiver.down = False
        async with platform.db.tenant_session(acme.ids["acme-a"]) as session:  # wait is over
            await session.execute(update(Delivery).values(not_before=utcnow()))
        assert await resend_due(platform) == 1
        await queue.drain(platform)
        queue.pending.append(("delivery", row.id, row.tenant_id))  # the broker repeats it
        await queue.drain(platform)
        [row] = await _deliveries(platform, acme.ids["acme-a"], channel="webhook")
        assert (row.status, row.attempts) == ("delivered", 2), (row.last_status, row.detail)
        [body] = receiver.accepted.values()
        assert body["type"] == "review.finished" and receiver.seen == 2
        assert body["data"]["tenant_id"] == acme.ids["acme-a"] and event.id
        log = await gql(LOG, {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
        [entry] = [e["node"] for e in log["data"]["notificationDeliveries"]["edges"]]
        assert entry["status"] == "delivered" and entry["attempts"] == 2
    finally:
        receiver.close()


async def test_email_goes_in_the_readers_language_and_a_daily_digest_gathers_the_rest(
        gql, platform):
    import dataclasses

    acme = await make_group(platform, "acme")
    queue = InlineQueue()
    platform.work.attach(queue)
    async with smtp_server() as mailbox:
        platform.settings = dataclasses.replace(platform.settings,
                                                smtp_url=mailbox.url)
        await gql('mutation { setMyLocale(locale: "zh-CN") { locale } }',
                  token=acme.token("a-viewer"))
        await gql('mutation { setMyNotificationPreference(cadence: "daily", '
                  'timezone: "Asia/Shanghai") { errors { code } } }',
                  token=acme.token("a-admin"))
        assert (await _rule(gql, acme, "acme-a", token="a-admin",
                            roles=["tenant_admin", "viewer"]))["errors"] == []
        await _review_finished(platform, acme.ids["acme-a"])
        await queue.drain(platform)
        assert len(mailbox.messages) == 1  # the viewer's, at once, in Chinese
        subject = str(make_header(decode_header(mailbox.messages[0]["Subject"])))
        assert subject.startswith("[acme-a] 评审已完成"), subject
        assert await write_due_digests(platform, utcnow() + timedelta(days=1, hours=1)) == 1
        await queue.drain(platform)
        assert len(mailbox.messages) == 2  # the admin's digest
        [held] = await _deliveries(platform, acme.ids["acme-a"], user_id=acme.users["a-admin"],
                                   channel="email", event_type="review.finished")
        [digest] = await _deliveries(platform, acme.ids["acme-a"], event_type="notification.digest")
        assert (held.status, held.digest_id, digest.status) == ("digested", digest.id, "delivered")
        assert await write_due_digests(platform, utcnow() + timedelta(days=1, hours=1)) == 0


async def test_a_calendar_feed_lists_due_dates_and_stops_when_revoked(gql, platform):
    from ipgov.reviews.models import Directive

    acme = await make_group(platform, "acme")
    due = utcnow() + timedelta(days=10)
    async with platform.db.tenant_session(acme.ids["acme-a"]) as session:
        session.add(Directive(tenant_id=acme.ids["acme-a"], check_id="c", finding_key="k",
                              action="Name a top decision-maker", owner_role="tenant_admin",
                              severity="high", function="govern", domain="top_level_design",
                              due_at=due, opened_run_id="r", last_seen_run_id="r"))
    made = (await gql("mutation { createMyCalendarFeed { url feed { id } errors { code } } }",
                      token=acme.token("a-admin")))["data"]["createMyCalendarFeed"]
    path = made["url"][made["url"].index("/calendar/"):]
    answer = await gql.client.get(path)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(answer.content).walk("VEVENT")]
    assert [(e["SUMMARY"].endswith("Name a top decision-maker"), e.decoded("DTSTART"))
            for e in events] == [(True, due.date())]
    other = await gql.client.get(path.replace(path[-10:-4], "AAAAAA"))
    assert other.status_code == 404
    await gql('mutation($f: ID!) { revokeMyCalendarFeed(feedId: $f) { errors { code } } }',
              {"f": made["feed"]["id"]}, token=acme.token("a-admin"))
    assert (await gql.client.get(path)).status_code == 404
    await asyncio.sleep(0)


async def test_raci_roles_route_and_asset_deadlines_reach_the_calendar(gql, platform):
    """Through ip_governance's hooks: notification_recipients answers a rule's RACI role from
    the RACI matrix, calendar_entries puts open asset deadlines in the feed (only for who may
    read assets: the tenant admin's feed has it, a rule cannot reach a non-member)."""
    from ip_governance.organization.models import OrgMember, RaciAssignment
    from ip_governance.risk_assets.models import IpAsset, IpAssetDeadline

    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    platform.work.attach(InlineQueue())
    due = utcnow().date() + timedelta(days=30)
    async with platform.db.tenant_session(tenant) as session:
        member = OrgMember(tenant_id=tenant, name="Viewer", department_type="ip",
                           user_id=acme.users["a-viewer"])
        asset = IpAsset(tenant_id=tenant, kind="patent", title="Wafer bonding")
        session.add_all([member, asset])
        await session.flush()
        session.add_all([RaciAssignment(tenant_id=tenant, process="asset_management",
                                        member_id=member.id, role="A"),
                         IpAssetDeadline(tenant_id=tenant, asset_id=asset.id, kind="annuity",
                                         due_on=due)])
    assert (await _rule(gql, acme, "acme-a", token="a-admin",
                        raciRoles=["asset_management:A"]))["errors"] == []
    await _review_finished(platform, tenant)
    await platform.work.queue.drain(platform)
    inbox = await _deliveries(platform, tenant, channel="inbox")
    assert [d.user_id for d in inbox] == [acme.users["a-viewer"]]

    made = (await gql("mutation { createMyCalendarFeed { url } }",
                      token=acme.token("a-admin")))["data"]["createMyCalendarFeed"]
    feed = await gql.client.get(made["url"][made["url"].index("/calendar/"):])
    [entry] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert entry.decoded("DTSTART") == due and "Wafer bonding" in str(entry["SUMMARY"])
    assert str(entry["SUMMARY"]).startswith("[acme-a] annuity")


async def test_a_group_directors_feed_holds_the_subsidiaries_deadlines(gql, platform):
    """The group admin is a member of the group only; in a hybrid group its roles act in the
    subsidiaries, so their asset deadlines belong in the feed (a decentralized group's do not)."""
    from ip_governance.risk_assets.models import IpAsset, IpAssetDeadline

    for prefix, mode, expected in (("acme", "hybrid", 1), ("globex", "decentralized", 0)):
        group = await make_group(platform, prefix, mode)
        sub = group.ids[f"{prefix}-b"]
        async with platform.db.tenant_session(sub) as session:
            asset = IpAsset(tenant_id=sub, kind="patent", title="Die attach")
            session.add(asset)
            await session.flush()
            session.add(IpAssetDeadline(tenant_id=sub, asset_id=asset.id, kind="annuity",
                                        due_on=utcnow().date() + timedelta(days=20)))
        made = (await gql("mutation { createMyCalendarFeed { url } }",
                          token=group.token("admin")))["data"]["createMyCalendarFeed"]
        feed = await gql.client.get(made["url"][made["url"].index("/calendar/"):])
        assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
        found = [e for e in Calendar.from_ical(feed.content).walk("VEVENT")
                 if "Die attach" in str(e["SUMMARY"])]
        assert len(found) == expected, mode


PREF = """mutation($c: String!, $ch: String!, $e: String, $z: String) {
  setMyNotificationPreference(cadence: $c, channel: $ch, eventType: $e, timezone: $z) {
  preference { channel cadence timezone byEventType { eventType cadence } }
  errors { code field } } }"""
PREFS = """{ myNotificationPreferences { channel cadence timezone
  byEventType { eventType cadence } } }"""


async def _pref(gql, token, cadence, channel="email", event_type=None, zone=None):
    answer = await gql(PREF, {"c": cadence, "ch": channel, "e": event_type, "z": zone},
                       token=token)
    return answer["data"]["setMyNotificationPreference"]


async def test_a_cadence_per_event_type_wins_over_the_channels_and_an_inbox_can_be_off(
        gql, platform):
    """The preferences screen's matrix: e-mail off for everything but review results, which
    come as a daily digest; the inbox off for directive news only; the zone kept throughout."""
    acme = await make_group(platform, "acme")
    platform.work.attach(InlineQueue())
    admin = acme.token("a-admin")
    assert (await _pref(gql, admin, "off", zone="Asia/Shanghai"))["errors"] == []
    assert (await _pref(gql, admin, "daily", event_type="review.finished"))["errors"] == []
    assert (await _pref(gql, admin, "off", "inbox", "directive.assigned"))["errors"] == []
    prefs = {p["channel"]: p for p in (await gql(PREFS, token=admin))["data"][
        "myNotificationPreferences"]}
    assert prefs["email"] == {"channel": "email", "cadence": "off", "timezone": "Asia/Shanghai",
                              "byEventType": [{"eventType": "review.finished",
                                               "cadence": "daily"}]}
    assert prefs["inbox"]["cadence"] == "immediate"
    assert prefs["inbox"]["byEventType"] == [{"eventType": "directive.assigned",
                                             "cadence": "off"}]
    assert (await _rule(gql, acme, "acme-a", token="a-admin", eventTypes=["*"],
                        roles=["tenant_admin"]))["errors"] == []
    await _review_finished(platform, acme.ids["acme-a"])
    await platform.work.queue.drain(platform)
    mine = {(d.channel, d.mode, d.status) for d in await _deliveries(
        platform, acme.ids["acme-a"], user_id=acme.users["a-admin"])}
    assert mine == {("inbox", "immediate", "delivered"), ("email", "daily", "pending")}

    # back to the channel's cadence: review results stop coming by e-mail
    back = await _pref(gql, admin, "default", event_type="review.finished")
    assert back["errors"] == [] and back["preference"]["byEventType"] == []
    assert back["preference"]["timezone"] == "Asia/Shanghai"


async def test_a_preference_names_a_real_channel_cadence_and_event_type(gql, platform):
    acme = await make_group(platform, "acme")
    admin = acme.token("a-admin")
    refused = await _pref(gql, admin, "daily", "inbox", "no.such.type", zone="Mars/Base")
    assert {(e["code"], e["field"]) for e in refused["errors"]} == {
        ("NOTIFY_CADENCE", "cadence"), ("NOTIFY_UNKNOWN_EVENT_TYPE", "eventType"),
        ("NOTIFY_TIMEZONE", "timezone")}
    assert (await _pref(gql, admin, "default"))["errors"][0]["code"] == "NOTIFY_CADENCE"
    assert (await _pref(gql, admin, "daily", "sms"))["errors"][0]["field"] == "channel"
    prefs = (await gql(PREFS, token=admin))["data"]["myNotificationPreferences"]
    assert [(p["channel"], p["cadence"], p["byEventType"]) for p in prefs] == [
        ("email", "immediate", []), ("inbox", "immediate", [])]  # nothing stored


async def test_event_types_have_titles_in_the_readers_language(gql, platform):
    query = "{ eventTypes { name title summary } }"
    acme = await make_group(platform, "acme")
    zh = await gql.post(query, token=acme.token("a-viewer"),
                        headers={"accept-language": "zh-CN"})
    titles = {t["name"]: t["title"] for t in zh.json()["data"]["eventTypes"]}
    assert titles["directive.overdue"] == "指令已逾期"
    assert titles["ip_governance.deadline.missed"] == "资产期限已错过"
    en = (await gql(query, token=acme.token("a-viewer")))["data"]["eventTypes"]
    assert {t["name"]: t["title"] for t in en}["directive.overdue"] == "Directive overdue"


async def test_an_inbox_item_names_its_workspace_path_without_a_public_url(gql, platform):
    """The workspace opens an item from its path (the link needs IPGOV_PUBLIC_URL): a review's
    result opens that review run."""
    acme = await make_group(platform, "acme")
    platform.work.attach(InlineQueue())
    assert platform.settings.public_url == ""
    assert (await _rule(gql, acme, "acme-a", token="a-admin",
                        roles=["viewer"]))["errors"] == []
    await _review_finished(platform, acme.ids["acme-a"])
    await platform.work.queue.drain(platform)
    inbox = await gql("{ myNotifications { nodes { link path } } }", token=acme.token("a-viewer"))
    [item] = inbox["data"]["myNotifications"]["nodes"]
    review_id = event_type(platform, "review.finished").example["review_id"]
    assert item == {"link": "", "path": f"/t/acme-a/reviews/{review_id}"}


TEST_SEND = """mutation($t: ID!, $d: ID!) { sendTestNotification(tenantId: $t, destinationId: $d) {
  delivery { id status lastStatus mode } errors { code field } } }"""


async def test_a_test_send_reaches_the_webhook_signed_is_logged_and_stays_in_its_tenant(
        gql, private_ok):
    """The workspace's test button: the receiver verifies the signature with the secret shown
    at registration, the answer comes back at once and the log keeps it; another tenant's
    admin cannot send to this destination."""
    platform = private_ok
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    receiver = _Receiver()
    try:
        made = (await gql(DEST, {"t": acme.ids["acme-a"], "k": "webhook", "n": "siem",
                                 "u": receiver.url}, token=acme.token("a-admin"))
                )["data"]["registerNotificationDestination"]
        receiver.secret = made["secret"]
        sent = (await gql(TEST_SEND, {"t": acme.ids["acme-a"], "d": made["destination"]["id"]},
                          token=acme.token("a-admin")))["data"]["sendTestNotification"]
        assert sent["errors"] == []
        assert sent["delivery"]["status"] == "delivered", sent
        assert (sent["delivery"]["lastStatus"], sent["delivery"]["mode"]) == ("delivered", "test")
        [(webhook_id, body)] = receiver.accepted.items()
        assert webhook_id == sent["delivery"]["id"] and body["type"] == "notification.test"
        log = await gql(LOG, {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
        assert [e["node"]["status"] for e in log["data"]["notificationDeliveries"]["edges"]] == [
            "delivered"]
        theirs = await gql(TEST_SEND, {"t": globex.ids["globex-a"],
                                       "d": made["destination"]["id"]},
                           token=globex.token("a-admin"))
        assert theirs["data"]["sendTestNotification"]["errors"][0]["field"] == "destinationId"
        assert len(receiver.accepted) == 1
    finally:
        receiver.close()
