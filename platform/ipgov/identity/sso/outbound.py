"""The HTTP client single sign-on talks to providers with: SSRF-guarded, pinned, bounded.

A tenant administrator chooses a provider's URLs, so every request (discovery, keys, token)
goes through the same guard as notification webhooks (``ipgov.notify.channels.outbound``):
``https`` unless ``IPGOV_SSO_ALLOW_HTTP``, public addresses unless the network is allowed
(``IPGOV_SSO_ALLOW_PRIVATE_NETWORKS``: corporate identity providers often live inside the
LAN), the connection made to the address that was checked (name kept for ``Host`` and TLS),
no redirects, no proxies from the environment, every exchange bounded by
``IPGOV_SSO_TIMEOUT_SECONDS`` and answers read up to 1 MiB.
"""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

import httpx

from ipgov.notify.channels.outbound import (
    OutboundError,
    OutboundPolicy,
    allowed_networks,
    check_target,
    resolve,
)
from ipgov.settings import Settings

__all__ = ["MAX_ANSWER_BYTES", "PinnedTransport", "client_options", "sso_policy"]

MAX_ANSWER_BYTES = 1_048_576


def sso_policy(settings: Settings) -> OutboundPolicy:
    """The outbound policy of ``IPGOV_SSO_*``; ``ValueError`` naming a network that is no CIDR."""
    everything, networks = allowed_networks(settings.sso_allow_private_networks,
                                            "IPGOV_SSO_ALLOW_PRIVATE_NETWORKS")
    timeout = settings.sso_timeout_seconds
    return OutboundPolicy(allow_http=settings.sso_allow_http, allow_all_networks=everything,
                          allowed_networks=networks, connect_timeout=timeout,
                          read_timeout=timeout, total_timeout=timeout,
                          max_response_bytes=MAX_ANSWER_BYTES)


class PinnedTransport(httpx.AsyncBaseTransport):
    """Checks each request's target under the policy, then connects to the checked address."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self._inner = httpx.AsyncHTTPTransport(verify=_tls(), trust_env=False, retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        checked = check_target(str(request.url), self.policy)
        named = checked.address is None
        target = await resolve(checked, self.policy)
        assert target.address is not None
        host = str(target.address)
        request.url = request.url.copy_with(host=host)
        request.headers["Host"] = target.url.netloc.decode("ascii")
        if named:
            request.extensions = {**request.extensions, "sni_hostname": target.host}
        response = await self._inner.handle_async_request(request)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            await response.aclose()
            raise OutboundError("too_large", "the provider's answer is too large",
                                retryable=False)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@cache
def _tls() -> ssl.SSLContext:
    """One verifying context (the machine's certificate store) for every provider."""
    return ssl.create_default_context()


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for an ``httpx.AsyncClient`` (or Authlib's) talking to providers."""
    policy = sso_policy(settings)
    return {"transport": PinnedTransport(policy), "trust_env": False,
            "follow_redirects": False, "timeout": httpx.Timeout(policy.total_timeout)}
