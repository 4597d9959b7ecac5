"""E-mail notifications through a real SMTP server (aiosmtpd): text and HTML parts in the
reader's language, digests grouped by tenant and kind with counts, hostile titles escaped in
HTML, a preferences link as List-Unsubscribe, and SMTP failures mapped to retry or give up."""

from __future__ import annotations

import dataclasses
import socket
from datetime import UTC, datetime
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller

from ipgov.identity.mail import Mailer
from ipgov.notify.channels.base import Destination, Notice
from ipgov.notify.channels.email import EmailChannel
from ipgov.settings import Settings
from tests.security.identity_support import body_text, smtp_server

NOTICE = Notice(
    event_id="e-1", type="ip_governance.deadline.approaching", tenant_id="t-1",
    tenant_name="acme", occurred_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC), severity="high",
    title="Deadline in 30 days: renewal of CN2020123456", lines=[("Due on", "2026-12-03")],
    link="https://ipgov.example.com/t/acme/assets/a-1", payload={"tenant_id": "t-1"})
ADA = Destination.for_email("ada@example.com", name="Ada Lovelace",
                            preferences_url="https://ipgov.example.com/account/notifications")


def mailer(url: str) -> Mailer:
    mailer = Mailer.from_settings(Settings(smtp_url=url, mail_from="ipgov@ipgov.example.com"))
    assert mailer is not None
    return mailer


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def parts(message) -> dict[str, str]:
    return {p.get_content_type(): body_text(p) for p in message.walk() if not p.is_multipart()}


async def test_one_notice_arrives_with_text_and_html_in_english():
    async with smtp_server() as box:
        outcome = await EmailChannel(mailer(box.url)).deliver(
            ADA, [NOTICE], delivery_id="d-1", locale="en")
        (message,) = await box.wait(1)
    assert outcome.delivered
    assert subject(message) == "[acme] Deadline in 30 days: renewal of CN2020123456"
    assert message["To"] == "Ada Lovelace <ada@example.com>"
    assert message["Message-ID"] == "<d-1@ipgov.example.com>"
    assert message["List-Unsubscribe"] == "<https://ipgov.example.com/account/notifications>"
    assert message["Content-Language"] == "en"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    for part in body.values():
        assert "Tenant" in part and "Due on" in part and "2026-12-03" in part
        assert NOTICE.link in part and "Change or stop these messages" in part
    assert '<a href="https://ipgov.example.com/t/acme/assets/a-1"' in body["text/html"]


async def test_a_digest_in_chinese_groups_by_tenant_then_kind_with_counts():
    notices = [NOTICE,
               dataclasses.replace(NOTICE, event_id="e-2", title="30 天后到期：第二件"),
               dataclasses.replace(NOTICE, event_id="e-3", type="directive.overdue",
                                   title="整改措施已逾期", severity=None),
               dataclasses.replace(NOTICE, event_id="e-4", tenant_name="beta-sub",
                                   title="子公司的期限")]
    async with smtp_server() as box:
        outcome = await EmailChannel(mailer(box.url)).deliver(
            ADA, notices, delivery_id="d-2", locale="zh-CN")
        (message,) = await box.wait(1)
    assert outcome.delivered and subject(message) == "ipgov 的 4 条通知"
    text, html = parts(message)["text/plain"], parts(message)["text/html"]
    assert text.index("== acme") < text.index("== beta-sub")
    assert "-- ip_governance.deadline.approaching (2)" in text
    assert "-- directive.overdue (1)" in text and "整改措施已逾期" in text
    assert "自上次汇总以来的动态" in html and "ip_governance.deadline.approaching (2)" in html
    assert "更改或停止接收这些通知" in html and " · 高" in html


async def test_html_escapes_a_hostile_title_and_drops_a_script_link():
    hostile = dataclasses.replace(
        NOTICE, title='<script>alert("x")</script><img src=x onerror=alert(1)>',
        lines=[("Name", "<b>bold</b> & co")], link="javascript:alert(1)")
    async with smtp_server() as box:
        await EmailChannel(mailer(box.url)).deliver(
            Destination.for_email("ada@example.com"), [hostile], delivery_id="d-3",
            locale="en")
        (message,) = await box.wait(1)
    html = parts(message)["text/html"]
    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "javascript:" not in html and "List-Unsubscribe" not in message


async def test_without_smtp_nothing_is_sent_and_a_server_away_is_retried():
    off = await EmailChannel(None).deliver(ADA, [NOTICE], delivery_id="d", locale="en")
    away = await EmailChannel(mailer("smtp://127.0.0.1:9")).deliver(
        ADA, [NOTICE], delivery_id="d", locale="en")
    assert (off.delivered, off.retryable, off.status) == (False, False, "no_smtp")
    assert (away.delivered, away.retryable, away.status) == (False, True, "smtp")


class _RefuseRecipients:
    async def handle_RCPT(self, _server, _session, _envelope, _address, _options):  # noqa: N802
        return "550 5.1.1 no such mailbox"


async def test_a_mailbox_the_server_refuses_for_good_is_not_retried():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(_RefuseRecipients(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        outcome = await EmailChannel(mailer(f"smtp://127.0.0.1:{port}")).deliver(
            ADA, [NOTICE], delivery_id="d", locale="en")
    finally:
        controller.stop()
    assert (outcome.delivered, outcome.retryable) == (False, False)
