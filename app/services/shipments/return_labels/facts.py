"""What a carrier needs to know of a return: the goods travel from the customer's ship-to of
the delivered shipment back to the return's warehouse."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.adapters.carriers.base import ShipmentFacts
from app.domain.products import GoodsClass
from app.repositories.returns import Return
from app.repositories.shipments import Shipment
from app.services.shipments.parties import receiver, sender
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


async def _weight(uow: UnitOfWork, ret: Return, shipment: Shipment | None) -> Decimal:
    """The returned lines' weight by their products, else the delivered shipment's."""
    lines = await uow.returns.lines(ret.id)
    products = await uow.products.get_many_by_sku(sorted({x.sku for x in lines}))
    weight = sum(
        (x.quantity * (products[x.sku].weight_kg or 0) for x in lines if x.sku in products),
        Decimal(0),
    )
    if weight or shipment is None:
        return weight
    packages = await uow.shipments.packages_of([shipment.id])
    return sum((p.weight_kg for p in packages), Decimal(0))


async def return_facts(
    uow: UnitOfWork, ret: Return, shipment: Shipment | None, now: datetime, settings: Settings
) -> ShipmentFacts:
    """A return shipment (``is_return``): origin the customer, destination the warehouse."""
    order = await uow.orders.get(ret.order_id)
    warehouse = await uow.warehouses.get(ret.warehouse_id)
    customer = await uow.customers.get(ret.customer_id)
    assert order is not None and warehouse is not None
    ship_to = shipment.ship_to if shipment is not None else order.ship_to
    lines = await uow.returns.lines(ret.id)
    products = await uow.products.get_many_by_sku(sorted({x.sku for x in lines}))
    classes = {GoodsClass(p.goods_class) for p in products.values()}
    address = warehouse.address or {}
    return ShipmentFacts(
        reference=ret.number,
        country=str(address.get("country", "")),
        region=address.get("region"),
        weight_kg=await _weight(uow, ret, shipment),
        goods_classes=frozenset(classes or {GoodsClass.GENERAL}),
        ship_at=now.replace(tzinfo=None),
        origin=receiver(ship_to, order.customer_name, customer),
        destination=sender(warehouse, settings),
        is_return=True,
    )
