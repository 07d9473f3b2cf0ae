"""The outbound URL rule (``app.domain.outbound_urls``) applied with real name resolution: when a
carrier endpoint is saved, and again on every request that carries a secret, because DNS may
change between the two.

:class:`OutboundGuard` resolves a URL's host (``getaddrinfo`` on the running loop; nothing to
resolve for IP literals) and checks it. :class:`GuardedTransport` is the httpx transport of the
clients that send secrets out (carrier calls, outbound webhooks): a request to a forbidden
address is refused with :class:`OutboundRefused` (an ``httpx.ConnectError``) before a byte is
sent. The address is checked, then connected to by httpx, so a name that changes its answer in
between is not caught: the check narrows, it does not close, a DNS-rebinding window."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Sequence

import httpx

from app.domain.errors import RuleViolation
from app.domain.outbound_urls import (
    LOCALHOST_NAMES,
    OutboundPolicy,
    parse_target,
    url_violation,
)

Resolver = Callable[[str], Awaitable[Sequence[str]]]


async def resolve_host(host: str) -> list[str]:
    """The addresses ``host`` resolves to; empty when it does not resolve."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]).split("%", 1)[0] for info in infos})


class OutboundRefused(httpx.ConnectError):
    """A request to an address the outbound policy forbids; nothing was sent."""


class OutboundGuard:
    """The outbound policy with a resolver (tests inject one: there is no DNS in tests)."""

    def __init__(self, policy: OutboundPolicy, resolve: Resolver = resolve_host) -> None:
        self.policy = policy
        self.resolve = resolve

    def _unasked(self, host: str) -> bool:
        """Names not resolved: allowed ones are trusted, localhost is loopback."""
        return host in self.policy.hosts or host in LOCALHOST_NAMES

    async def violation(self, field: str, url: str) -> RuleViolation | None:
        target = parse_target(url)
        addresses: Sequence[str] | None = None
        if target is not None and target.literal is None and not self._unasked(target.host):
            addresses = await self.resolve(target.host)
        return url_violation(field, url, addresses, self.policy)

    async def check(self, field: str, url: str) -> None:
        """Raise the ``RuleViolation`` (422 naming ``field``) when ``url`` is forbidden."""
        violation = await self.violation(field, url)
        if violation is not None:
            raise violation


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks every request's URL with the guard, then hands it to the wrapped transport."""

    def __init__(self, guard: OutboundGuard, inner: httpx.AsyncBaseTransport | None = None):
        self.guard = guard
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        violation = await self.guard.violation("url", url)
        if violation is not None:
            origin = f"{request.url.scheme}://{request.url.netloc.decode()}"
            raise OutboundRefused(f"refused to call {origin}: {violation.detail}", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def guarded_client(guard: OutboundGuard, *, timeout: float = 5.0) -> httpx.AsyncClient:
    """A pooled client whose every request passes the guard first."""
    return httpx.AsyncClient(transport=GuardedTransport(guard), timeout=timeout)
