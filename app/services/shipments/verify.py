"""Verify a shipment by scanning: the scanned goods must match its lines."""

from __future__ import annotations

from app.domain.events import ShipmentVerified
from app.domain.shipments import Quantity, check_can_verify, check_verification
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.commands import VerifyShipment
from app.services.shipments.views import (
    ShipmentView,
    audit_image,
    load_view,
    locked_shipment,
    utcnow,
)
from app.services.unit_of_work import UnitOfWork


@retrying
async def verify_shipment(cmd: VerifyShipment, uow: UnitOfWork, ctx: Context) -> ShipmentView:
    """Compare the scanned goods with the shipment lines: 409 listing every difference, or
    the shipment is verified."""
    actor = cmd.principal.actor
    async with uow:
        shipment = await locked_shipment(uow, cmd.shipment_id)
        check_can_verify(shipment.status)
        view = await load_view(uow, shipment)
        check_verification([Quantity(x.sku, x.quantity) for x in view.lines], list(cmd.lines))
        before = audit_image(view)
        now = utcnow()
        shipment.verified_at = now
        shipment.verified_by = actor
        shipment.updated_at = now
        shipment.updated_by = actor
        await uow.flush()
        view = await load_view(uow, shipment)
        uow.record(
            ShipmentVerified(
                actor=actor, entity_id=shipment.id, before=before, after=audit_image(view)
            )
        )
        await uow.commit()
    return view
