"""What the shipment documents (delivery note, packing slips, shipping label) read about a
shipment, loaded in one place: the shipment, its order and customer, the carrier, lines,
packages and the products of the lines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.documents.labels import label
from app.domain.documents.model import Company, QrCode
from app.repositories.carriers import Carrier
from app.repositories.customers import Customer
from app.repositories.orders import Order
from app.repositories.products import Product
from app.repositories.shipments import Shipment, ShipmentLine, ShipmentPackage
from app.services.documents.common import contact
from app.services.documents.options import Frame, PrintOptions, frame_of
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ShipmentFacts:
    shipment: Shipment
    order: Order
    customer: Customer | None
    carrier: Carrier | None
    warehouse: str
    lines: list[ShipmentLine]
    packages: list[ShipmentPackage]
    products: dict[str, Product]
    frame: Frame

    @property
    def company(self) -> Company:
        return self.frame.company

    @property
    def language(self) -> str:
        return self.frame.language

    def carrier_name(self, language: str) -> str:
        return self.carrier.name if self.carrier else label("own_fleet", language)

    def contact(self) -> tuple[str, str]:
        return contact(self.customer.contacts if self.customer else None)

    def tracking_qr(self, base_url: str, language: str) -> QrCode:
        link = f"{base_url.rstrip('/')}/api/v1/track/{self.shipment.tracking_token}"
        return QrCode(link, label("scan_to_track", language))


async def shipment_facts(
    uow: UnitOfWork, shipment_ids: Sequence[uuid.UUID], options: PrintOptions
) -> list[ShipmentFacts]:
    """Call inside ``async with uow``; 404 naming the first unknown id."""
    shipments = [await uow.shipments.get_or_raise(i) for i in shipment_ids]
    ids = [s.id for s in shipments]
    lines: dict[uuid.UUID, list[ShipmentLine]] = {}
    for line in await uow.shipments.lines_of(ids):
        lines.setdefault(line.shipment_id, []).append(line)
    packages: dict[uuid.UUID, list[ShipmentPackage]] = {}
    for package in await uow.shipments.packages_of(ids):
        packages.setdefault(package.shipment_id, []).append(package)
    skus = sorted({x.sku for group in lines.values() for x in group})
    products = await uow.products.get_many_by_sku(skus)
    facts = []
    for s in shipments:
        order = await uow.orders.get(s.order_id)
        warehouse = await uow.warehouses.get(s.warehouse_id)
        assert order is not None and warehouse is not None
        customer = await uow.customers.get(order.customer_id)
        facts.append(
            ShipmentFacts(
                shipment=s,
                order=order,
                customer=customer,
                carrier=await uow.carriers.get(s.carrier_id) if s.carrier_id else None,
                warehouse=warehouse.code,
                lines=sorted(lines.get(s.id, []), key=lambda x: x.line_no),
                packages=sorted(packages.get(s.id, []), key=lambda x: x.package_no),
                products=products,
                frame=await frame_of(uow, options, customer.language if customer else None),
            )
        )
    return facts
