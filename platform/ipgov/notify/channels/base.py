"""What every channel shares: the rendered notice, the destination, the outcome of a delivery.

A channel turns notices (one: an immediate message; several: a digest) into a message and
hands it to a destination. It never raises for what a receiver does: it answers an
``Outcome`` the delivery worker records and acts on (done, try again later, give up).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

from ipgov.errors import InvalidInput
from ipgov.settings import Settings
from ipgov.validation import FieldErrors, clean_text, one_of

from .outbound import OutboundError, OutboundPolicy, check_target

__all__ = ["KINDS", "MAX_SECRETS", "ROBOT_KINDS", "Channel", "Destination", "Notice", "Outcome",
           "outcome_of_status", "validate_destination"]

KINDS = ("email", "webhook", "wecom", "dingtalk", "feishu")
"""Every channel kind."""
ROBOT_KINDS = ("wecom", "dingtalk", "feishu")
"""The group-chat robots (a webhook URL of the chat service, a message format of its own)."""
MAX_TARGET = 2048
MAX_SECRETS = 3  # the current secret and those still valid during a rotation
EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


@dataclass(frozen=True)
class Notice:
    """One event rendered for one language (``render_notice`` makes it).

    ``lines`` are ``(label, value)`` pairs a person reads; ``link`` is an absolute URL into
    the workspace (or "" when no public URL is configured) and ``path`` the same place as a
    path of the workspace; ``payload`` is the event's raw payload (webhooks send it as data).
    """

    event_id: str
    type: str
    tenant_id: str
    tenant_name: str
    occurred_at: datetime
    severity: str | None
    title: str
    lines: Sequence[tuple[str, str]]
    link: str
    payload: Mapping[str, Any]
    path: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a delivery attempt came to; ``detail`` carries no secret."""

    delivered: bool
    retryable: bool
    status: str
    detail: str

    @classmethod
    def sent(cls, status: str = "delivered", detail: str = "") -> Outcome:
        """The receiver took the message."""
        return cls(delivered=True, retryable=False, status=status, detail=detail)

    @classmethod
    def failed(cls, status: str, detail: str, *, retryable: bool) -> Outcome:
        """The receiver did not take it; ``retryable``: a later attempt may succeed."""
        return cls(delivered=False, retryable=retryable, status=status, detail=detail)

    @classmethod
    def from_error(cls, error: OutboundError) -> Outcome:
        """The outcome of a request that was refused or not answered."""
        return cls.failed(error.code, error.detail, retryable=error.retryable)


def outcome_of_status(status: int, retry_after: str = "") -> Outcome:
    """2xx delivered; 408, 429 and 5xx worth another attempt; other answers are final
    (410: the receiver says the endpoint is gone)."""
    if 200 <= status < 300:
        return Outcome.sent(detail=f"HTTP {status}")
    later = f" (retry after {retry_after[:20]} s)" if retry_after else ""
    if status in (408, 429) or status >= 500:
        return Outcome.failed(f"http_{status}", f"HTTP {status}{later}", retryable=True)
    why = {410: "the receiver says the endpoint is gone"}.get(status, "refused by the receiver")
    return Outcome.failed(f"http_{status}", f"HTTP {status}: {why}", retryable=False)


@dataclass(frozen=True)
class Destination:
    """Where a channel sends.

    - ``kind``: one of ``KINDS``.
    - ``target``: the e-mail address (``email``), or the URL the message is posted to:
      the receiver's endpoint (``webhook``), the robot's webhook URL with WeCom's ``key`` or
      DingTalk's ``access_token`` in its query (``wecom``, ``dingtalk``, ``feishu``).
    - ``secrets``: signing secrets, newest first. ``webhook``: ``whsec_<base64>``, each one
      signs during a rotation; ``dingtalk`` (``SEC…``) and ``feishu``: the robot's signing
      secret (the first is used); empty: the robot checks keywords or addresses instead.
    - ``name``: the recipient's name (e-mail display name) or the destination's label.
    - ``preferences_url``: e-mail only, where the reader changes or stops these messages
      (shown in the message and sent as ``List-Unsubscribe``); "" for none.
    """

    kind: str
    target: str
    secrets: tuple[str, ...] = ()
    name: str = ""
    preferences_url: str = ""

    @classmethod
    def for_email(cls, address: str, *, name: str = "", preferences_url: str = ""
                  ) -> Destination:
        """A person's mailbox."""
        return cls(kind="email", target=address, name=name, preferences_url=preferences_url)

    @classmethod
    def from_registered(cls, *, kind: str, target: str, name: str = "",
                        secrets: Sequence[str] = ()) -> Destination:
        """A destination a tenant admin registered (secrets newest first)."""
        return cls(kind=kind, target=target, secrets=tuple(secrets), name=name)


class Channel(Protocol):
    """A way of delivering notices: ``deliver`` one (immediate) or several (a digest)."""

    kind: str

    async def deliver(self, destination: Destination, notices: Sequence[Notice], *,
                      delivery_id: str, locale: str) -> Outcome:
        """Send the notices in ``locale``; ``delivery_id`` is stable across retries."""
        ...


def validate_destination(kind: str, target: str, settings: Settings, *,
                         secrets: Sequence[str] = (), name: str = "") -> Destination:
    """The destination, checked for registration: every bad field at once, as one
    ``InvalidInput`` (fields ``kind``, ``target``, ``secret``) a person can act on.

    Names are resolved only when a message is sent (``outbound``); an address written as an
    IP must already be one the operator allows."""
    errors = FieldErrors()
    checked_kind = errors.check(one_of, kind, KINDS, "kind")
    kind = checked_kind or ""
    target = errors.check(clean_text, target, "target", max_len=MAX_TARGET, required=True) or ""
    if kind and target:
        errors.check(_check_target, kind, target, OutboundPolicy.from_settings(settings))
    if kind:
        errors.check(_check_secrets, kind, tuple(secrets))
    errors.raise_if_any()
    return Destination(kind=kind, target=target, secrets=tuple(secrets), name=name)


def _check_target(kind: str, target: str, policy: OutboundPolicy) -> None:
    if kind == "email":
        if not EMAIL.match(target) or len(target) > 254:
            raise InvalidInput(f"{target!r} is not an e-mail address", field="target",
                               code="NOTIFY_EMAIL_INVALID")
        return
    try:
        url = check_target(target, policy).url
    except OutboundError as exc:
        raise InvalidInput(f"the URL is refused: {exc.detail}", field="target",
                           code=URL_CODES[exc.code], details={"reason": exc.detail}) from None
    part = ROBOT_PARTS.get(kind)
    if part and not _has(part, url.path, url.query.decode("ascii", "replace")):
        raise InvalidInput(f"not a {kind} robot URL: it lacks {part}", field="target",
                           code="NOTIFY_ROBOT_URL", details={"robot": kind, "part": part})


URL_CODES = {"invalid_url": "NOTIFY_URL_INVALID", "not_https": "NOTIFY_URL_NOT_HTTPS",
             "credentials": "NOTIFY_URL_CREDENTIALS", "private_address": "NOTIFY_URL_PRIVATE"}
ROBOT_PARTS = {"wecom": "key=", "dingtalk": "access_token=", "feishu": "/hook/"}


def _has(part: str, path: str, query: str) -> bool:
    if part.endswith("="):
        return bool(parse_qs(query).get(part[:-1], [""])[0].strip())
    return part in path and bool(path.split(part, 1)[1].strip("/"))


def _check_secrets(kind: str, secrets: tuple[str, ...]) -> None:
    if kind in ("email", "wecom") and secrets:
        raise InvalidInput(f"{kind} destinations are not signed: leave the secret empty",
                           field="secret", code="NOTIFY_SECRET_UNUSED", details={"kind": kind})
    if len(secrets) > (MAX_SECRETS if kind == "webhook" else 1):
        raise InvalidInput("too many secrets", field="secret", code="NOTIFY_TOO_MANY_SECRETS",
                           details={"max": MAX_SECRETS if kind == "webhook" else 1})
    check = {"webhook": _webhook_secret, "dingtalk": _robot_secret, "feishu": _robot_secret}
    for secret in secrets:
        check[kind](kind, secret)


def _webhook_secret(kind: str, secret: str) -> None:
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not secret.startswith("whsec_") or not 24 <= len(key) <= 64:
        raise InvalidInput("a webhook secret is whsec_ followed by 24 to 64 bytes in base64",
                           field="secret", code="NOTIFY_WEBHOOK_SECRET")


def _robot_secret(kind: str, secret: str) -> None:
    plain = secret.strip()
    if not plain or plain != secret or len(secret) > 200 or any(c.isspace() for c in secret) \
            or (kind == "dingtalk" and not secret.startswith("SEC")):
        raise InvalidInput(f"not a {kind} signing secret", field="secret",
                           code="NOTIFY_ROBOT_SECRET", details={"robot": kind})
