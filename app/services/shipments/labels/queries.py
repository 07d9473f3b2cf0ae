"""Reading a shipment's label."""

from __future__ import annotations

import uuid

from app.domain.errors import NotFound
from app.services.unit_of_work import UnitOfWork


async def label_document(uow: UnitOfWork, shipment_id: uuid.UUID) -> tuple[str, bytes]:
    """The label's content type and bytes; 404 until it is bought."""
    async with uow:
        found = await uow.shipments.label_of(shipment_id)
    if found is None:
        raise NotFound(f"Shipment {shipment_id} has no label.")
    return found
