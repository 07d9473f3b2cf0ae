"""Delivery feedback from the tracking link: a rating of a delivered shipment, once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.domain.after_sales.feedback import check_rating
from app.domain.errors import Conflict, InvalidState, NotFound
from app.domain.events import FeedbackReceived
from app.domain.shipments import ShipmentStatus
from app.repositories.base import snapshot
from app.repositories.cases import DeliveryFeedback
from app.repositories.uow import is_unique_violation
from app.services.after_sales.cases.commands import RateDelivery
from app.services.after_sales.cases.open import CUSTOMER
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


@retrying
async def rate_delivery(cmd: RateDelivery, uow: UnitOfWork, ctx: Context) -> DeliveryFeedback:
    """Rate a delivered shipment 1–5 with a comment; a second rating is 409
    ``feedback_exists`` (also when two arrive at once: the unique shipment decides)."""
    check_rating(cmd.rating, cmd.comment)
    try:
        async with uow:
            shipment = await uow.tracking.by_token(cmd.token)
            if shipment is None:
                raise NotFound("No shipment has this tracking link.")
            if shipment.status != ShipmentStatus.DELIVERED:
                raise InvalidState(
                    "The shipment is not delivered yet.", code="shipment_not_delivered"
                )
            if await uow.cases.feedback_for_shipment(shipment.id) is not None:
                raise _exists()
            order = await uow.orders.get(shipment.order_id)
            assert order is not None
            row = DeliveryFeedback(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                order_id=order.id,
                customer_id=order.customer_id,
                rating=cmd.rating,
                comment=cmd.comment,
                source="tracking_page",
                created_at=datetime.now(UTC),
                created_by=CUSTOMER,
            )
            uow.cases.add_feedback(row)
            await uow.flush()
            uow.record(FeedbackReceived(actor=CUSTOMER, entity_id=row.id, after=snapshot(row)))
            await uow.commit()
            return row
    except Exception as exc:
        if is_unique_violation(exc):
            raise _exists() from exc
        raise


def _exists() -> Conflict:
    return Conflict("This delivery was rated already.", code="feedback_exists")
