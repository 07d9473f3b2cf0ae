"""One purchase of a return label, as a shipment's label is bought: the pending purchase
(its stored rate and stable key) is asked of the carrier outside any transaction, and what
the carrier answered is settled in a transaction of its own."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from app.adapters.carriers.base import Label, Rate, ShipmentFacts
from app.adapters.carriers.registry import CarrierConfig, build_gateway
from app.domain.events import Changed, ReturnLabelPurchased
from app.domain.shipments import LabelStatus
from app.domain.tracking import TrackingStatus
from app.repositories.returns import Return
from app.services.common import retrying
from app.services.shipments.labels.purchase import refused
from app.services.shipments.rates.facts import failure_of
from app.services.shipments.return_labels.views import (
    ReturnShipping,
    audit_image,
    load_view,
    locked_return,
)
from app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
ERROR_CHARS = 500


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReturnPurchase:
    """A return label to buy (or buy again, with the same key) outside any transaction."""

    return_id: uuid.UUID
    config: CarrierConfig
    facts: ShipmentFacts
    rate: Rate
    key: str


def stored_rate(rate: Rate) -> dict[str, Any]:
    return {
        "provider": rate.carrier_code,
        "service": rate.service,
        "price": str(rate.price),
        "currency": rate.currency,
        "promised_date": rate.promised_date.isoformat() if rate.promised_date else None,
        "zone": rate.zone,
        "offer_id": rate.offer_id,
    }


def rate_of(stored: dict[str, Any]) -> Rate:
    promised = stored.get("promised_date")
    return Rate(
        carrier_code=stored["provider"],
        service=stored["service"],
        price=Decimal(stored["price"]),
        currency=stored["currency"],
        promised_date=date.fromisoformat(promised) if promised else None,
        zone=stored.get("zone"),
        offer_id=stored.get("offer_id"),
    )


async def attempt(purchase: ReturnPurchase, client: httpx.AsyncClient) -> Label | BaseException:
    try:
        gateway = build_gateway(purchase.config, client)
        async with asyncio.timeout(purchase.config.timeout_s):
            return await gateway.buy_label(purchase.facts, purchase.rate, purchase.key)
    except Exception as exc:
        return exc


def _bought(ret: Return, label: Label, now: datetime) -> None:
    ret.label_status = LabelStatus.PURCHASED.value
    ret.label_error = None
    ret.carrier_service = label.service
    ret.tracking_number = label.tracking_number
    ret.carrier_shipment_id = label.carrier_shipment_id
    ret.label_price = label.price
    ret.label_rate = {**(ret.label_rate or {}), "currency": label.currency}
    ret.label_content_type = label.content_type
    ret.label_document = label.document
    ret.tracking_status = TrackingStatus.LABEL_CREATED.value
    ret.tracking_status_at = now


@retrying
async def settle(
    uow: UnitOfWork, purchase: ReturnPurchase, outcome: Label | BaseException, actor: str
) -> ReturnShipping:
    """Record the label; or, refused, a ``failed`` label with the carrier's reason; or, the
    outcome unknown, the purchase left ``pending`` (calling again retries with its key)."""
    now = now_utc()
    async with uow:
        ret = await locked_return(uow, purchase.return_id)
        if ret.label_status != LabelStatus.PENDING or ret.label_key != purchase.key:
            return await load_view(uow, ret)  # another attempt settled it first
        before = audit_image(await load_view(uow, ret))
        ret.updated_at = now
        ret.updated_by = actor
        if isinstance(outcome, Label):
            _bought(ret, outcome, now)
        else:
            reason = failure_of(purchase.config.code, outcome)["reason"]
            ret.label_error = reason[:ERROR_CHARS]
            if refused(outcome):
                ret.label_status = LabelStatus.FAILED.value
            log.warning(
                "carrier.return_label_failed",
                extra={"return": ret.number, "error": reason, "state": ret.label_status},
            )
        await uow.flush()
        view = await load_view(uow, ret)
        after = audit_image(view)
        if isinstance(outcome, Label):
            uow.record(
                ReturnLabelPurchased(actor=actor, entity_id=ret.id, before=before, after=after)
            )
        else:
            uow.record(
                Changed(
                    actor=actor,
                    entity_id=ret.id,
                    entity_type="return",
                    action=f"label_{ret.label_status}",
                    before=before,
                    after=after,
                )
            )
        await uow.commit()
    return view
