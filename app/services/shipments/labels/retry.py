"""The worker's retry of label purchases that wait for a carrier that was down: each due
purchase is taken (leased), asked again with the same key, and settled, one after the other,
each in transactions of its own."""

from __future__ import annotations

import uuid
from datetime import datetime

from app.domain.shipments import LabelStatus
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.labels.commands import RetryPendingLabels
from app.services.shipments.labels.purchase import Purchase, attempt, lease, now_utc, settle
from app.services.shipments.views import locked_shipment
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


@retrying
async def _take_due(
    uow: UnitOfWork, shipment_id: uuid.UUID, now: datetime, settings: Settings
) -> Purchase | None:
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        due = (
            shipment.label_status == LabelStatus.PENDING
            and shipment.label_retry_at is not None
            and shipment.label_retry_at <= now
        )
        if not due:
            return None
        purchase = await lease(uow, shipment, now, settings)
        await uow.commit()
    return purchase


async def retry_pending_labels(cmd: RetryPendingLabels, uow: UnitOfWork, ctx: Context) -> int:
    """Retry each pending purchase whose time has come (same key); how many were retried.
    ``uow`` is entered once per transaction, each time on a fresh session."""
    now = now_utc()
    async with uow:
        due = await uow.shipments.labels_due(now, cmd.limit)
    retried = 0
    for shipment_id in due:
        purchase = await _take_due(uow, shipment_id, now, ctx.settings)
        if purchase is None:
            continue
        outcome = await attempt(purchase, cmd.client)
        await settle(uow, purchase, outcome, cmd.actor)
        retried += 1
    return retried
