"""Voiding a shipment's label (``DELETE /shipments/{id}/label``): the carrier is asked with
no transaction open; only once it voided the label is the label forgotten on the shipment."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from app.adapters.carriers.base import Label
from app.adapters.carriers.registry import CarrierConfig, build_gateway
from app.domain.errors import CarrierUnavailable, Conflict, NotFound
from app.domain.events import LabelCancelled
from app.domain.shipments import LabelStatus, check_can_cancel_label
from app.repositories.shipments import Shipment
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.carriers.terms import config_of
from app.services.shipments.labels.commands import VoidLabel
from app.services.shipments.labels.purchase import now_utc, refused
from app.services.shipments.rates.facts import carrier_issues, failure_of
from app.services.shipments.views import ShipmentView, audit_image, load_view, locked_shipment
from app.services.unit_of_work import UnitOfWork

VOIDED_COLUMNS = (
    "label_key",
    "label_rate",
    "label_retry_at",
    "label_reason",
    "tracking_number",
    "carrier_shipment_id",
    "service",
    "shipping_cost",
    "shipping_currency",
    "promised_date",
    "label_content_type",
    "label_document",
    "tracking_status",
    "tracking_status_at",
)


async def void_label(cmd: VoidLabel, uow: UnitOfWork, ctx: Context) -> ShipmentView:
    """Void the bought label at the carrier (outside any transaction), then forget it. A
    carrier that refuses answers 409 ``label_not_cancellable``; one that cannot be reached 503
    ``carrier_unavailable``; either way the label stays as it was."""
    async with uow:
        shipment = await uow.shipments.get_or_raise(cmd.shipment_id)
        check_can_cancel_label(shipment.status, shipment.label_status)
        assert shipment.label_rate is not None and shipment.tracking_number is not None
        carrier = await uow.carriers.get_by_code(shipment.label_rate["carrier"])
        if carrier is None:
            raise NotFound(f"Carrier {shipment.label_rate['carrier']} no longer exists.")
        config = config_of(carrier)
        label = _label_of(shipment, carrier.code)
    await _void_at_carrier(config, cmd, label)
    return await _forget(uow, cmd.shipment_id, label.tracking_number, cmd.principal.actor)


def _label_of(shipment: Shipment, carrier_code: str) -> Label:
    """The bought label as the carrier's gateway names it (without its document)."""
    assert shipment.label_rate is not None and shipment.tracking_number is not None
    return Label(
        carrier_code=shipment.label_rate.get("provider") or carrier_code,
        tracking_number=shipment.tracking_number,
        service=shipment.service or "",
        price=shipment.shipping_cost or Decimal(0),
        currency=shipment.shipping_currency or "",
        content_type=shipment.label_content_type or "",
        document=b"",
        shipment_reference=shipment.number,
        carrier_shipment_id=shipment.carrier_shipment_id,
    )


async def _void_at_carrier(config: CarrierConfig, cmd: VoidLabel, label: Label) -> None:
    try:
        async with asyncio.timeout(config.timeout_s):
            await build_gateway(config, cmd.client).cancel_label(label)
    except Exception as exc:
        reason = failure_of(config.code, exc)["reason"]
        issues = carrier_issues(exc)
        if refused(exc):
            raise Conflict(
                f"The carrier refused to cancel the label: {reason}",
                code="label_not_cancellable",
                issues=issues,
            ) from exc
        raise CarrierUnavailable(
            f"The carrier could not cancel the label now: {reason}", issues=issues
        ) from exc


@retrying
async def _forget(
    uow: UnitOfWork, shipment_id: uuid.UUID, tracking_number: str, actor: str
) -> ShipmentView:
    """Forget a label the carrier voided: the shipment can be labelled afresh (a new rate
    gets a new key; the voided label's later tracking events match nothing)."""
    now = now_utc()
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        if shipment.tracking_number != tracking_number:
            return await load_view(uow, shipment)  # already voided meanwhile
        before = audit_image(await load_view(uow, shipment))
        shipment.label_status = LabelStatus.NONE.value
        for column in VOIDED_COLUMNS:
            setattr(shipment, column, None)
        shipment.label_attempts = 0
        shipment.updated_at = now
        shipment.updated_by = actor
        await uow.flush()
        view = await load_view(uow, shipment)
        uow.record(
            LabelCancelled(
                actor=actor,
                entity_id=shipment.id,
                before=before,
                after=audit_image(view) | {"cancelled_tracking_number": tracking_number},
            )
        )
        await uow.commit()
    return view
