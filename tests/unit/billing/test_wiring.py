"""Every event that moves money posts its journal entry: the ledger's reaction is listed for
each ``MoneyEvent`` class, so a new one cannot be added without its entry being written."""

from __future__ import annotations

from app import bootstrap
from app.domain.billing.events import MoneyEvent
from app.domain.events import ShipmentConfirmed, ShipmentDelivered
from app.services.ledger.posting import post_entry


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _subclasses(sub)
    return out


def test_every_money_event_posts_its_entry() -> None:
    kinds = _subclasses(MoneyEvent)
    assert kinds, "no money events found"
    missing = sorted(k.__name__ for k in kinds if post_entry not in bootstrap.REACTIONS.get(k, ()))
    assert missing == []


def test_shipments_are_invoiced_by_billing_reactions() -> None:
    """Billing invoices shipments; besides it, a delivery only closes its delivery-plan stop,
    and a shop's order tells its shop (the storefront connectors' outbox rows)."""
    confirmed = {h.__module__ for h in bootstrap.REACTIONS[ShipmentConfirmed]}
    assert confirmed == {"app.services.billing.reactions", "app.services.storefronts.reactions"}
    delivered = {h.__module__ for h in bootstrap.REACTIONS[ShipmentDelivered]}
    assert delivered == {
        "app.services.billing.reactions",
        "app.services.routing.dispatch",
        "app.services.storefronts.reactions",
    }
