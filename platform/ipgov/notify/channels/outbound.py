"""Outbound HTTP to the destinations tenants register, without becoming a way into our network.

A tenant admin chooses the URL, so every request is checked where it is about to go (SSRF):
``https`` only unless the operator allows ``http``; the host is resolved once and every address
it resolves to must be public (not loopback, private, link-local, shared, reserved, multicast,
unspecified, nor one of those wrapped in IPv6) unless it lies in a network the operator allows
(``IPGOV_NOTIFY_ALLOW_PRIVATE_NETWORKS``). The request then connects to the address that was
checked, keeping the name in the ``Host`` header and in TLS (SNI, certificate check), so a
second DNS answer cannot send it elsewhere. Redirects are not followed, proxies from the
environment are not used, connect/read/total times are bounded and at most
``IPGOV_NOTIFY_MAX_RESPONSE_BYTES`` of the answer are read.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import httpx

from ipgov.settings import Settings

__all__ = ["OutboundError", "OutboundPolicy", "Reply", "Target", "allowed_networks",
           "check_target", "post", "resolve"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not global, not "private"


class OutboundError(Exception):
    """The request was not made or not answered: ``code`` says why, ``retryable`` whether a
    later attempt may succeed; ``detail`` is for the delivery log (no secret, no URL query)."""

    def __init__(self, code: str, detail: str, *, retryable: bool) -> None:
        super().__init__(detail)
        self.code, self.detail, self.retryable = code, detail, retryable


def allowed_networks(raw: str, variable: str) -> tuple[bool, tuple[IPNetwork, ...]]:
    """An operator's list of private networks outbound requests may reach: (``all``, the
    networks); ``ValueError`` naming ``variable`` when a part is no CIDR."""
    raw = raw.strip()
    if raw.lower() == "all":
        return True, ()
    try:
        return False, tuple(ipaddress.ip_network(part.strip(), strict=False)
                            for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"{variable}: {exc}") from None


@dataclass(frozen=True)
class OutboundPolicy:
    """What the operator allows outbound requests to do (read from the settings)."""

    allow_http: bool = False
    allow_all_networks: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 15.0
    max_response_bytes: int = 65_536

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundPolicy:
        """The policy of ``IPGOV_NOTIFY_*``; ``ValueError`` naming a network that is no CIDR."""
        everything, networks = allowed_networks(settings.notify_allow_private_networks,
                                                "IPGOV_NOTIFY_ALLOW_PRIVATE_NETWORKS")
        return cls(allow_http=settings.notify_allow_http, allow_all_networks=everything,
                   allowed_networks=networks,
                   connect_timeout=settings.notify_connect_timeout_seconds,
                   read_timeout=settings.notify_read_timeout_seconds,
                   total_timeout=settings.notify_total_timeout_seconds,
                   max_response_bytes=settings.notify_max_response_bytes)

    def permits(self, address: IPAddress) -> bool:
        """Whether a request may connect to ``address``."""
        if is_public(address) or self.allow_all_networks:
            return True
        return any(address.version == net.version and address in net
                   for net in self.allowed_networks)


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped or 6to4 IPv6 address (the address itself else)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return inner
    return address


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a globally reachable unicast address."""
    plain = unwrap(address)
    if plain != address and not is_public(plain):
        return False
    special = (plain.is_loopback or plain.is_private or plain.is_link_local or plain.is_reserved
               or plain.is_multicast or plain.is_unspecified or plain in SHARED)
    return plain.is_global and not special


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts, and the address a request to it connects to."""

    url: httpx.URL
    address: IPAddress | None = None

    @property
    def host(self) -> str:
        """The host as written (IDNA-encoded name, or the IP literal)."""
        return self.url.host


def check_target(url: str, policy: OutboundPolicy) -> Target:
    """``url`` parsed and checked without resolving it (scheme, host, no credentials, an IP
    literal must be permitted); ``OutboundError`` (not retryable) naming what is wrong."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise OutboundError("invalid_url", "not a valid URL", retryable=False) from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise OutboundError("invalid_url", "not an http(s) URL with a host", retryable=False)
    if parsed.scheme == "http" and not policy.allow_http:
        raise OutboundError("not_https", "plain http is not allowed", retryable=False)
    if parsed.userinfo:
        raise OutboundError("credentials", "the URL carries a user name or password",
                            retryable=False)
    literal = _literal(parsed.host)
    if literal is not None and not policy.permits(unwrap(literal)):
        raise OutboundError("private_address", f"{literal} is not a public address",
                            retryable=False)
    return Target(parsed, unwrap(literal) if literal is not None else None)


def _literal(host: str) -> IPAddress | None:
    """The address a host written as an IP means, in any form the resolver accepts
    (``127.1``, ``2130706433``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``); None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


async def resolve(target: Target, policy: OutboundPolicy) -> Target:
    """``target`` with the address to connect to: every address the name resolves to must be
    permitted (one bad answer refuses the host); ``OutboundError`` otherwise."""
    if target.address is not None:
        return target
    port = target.url.port or (443 if target.url.scheme == "https" else 80)
    try:
        async with asyncio.timeout(policy.connect_timeout):
            infos = await asyncio.get_running_loop().getaddrinfo(
                target.host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        raise OutboundError("dns", f"{target.host} could not be resolved",
                            retryable=True) from None
    addresses = [unwrap(ipaddress.ip_address(info[4][0])) for info in infos]
    if not addresses:
        raise OutboundError("dns", f"{target.host} has no address", retryable=True)
    refused = [a for a in addresses if not policy.permits(a)]
    if refused:
        raise OutboundError("private_address",
                            f"{target.host} resolves to {refused[0]}, not a public address",
                            retryable=False)
    return Target(target.url, addresses[0])


@dataclass(frozen=True)
class Reply:
    """What the receiver answered: status, headers, and the start of the body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


async def post(url: str, *, content: bytes, headers: Mapping[str, str],
               policy: OutboundPolicy) -> Reply:
    """POST ``content`` to ``url`` under ``policy`` (see the module); ``OutboundError`` when
    the URL is refused or the exchange fails (timeouts and connection errors retryable)."""
    target = await resolve(check_target(url, policy), policy)
    try:
        async with asyncio.timeout(policy.total_timeout):
            return await _exchange(target, content, headers, policy)
    except (TimeoutError, httpx.TimeoutException):
        raise OutboundError("timeout", "the receiver did not answer in time",
                            retryable=True) from None
    except httpx.HTTPError as exc:
        raise OutboundError("connection", f"could not reach the receiver ({type(exc).__name__})",
                            retryable=True) from None


async def _exchange(target: Target, content: bytes, headers: Mapping[str, str],
                    policy: OutboundPolicy) -> Reply:
    assert target.address is not None
    pinned = target.url.copy_with(host=str(target.address))
    named = _literal(target.host) is None
    extensions = {"sni_hostname": target.host} if named else {}
    host_header = target.url.netloc.decode("ascii")
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    async with httpx.AsyncClient(verify=_tls(), trust_env=False, follow_redirects=False,
                                 timeout=timeout) as client:
        request = client.build_request("POST", pinned, content=content, extensions=extensions,
                                       headers={**headers, "Host": host_header,
                                                "Accept-Encoding": "identity"})
        response = await client.send(request, stream=True)
        try:
            body = await _bounded(response, policy.max_response_bytes)
        finally:
            await response.aclose()
    return Reply(response.status_code, dict(response.headers), body)


async def _bounded(response: httpx.Response, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk[: limit - size])
        size += len(chunks[-1])
        if size >= limit:
            break
    return b"".join(chunks)


@cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context for every request (building one per request is costly)."""
    return ssl.create_default_context()
