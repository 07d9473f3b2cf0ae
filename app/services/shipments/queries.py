"""Reading shipments and their proof of delivery."""

from __future__ import annotations

import uuid

from app.domain.errors import NotFound
from app.domain.shipments import ShipmentStatus
from app.repositories.pagination import PageResult
from app.repositories.shipments import Shipment, ShipmentFilters
from app.services.shipments.views import ShipmentView, load_view, views_of, warehouse_by_code
from app.services.unit_of_work import UnitOfWork


async def proof_of_delivery(uow: UnitOfWork, shipment_id: uuid.UUID) -> Shipment:
    """The delivered shipment with its signature and photo; 404 before delivery."""
    async with uow:
        shipment = await uow.shipments.proof_of(shipment_id)
    if shipment is None:
        raise NotFound(f"No shipment with id {shipment_id}.")
    if shipment.status != ShipmentStatus.DELIVERED:
        raise NotFound(f"Shipment {shipment.number} is {shipment.status}: not delivered yet.")
    return shipment


async def get_shipment(uow: UnitOfWork, shipment_id: uuid.UUID) -> ShipmentView:
    async with uow:
        shipment = await uow.shipments.get_or_raise(shipment_id)
        return await load_view(uow, shipment)


async def list_shipments(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID | None,
    warehouse: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[ShipmentView]:
    """Shipments newest first."""
    async with uow:
        warehouse_id = (await warehouse_by_code(uow, warehouse)).id if warehouse else None
        page = await uow.shipments.page(
            filters=ShipmentFilters(order_id, warehouse_id, status), limit=limit, cursor=cursor
        )
        views = await views_of(uow, page.items)
    return PageResult(views, page.next_cursor)
