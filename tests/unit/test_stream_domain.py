"""Who sees which event on the live stream, and the NATS subject of an event."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain.auth import API_KEY_SCOPES, ROLE_SCOPES, SCOPES, Role
from app.domain.stream import ADMIN, EVENT_SCOPES, mapped_scope, may_see, scope_to_see, subject_for

APP = Path(__file__).resolve().parents[2] / "app"
# The alert events helper C records (the contract of issue 15).
ALERT_TOPICS = {"alert.raised", "alert.acknowledged", "alert.resolved"}


def _source(folder: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((APP / folder).rglob("*.py")))


def every_topic() -> set[str]:
    """Each event class's topic (``topic: str | None = "..."`` in app/domain), and the
    ``<entity>.created``/``.updated`` topics of the master data recorded through
    ``app.services.resources`` (entity types given as ``entity_type="..."`` or as the third
    argument of ``record_created``/``record_updated``)."""
    topics = set(re.findall(r'topic: str \| None = "([^"]+)"', _source("domain")))
    services = _source("services")
    entities = set(re.findall(r'entity_type="(\w+)"', services))
    entities |= set(
        re.findall(r'record_(?:created|updated)\(\s*\w+,\s*[\w.]+,\s*"(\w+)"', services)
    )
    topics |= {f"{entity}.{verb}" for entity in entities for verb in ("created", "updated")}
    return topics | ALERT_TOPICS


def test_every_topic_has_a_mapping() -> None:
    topics = every_topic()
    assert {"order.created", "invoice.issued", "endpoint.disabled", "customer.created"} <= topics
    assert {"price_list.created", "warehouse.updated"} <= topics
    assert sorted(t for t in topics if mapped_scope(t) is None) == []


def test_every_mapped_scope_exists() -> None:
    assert {scope for _, scope in EVENT_SCOPES} <= SCOPES


@pytest.mark.parametrize(
    ("event_type", "scope"),
    [
        ("order.approved", "orders:read"),
        ("shipment.verified", "stock:read"),
        ("pick_list.created", "stock:read"),
        ("invoice.issued", "invoices:read"),
        ("credit_note.issued", "invoices:read"),
        ("payment.received", "payments:read"),
        ("refund.paid", "payments:read"),
        ("alert.raised", "alerts:read"),
        ("endpoint.disabled", ADMIN),
        ("api_key.created", ADMIN),
        ("user.created", ADMIN),
        ("something.new", ADMIN),  # unmapped: the administrators' until decided
        ("orderly.thing", ADMIN),  # a prefix is a whole first token, "order." not "order"
    ],
)
def test_the_scope_an_event_needs(event_type: str, scope: str) -> None:
    assert scope_to_see(event_type) == scope


def test_roles_and_keys_see_what_their_scopes_allow() -> None:
    sales = ROLE_SCOPES[Role.SALES]
    assert may_see("order.created", sales) and may_see("alert.raised", sales)
    assert not may_see("endpoint.disabled", sales) and not may_see("user.created", sales)
    assert may_see("endpoint.disabled", ROLE_SCOPES[Role.ADMIN])
    assert may_see("something.new", ROLE_SCOPES[Role.ADMIN])
    assert not may_see("order.created", frozenset({"stock:read"}))
    assert may_see("shipment.created", frozenset({"stock:read"}))
    assert not may_see("api_key.created", API_KEY_SCOPES)  # keys never hold "admin"


def test_subjects_are_the_prefix_and_the_event_type() -> None:
    assert subject_for("lading", "order.created") == "lading.order.created"
    assert subject_for("acme.lading", "pick_list.created") == "acme.lading.pick_list.created"
    for bad in ("order.*", "order.>", "order created", "order..created", ""):
        with pytest.raises(ValueError):
            subject_for("lading", bad)
