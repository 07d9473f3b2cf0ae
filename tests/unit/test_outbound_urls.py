"""The outbound URL rule: https, no private/link-local/metadata addresses, the allow-list."""

from __future__ import annotations

import pytest

from app.domain.outbound_urls import OutboundPolicy, url_violation

STRICT = OutboundPolicy()


def rule(url: str, addresses: list[str] | None = None, policy: OutboundPolicy = STRICT):
    violation = url_violation("endpoint", url, addresses, policy)
    if violation is None:
        return None
    (issue,) = violation.issues
    assert issue.field == "endpoint"
    return issue.rule


def test_public_https_is_allowed() -> None:
    assert rule("https://93.184.216.34/api") is None
    assert rule("https://carrier.example/api", ["93.184.216.34"]) is None
    assert rule("https://[2606:4700::1111]/") is None


@pytest.mark.parametrize(
    "url", ["ftp://carrier.example", "carrier.example", "https://", "https://u:p@carrier.example"]
)
def test_not_an_http_url(url: str) -> None:
    assert rule(url, ["93.184.216.34"]) == "invalid_url"


def test_plain_http_needs_loopback_or_the_setting() -> None:
    assert rule("http://93.184.216.34") == "https_required"
    assert rule("http://carrier.example", None) == "https_required"
    assert rule("http://carrier.example", ["93.184.216.34"]) == "https_required"
    assert rule("http://93.184.216.34", policy=OutboundPolicy(allow_http=True)) is None
    # Loopback, for the fake carrier and local servers.
    assert rule("http://127.0.0.1:8099") is None
    assert rule("http://localhost:8099") is None
    assert rule("http://[::1]:8099") is None
    assert rule("http://carrier.local", ["127.0.0.1", "::1"]) is None
    assert rule("http://carrier.local", ["127.0.0.1", "93.184.216.34"]) == "https_required"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("10.1.2.3", "private_address"),
        ("172.16.0.9", "private_address"),
        ("192.168.1.1", "private_address"),
        ("fd12::1", "private_address"),
        ("::ffff:10.0.0.1", "private_address"),
        ("169.254.10.10", "link_local_address"),
        ("fe80::1", "link_local_address"),
        ("169.254.169.254", "metadata_address"),
        ("fd00:ec2::254", "metadata_address"),
        ("0.0.0.0", "reserved_address"),
        ("224.0.0.1", "reserved_address"),
        ("100.64.0.1", "reserved_address"),
    ],
)
def test_forbidden_addresses(address: str, expected: str) -> None:
    host = f"[{address}]" if ":" in address else address
    assert rule(f"https://{host}/") == expected
    assert rule("https://carrier.example/", ["93.184.216.34", address]) == expected


def test_a_host_that_resolves_to_nothing_is_refused() -> None:
    assert rule("https://nowhere.example", []) == "unresolvable_host"


def test_unresolved_names_are_checked_for_the_scheme_only() -> None:
    assert rule("https://carrier.example", None) is None


def test_the_allow_list_names_hosts_or_networks() -> None:
    policy = OutboundPolicy.of(allowed=["10.0.0.0/8", "Carrier.Internal.", "169.254.169.254"])
    assert rule("https://10.1.2.3", policy=policy) is None
    assert rule("https://carrier.example", ["10.9.9.9"], policy) is None
    assert rule("https://carrier.internal", ["192.168.1.1"], policy) is None
    assert rule("https://169.254.169.254", policy=policy) is None
    assert rule("https://192.168.1.1", policy=policy) == "private_address"
    assert rule("https://other.example", ["10.1.1.1", "192.168.0.1"], policy) == "private_address"
    # Allowing an address does not allow plain http to it.
    assert rule("http://10.1.2.3", policy=policy) == "https_required"


def test_a_malformed_allowed_network_is_an_error() -> None:
    with pytest.raises(ValueError):
        OutboundPolicy.of(allowed=["10.0.0.0/33"])


def test_an_allowed_host_name_need_not_resolve() -> None:
    policy = OutboundPolicy.of(allowed=["carrier.internal"])
    assert rule("https://carrier.internal", [], policy) is None
    assert rule("https://carrier.internal", [], STRICT) == "unresolvable_host"
