"""E-mail for invitations and password resets, through the SMTP server of ``IPGOV_SMTP_URL``.

``smtp://user:password@host:587?starttls=1`` (plain SMTP, optionally upgraded with STARTTLS)
or ``smtps://...`` (TLS from the start). Messages carry both languages (English, then Chinese):
the platform does not know the reader's language before they sign in. Sending runs in a thread
with a timeout, so a slow mail server delays only the request that sends.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from ipgov.settings import Settings

__all__ = ["MailError", "Mailer", "invitation_message", "reset_message"]

TIMEOUT_SECONDS = 15.0


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server (the reason, without secrets);
    ``permanent``: the server refused it for good (a 5xx answer), trying again is useless."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Mailer:
    """An SMTP endpoint parsed from ``IPGOV_SMTP_URL``."""

    host: str
    port: int
    username: str
    password: str
    tls: bool
    starttls: bool
    sender: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """The configured mailer, or None when e-mail is off."""
        if not settings.smtp_url:
            return None
        url = urlsplit(settings.smtp_url)
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise ValueError("IPGOV_SMTP_URL: expected smtp://host:port or smtps://host:port")
        query = parse_qs(url.query)
        return cls(host=url.hostname, port=url.port or (465 if url.scheme == "smtps" else 25),
                   username=unquote(url.username or ""), password=unquote(url.password or ""),
                   tls=url.scheme == "smtps",
                   starttls=(query.get("starttls") or ["0"])[0].lower() in ("1", "true", "yes"),
                   sender=settings.mail_from)

    def _send_blocking(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp = (smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=context)
                if self.tls else smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS))
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message; ``MailError`` when the server refuses or is away."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        await self.send_message(message)

    async def send_message(self, message: EmailMessage) -> None:
        """Hand over a complete message (notifications build their own); ``MailError``."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self._send_blocking, message),
                                   TIMEOUT_SECONDS + 5)
        except (OSError, smtplib.SMTPException, TimeoutError) as exc:
            raise MailError(f"the mail server did not take the message ({type(exc).__name__})",
                            permanent=_permanent(exc)) from None


def _permanent(exc: BaseException) -> bool:
    """Whether the server's answer refuses the message for good (5xx for every recipient)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPAuthenticationError):  # the operator's to fix: retry
        return False
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def invitation_message(tenant: str, role: str, link: str, expires: str) -> tuple[str, str]:
    """Subject and body of an invitation (English, then Chinese)."""
    subject = f"Invitation to {tenant} on ipgov / ipgov 平台邀请：{tenant}"
    body = (f"You are invited to join {tenant} on ipgov as {role}.\n"
            f"Open this link to choose your password and sign in (valid until {expires}, once):\n"
            f"{link}\n\n"
            f"您受邀以 {role} 角色加入 ipgov 平台上的 {tenant}。\n"
            f"请打开以下链接设置密码并登录（有效期至 {expires}，仅可使用一次）：\n{link}\n")
    return subject, body


def reset_message(link: str, expires: str) -> tuple[str, str]:
    """Subject and body of a password-reset message (English, then Chinese)."""
    subject = "Reset your ipgov password / 重置 ipgov 密码"
    body = ("Someone asked to reset the password of this address on ipgov. If it was you, open\n"
            f"this link to choose a new password (valid until {expires}, once):\n{link}\n"
            "If it was not you, ignore this message: nothing changes.\n\n"
            "有人请求重置此邮箱在 ipgov 平台上的密码。如果是您本人，请打开以下链接设置新密码"
            f"（有效期至 {expires}，仅可使用一次）：\n{link}\n如果不是您本人，请忽略本邮件，"
            "您的账户不会有任何变化。\n")
    return subject, body
