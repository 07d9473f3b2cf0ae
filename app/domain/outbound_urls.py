"""Where Lading may send requests that carry secrets (carrier endpoints, the outbound webhook).

One rule, :func:`url_violation`, decides for a URL and the addresses its host resolves to:

- the URL is ``http`` or ``https`` with a host and no user info (``invalid_url``);
- ``https`` is required (``https_required``) unless every address is loopback (the fake
  carrier), or the policy allows plain ``http``;
- no address may be link-local (``link_local_address``), a cloud metadata service
  (``metadata_address``), private (``private_address``) or otherwise not routable on the
  internet (``reserved_address``: unspecified, multicast, documentation ranges, ...) unless the
  policy's allow-list names the host or a network holding the address;
- a host that resolves to nothing is refused (``unresolvable_host``).

Loopback is allowed: it is how the fake carrier and local test servers are reached. Resolving is
the caller's business; ``addresses=None`` checks what can be checked without resolving (the
scheme, and the address itself when the host is an IP literal)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.domain.errors import RuleViolation

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Azure wire server).
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
)
LOCALHOST_NAMES = frozenset({"localhost", "localhost.localdomain"})


@dataclass(frozen=True)
class OutboundPolicy:
    """``allow_http``: plain http to any host; ``hosts``: names trusted whatever they resolve
    to; ``networks``: addresses allowed although private or reserved."""

    allow_http: bool = False
    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def of(cls, *, allow_http: bool = False, allowed: Iterable[str] = ()) -> OutboundPolicy:
        """From settings: each allowed entry is a host name, an IP address or a CIDR network
        (``ValueError`` for a malformed network)."""
        hosts: set[str] = set()
        networks: list[Network] = []
        for entry in (e.strip() for e in allowed):
            if not entry:
                continue
            if any(c.isdigit() for c in entry) and ("/" in entry or _ip(entry) is not None):
                networks.append(ipaddress.ip_network(entry, strict=False))
            else:
                hosts.add(entry.lower().rstrip("."))
        return cls(allow_http, frozenset(hosts), tuple(networks))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, without brackets or a trailing dot

    @property
    def literal(self) -> Address | None:
        """The host as an address, when it is an IP literal."""
        return _ip(self.host)


def _ip(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_target(url: str) -> Target | None:
    """Scheme and host of an ``http(s)`` URL, or None when it is not one (or has user info)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    return Target(parts.scheme, host.lower().rstrip("."))


def is_loopback_host(target: Target) -> bool:
    literal = target.literal
    return target.host in LOCALHOST_NAMES or (literal is not None and literal.is_loopback)


def _address_rule(address: Address) -> tuple[str, str] | None:
    if address.is_loopback:
        return None
    if address in METADATA:
        return "metadata_address", "a cloud metadata service"
    if address.is_unspecified or address.is_multicast:
        return "reserved_address", "an address not routable on the internet"
    if address.is_link_local:
        return "link_local_address", "a link-local address"
    if address.is_private:
        return "private_address", "a private address"
    if not address.is_global:
        return "reserved_address", "an address not routable on the internet"
    return None


def url_violation(
    field: str, url: str, addresses: Sequence[str] | None, policy: OutboundPolicy
) -> RuleViolation | None:
    """Why Lading must not send to ``url`` (whose host resolved to ``addresses``; None when not
    resolved), as a ``RuleViolation`` on ``field``; None when it may."""
    target = parse_target(url)
    if target is None:
        return RuleViolation.on(
            field, "invalid_url", "Must be an http(s) URL with a host and no user name/password."
        )
    trusted = target.host in policy.hosts
    resolved: list[Address] | None = None
    if target.literal is not None:
        resolved = [target.literal]
    elif target.host in LOCALHOST_NAMES:  # RFC 6761: always loopback, never asked
        resolved = [ipaddress.ip_address("127.0.0.1")]
    elif addresses is not None:
        resolved = [a for a in (_ip(x) for x in addresses) if a is not None]
        if not resolved and not trusted:
            return RuleViolation.on(
                field, "unresolvable_host", f"The host {target.host} does not resolve."
            )
    loopback = is_loopback_host(target) or bool(resolved and all(a.is_loopback for a in resolved))
    if target.scheme == "http" and not policy.allow_http and not loopback:
        return RuleViolation.on(
            field,
            "https_required",
            "Must be an https URL (plain http only to this machine, or when "
            "LADING_OUTBOUND_ALLOW_HTTP is set).",
        )
    if trusted:
        return None
    for address in resolved or ():
        broken = _address_rule(address)
        if broken and not any(address in n for n in policy.networks):
            rule, what = broken
            return RuleViolation.on(
                field,
                rule,
                f"The host {target.host} resolves to {address}, {what}; add it to "
                "LADING_OUTBOUND_ALLOWED_HOSTS if it is really meant.",
            )
    return None
