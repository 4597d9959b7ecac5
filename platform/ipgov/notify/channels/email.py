"""E-mail notifications over the platform's SMTP server (``IPGOV_SMTP_URL``, the ``Mailer``
of invitations: STARTTLS or TLS, authentication, a thread and a timeout).

Every message has a plain-text and an HTML part in the reader's language, from templates that
escape what they show (a title is a tenant's text, never markup). One notice reads as itself;
several are a digest grouped by tenant, then by kind of event, with counts. A destination's
preferences link is shown and sent as ``List-Unsubscribe``. The message id is made from the
delivery id, so a retry after a lost answer is recognisable as the same message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr
from functools import cache
from itertools import groupby
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ipgov.i18n.labels import label
from ipgov.identity.mail import Mailer, MailError

from .base import Destination, Notice, Outcome
from .compose import grouped
from .texts import TEXTS, text

__all__ = ["EmailChannel", "compose_email"]

MAX_SUBJECT = 200


@cache
def _templates() -> Environment:
    """The templates, HTML autoescaped (loaded once)."""
    return Environment(loader=PackageLoader("ipgov.notify.channels", "templates"),
                       autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                       trim_blocks=False, keep_trailing_newline=True)


def _safe(notice: Notice) -> Notice:
    """The notice with a link only if it is a web address (never ``javascript:``)."""
    ok = notice.link.startswith(("https://", "http://"))
    return notice if ok or not notice.link else dataclasses.replace(notice, link="")


def subject_of(notices: Sequence[Notice], locale: str) -> str:
    """``[tenant] title`` for one notice, the digest's count for several (one line)."""
    if len(notices) == 1:
        subject = f"[{notices[0].tenant_name}] {notices[0].title}"
    else:
        subject = text("digest_title", locale, count=len(notices))
    return " ".join(subject.split())[:MAX_SUBJECT]


def _context(notices: Sequence[Notice], locale: str, preferences_url: str) -> dict[str, Any]:
    groups = grouped(notices)
    tenants = [(tenant, list(items)) for tenant, items in groupby(groups, lambda g: g.tenant)]
    return {"locale": locale, "notices": notices, "tenants": tenants,
            "subject": subject_of(notices, locale),
            "t": {key: text(key, locale, count=len(notices)) for key in TEXTS},
            "severity": lambda value: label("severity", value, locale),
            "preferences_url": preferences_url if preferences_url.startswith("http") else ""}


def compose_email(destination: Destination, notices: Sequence[Notice], *, sender: str,
                  delivery_id: str, locale: str) -> EmailMessage:
    """The message (text and HTML alternatives) for ``destination`` in ``locale``."""
    loc = "zh-CN" if locale.lower().startswith("zh") else "en"
    safe = [_safe(n) for n in notices]
    context = _context(safe, loc, destination.preferences_url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((destination.name, destination.target))
    message["Subject"] = context["subject"]
    message["Message-ID"] = f"<{delivery_id}@{_domain(sender)}>"
    message["Auto-Submitted"] = "auto-generated"
    if context["preferences_url"]:
        message["List-Unsubscribe"] = f"<{context['preferences_url']}>"
    message.set_content(_templates().get_template("notice.txt").render(context))
    message.add_alternative(_templates().get_template("notice.html").render(context),
                            subtype="html")
    message["Content-Language"] = loc  # after the parts: set_content drops Content-* headers
    return message


def _domain(sender: str) -> str:
    try:
        return Address(addr_spec=sender.rsplit("<", 1)[-1].strip(">")).domain or "ipgov"
    except (ValueError, IndexError):
        return "ipgov"


class EmailChannel:
    """Sends notices by e-mail; without an SMTP server configured nothing can be sent."""

    kind = "email"

    def __init__(self, mailer: Mailer | None) -> None:
        self.mailer = mailer

    async def deliver(self, destination: Destination, notices: Sequence[Notice], *,
                      delivery_id: str, locale: str) -> Outcome:
        """Compose and hand the message to the SMTP server."""
        if self.mailer is None:
            return Outcome.failed("no_smtp", "e-mail is off (IPGOV_SMTP_URL is not set)",
                                  retryable=False)
        message = compose_email(destination, notices, sender=self.mailer.sender,
                                delivery_id=delivery_id, locale=locale)
        try:
            await self.mailer.send_message(message)
        except MailError as exc:
            return Outcome.failed("smtp", str(exc), retryable=not exc.permanent)
        return Outcome.sent(detail="handed to the mail server")
