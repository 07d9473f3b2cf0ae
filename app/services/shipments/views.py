"""What every shipment use case reads and writes about a shipment: its view (the shipment with
its order, warehouse, carrier, lines and packages), the audit image, the customer-notification
payload, the locked load and the warehouse named by a request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import UnknownReference
from app.domain.shipments import OWN_FLEET
from app.repositories.base import jsonable, snapshot
from app.repositories.carriers import Carrier
from app.repositories.orders import Order
from app.repositories.shipments import Shipment, ShipmentLine, ShipmentPackage
from app.repositories.warehouses import Warehouse
from app.services.unit_of_work import UnitOfWork

AUDIT_EXCLUDED = ("signature", "photo", "label_document", "quote", "tracking_token")


@dataclass(frozen=True)
class ShipmentView:
    shipment: Shipment
    order: Order
    warehouse: str
    carrier: Carrier | None
    lines: list[ShipmentLine]
    packages: list[ShipmentPackage]


def utcnow() -> datetime:
    return datetime.now(UTC)


async def views_of(uow: UnitOfWork, shipments: list[Shipment]) -> list[ShipmentView]:
    ids = [s.id for s in shipments]
    lines: dict[uuid.UUID, list[ShipmentLine]] = {}
    for line in await uow.shipments.lines_of(ids):
        lines.setdefault(line.shipment_id, []).append(line)
    packages: dict[uuid.UUID, list[ShipmentPackage]] = {}
    for package in await uow.shipments.packages_of(ids):
        packages.setdefault(package.shipment_id, []).append(package)
    out = []
    for s in shipments:
        order = await uow.orders.get(s.order_id)
        warehouse = await uow.warehouses.get(s.warehouse_id)
        carrier = await uow.carriers.get(s.carrier_id) if s.carrier_id else None
        assert order is not None and warehouse is not None
        out.append(
            ShipmentView(
                s, order, warehouse.code, carrier, lines.get(s.id, []), packages.get(s.id, [])
            )
        )
    return out


async def load_view(uow: UnitOfWork, shipment: Shipment) -> ShipmentView:
    return (await views_of(uow, [shipment]))[0]


def goods(view: ShipmentView) -> list[dict[str, Any]]:
    return [{"sku": x.sku, "name": x.name, "quantity": str(x.quantity)} for x in view.lines]


def audit_image(view: ShipmentView) -> dict[str, Any]:
    """The audit image: the columns (without the signature image, the label document, the
    last quote and the public tracking token), warehouse, carrier, lines."""
    return snapshot(view.shipment, exclude=AUDIT_EXCLUDED) | {
        "order_number": view.order.number,
        "warehouse": view.warehouse,
        "carrier": view.carrier.code if view.carrier else OWN_FLEET,
        "lines": jsonable(goods(view)),
    }


def notification(view: ShipmentView) -> dict[str, Any]:
    """The outbox payload the customer notification is written from."""
    s = view.shipment
    return {
        "order_id": str(view.order.id),
        "order_number": view.order.number,
        "customer_code": view.order.customer_code,
        "shipment_id": str(s.id),
        "shipment_number": s.number,
        "warehouse": view.warehouse,
        "carrier": view.carrier.code if view.carrier else OWN_FLEET,
        "carrier_name": view.carrier.name if view.carrier else None,
        "service": s.service,
        "tracking_number": s.tracking_number,
        "promised_date": s.promised_date,
        "tracking_url": f"/api/v1/track/{s.tracking_token}",
        "shipped_at": s.shipped_at,
        "delivered_at": s.delivered_at,
        "receiver_name": s.receiver_name,
        "ship_to": view.order.ship_to,
        "lines": goods(view),
    }


async def locked_shipment(uow: UnitOfWork, shipment_id: uuid.UUID) -> Shipment:
    return await uow.shipments.get_for_update_or_raise(shipment_id)


async def warehouse_by_code(uow: UnitOfWork, code: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on("warehouse", "exists", f"No warehouse with code '{code}'.")
    return warehouse
