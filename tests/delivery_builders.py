"""Builders for delivery planning: depots with coordinates, vehicles, and own-fleet
shipments packed, verified and ready to leave (see tests/builders.py for the conventions)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from app.domain.shipments import ShipmentStatus, format_shipment_number
from app.repositories.customers import Customer
from app.repositories.products import Product
from app.repositories.shipments import Shipment, ShipmentLine, ShipmentPackage
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.repositories.vehicles import Vehicle
from app.repositories.warehouses import Warehouse
from tests.builders import ACTOR, a_picked_order

D = Decimal
# The depot in Shanghai's Minhang district, and stops a few kilometres around it.
DEPOT = (D("31.1120"), D("121.3810"))


def address(lat: str | None, lon: str | None, **kw: Any) -> dict[str, Any]:
    ship_to: dict[str, Any] = {
        "country": "CN",
        "region": "上海市",
        "city": "上海市",
        "street": f"测试路 {secrets.randbelow(999)} 号",
    }
    if lat is not None and lon is not None:
        ship_to |= {"latitude": lat, "longitude": lon}
    return ship_to | kw


async def a_vehicle(uow: SqlAlchemyUnitOfWork, depot: Warehouse, code: str, **kw: Any) -> Vehicle:
    values: dict[str, Any] = {
        "code": code,
        "name": f"Truck {code}",
        "depot_warehouse_id": depot.id,
        "plate": f"沪A{code[-5:]}",
        "capacity_kg": D("1000"),
        "capacity_m3": D("8"),
        "shift_start": time(8, 0),
        "shift_end": time(18, 0),
        "max_route_minutes": None,
        "fixed_cost": D("200"),
        "cost_per_km": D("2.5"),
        "cost_per_hour": D("60"),
        "currency": "CNY",
        "goods_classes": ["general"],
        "driver_name": "李师傅",
        "driver_phone": "+86 139 0000 0000",
        "active": True,
        "version": 1,
    } | kw
    async with uow:
        vehicle = Vehicle(id=uuid.uuid4(), **values)
        uow.vehicles.add(vehicle)
        await uow.commit()
    return vehicle


async def a_ready_shipment(
    uow: SqlAlchemyUnitOfWork,
    customer: Customer,
    depot: Warehouse,
    product: Product,
    *,
    ship_to: dict[str, Any],
    quantity: int = 1,
    weight_kg: str = "20",
    verified: bool = True,
) -> Shipment:
    """An own-fleet shipment of a picked order, packed in one 40×30×30 cm parcel, verified
    (scanned) unless told otherwise, ready to leave ``depot``."""
    picked = await a_picked_order(uow, customer, depot, [(product, quantity)], ship_to=ship_to)
    now = datetime.now(UTC)
    async with uow:
        line = picked.lines[0]
        shipment = Shipment(
            id=uuid.uuid4(),
            number=format_shipment_number(now.year, await uow.shipments.next_number()),
            order_id=picked.id,
            warehouse_id=depot.id,
            carrier_id=None,
            status=ShipmentStatus.READY.value,
            ship_to=ship_to,
            created_by=ACTOR,
            updated_by=ACTOR,
            verified_at=now if verified else None,
            verified_by=ACTOR if verified else None,
            tracking_token=secrets.token_urlsafe(24),
            version=1,
        )
        uow.shipments.add(shipment)
        await uow.flush()
        uow.shipments.add_line(
            ShipmentLine(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                line_no=1,
                order_line_id=line.id,
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity_ordered,
            )
        )
        uow.shipments.add_package(
            ShipmentPackage(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                package_no=1,
                weight_kg=D(weight_kg),
                length_cm=D("40"),
                width_cm=D("30"),
                height_cm=D("30"),
                contents=[{"sku": line.sku, "quantity": str(line.quantity_ordered)}],
            )
        )
        await uow.commit()
    return shipment
