"""What the carriers are told about a shipment and how their answers are read: the facts
(sender, receiver, parcel, goods classes, deadline), the preference the rates are ranked by,
stored rates as the domain ranks them, and a carrier's failure as stored and as a problem's
``errors``. Shared by the quote and the label purchase."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.adapters.carriers.base import CarrierError, ShipmentFacts
from app.domain.carrier_selection import Preference, preference_issues
from app.domain.errors import FieldIssue
from app.domain.products import GoodsClass, raise_for_issues
from app.domain.shipments import QuotedRate
from app.repositories.shipments import Shipment
from app.services.shipments.parties import parcel_of, receiver, sender
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


def quoted_rates(rates: list[dict[str, Any]]) -> list[QuotedRate]:
    """Stored rates as the domain ranks them (with their price in the reporting currency)."""
    return [
        QuotedRate(
            carrier=r["carrier"],
            service=r["service"],
            price=Decimal(r["price"]),
            currency=r["currency"],
            promised_date=r["promised_date"],
            position=i,
            converted=Decimal(r["converted_price"]) if r.get("converted_price") else None,
        )
        for i, r in enumerate(rates)
    ]


async def shipment_facts(
    uow: UnitOfWork, shipment: Shipment, now: datetime, settings: Settings
) -> ShipmentFacts:
    """What carriers need to know: sender and receiver, the parcel, goods classes, deadline."""
    order = await uow.orders.get(shipment.order_id)
    assert order is not None
    packages = await uow.shipments.packages_of([shipment.id])
    lines = await uow.shipments.lines_of([shipment.id])
    products = await uow.products.get_many_by_sku(sorted({line.sku for line in lines}))
    classes = {GoodsClass(p.goods_class) for p in products.values()}
    warehouse = await uow.warehouses.get(shipment.warehouse_id)
    customer = await uow.customers.get(order.customer_id)
    weight = sum((p.weight_kg for p in packages), Decimal(0))
    return ShipmentFacts(
        reference=shipment.number,
        country=str(shipment.ship_to.get("country", "")),
        region=shipment.ship_to.get("region"),
        weight_kg=weight,
        goods_classes=frozenset(classes or {GoodsClass.GENERAL}),
        ship_at=now.replace(tzinfo=None),
        deliver_by=order.requested_delivery_date,
        origin=sender(warehouse, settings) if warehouse else None,
        destination=receiver(shipment.ship_to, order.customer_name, customer),
        parcel=parcel_of(packages, weight),
    )


def failure_of(carrier: str, exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, CarrierError):
        return {
            "carrier": carrier,
            "reason": str(exc),
            "retryable": exc.retryable,
            "code": exc.code,
            "errors": [{"field": d.field, "message": d.message} for d in exc.details],
        }
    if isinstance(exc, TimeoutError):
        return {
            "carrier": carrier,
            "reason": "The carrier did not answer in time.",
            "retryable": True,
        }
    return {"carrier": carrier, "reason": f"{type(exc).__name__}: {exc}", "retryable": False}


def carrier_issues(exc: BaseException) -> list[FieldIssue]:
    """A carrier's itemised errors as the problem's ``errors`` (the field is ``carrier`` or
    ``carrier.<the field it names>``, the rule the carrier's error code)."""
    if not isinstance(exc, CarrierError):
        return []
    rule = exc.code or "carrier_error"
    return [
        FieldIssue(f"carrier.{d.field}" if d.field else "carrier", rule, d.message)
        for d in exc.details
    ]


async def preference_for(
    uow: UnitOfWork,
    shipment: Shipment,
    preference: Preference | None,
    preferred_carrier: str | None,
) -> tuple[str, str | None]:
    """The preference asked for, or else the customer's (cheapest when it has none)."""
    if preference is None:
        order = await uow.orders.get(shipment.order_id)
        customer = await uow.customers.get(order.customer_id) if order else None
        if customer is None:
            return Preference.CHEAPEST.value, None
        return customer.shipping_preference, customer.preferred_carrier
    raise_for_issues(preference_issues(preference, preferred_carrier))
    return preference.value, preferred_carrier
