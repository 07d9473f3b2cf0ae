"""Carriers' tracking webhooks: verified outside any transaction, then kept once per
(carrier, event id) in an inbox whose unique key is the guard — a repeat, even one racing the
first, answers ``duplicate`` and changes nothing. Events of a tracking number that is no
shipment's but a return label's move that return's tracking status."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal

import httpx

from app.adapters.carriers.base import CarrierError, WebhookEvent
from app.adapters.carriers.registry import (
    CarrierConfig,
    accepts_webhooks,
    api_secrets,
    build_gateway,
)
from app.domain.errors import BadSignature, MalformedRequest, NotFound
from app.domain.text import nul_issues
from app.domain.tracking import same_carrier_shipment
from app.repositories.shipments import Shipment
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.carriers.terms import config_of
from app.services.shipments.return_labels.tracking import apply_return_events
from app.services.shipments.tracking.apply import WEBHOOK, apply_events, carrier_actor
from app.services.shipments.tracking.commands import ReceiveTrackingWebhook
from app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

ReceiptStatus = Literal["accepted", "duplicate", "ignored"]


@dataclass(frozen=True)
class WebhookOutcome:
    status: ReceiptStatus
    events: int  # timeline events stored by this delivery


async def receive_webhook(
    cmd: ReceiveTrackingWebhook, uow: UnitOfWork, ctx: Context
) -> WebhookOutcome:
    """A carrier's tracking webhook: verified (401 ``bad_signature``, 400 when malformed),
    then processed at most once per (carrier, event id) — a repeat answers ``duplicate``."""
    async with uow:
        carrier = await uow.carriers.get_by_code(cmd.carrier_code)
        if carrier is None or not carrier.active or not accepts_webhooks(carrier.adapter_kind):
            raise NotFound(f"No active carrier '{cmd.carrier_code}' sends tracking webhooks here.")
        carrier_id = carrier.id
        config = config_of(carrier)
    webhook = await _verified(config, cmd.client, cmd.headers, cmd.raw_body)
    if issues := nul_issues(asdict(webhook), ("body",)):
        raise MalformedRequest("The webhook's text holds NUL characters.", issues=issues)
    return await _take_webhook(uow, carrier_id, config.code, webhook, cmd.received_at)


async def _verified(
    config: CarrierConfig,
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    raw_body: bytes,
) -> WebhookEvent:
    """The delivery's id and events, once its signature checks out (no transaction open)."""
    try:
        if not api_secrets(config).webhook_secret:
            raise CarrierError(f"Carrier {config.code} has no webhook secret configured.")
        return await build_gateway(config, client).verify_webhook(headers, raw_body)
    except CarrierError as exc:
        log.warning(
            "tracking.webhook_refused",
            extra={"carrier": config.code, "status": exc.status, "reason": str(exc)},
        )
        if exc.status is None or exc.status == 401:
            raise BadSignature(f"The webhook was refused: {exc}") from exc
        raise MalformedRequest(f"The webhook body is malformed: {exc}") from exc


@retrying
async def _take_webhook(
    uow: UnitOfWork,
    carrier_id: uuid.UUID,
    carrier_code: str,
    webhook: WebhookEvent,
    now: datetime,
) -> WebhookOutcome:
    async with uow:
        if not await uow.tracking.receive(carrier_code, webhook.event_id, now):
            return WebhookOutcome("duplicate", 0)
        if not webhook.tracking:
            return await _ignore(uow, carrier_code, webhook)
        numbers = {e.tracking_number for e in webhook.events}
        shipments = await uow.tracking.shipments_for_update(carrier_id, numbers)
        actor = carrier_actor(carrier_code)
        stored, matched = await _apply(uow, shipments, webhook, actor, now)
        # Numbers of no shipment may be return labels' (the customer sends goods back).
        others = numbers - {s.tracking_number for s in shipments if s.tracking_number}
        returns = await uow.returns.for_tracking_update(carrier_id, others)
        returned = await apply_return_events(
            uow, returns, webhook.events, source=WEBHOOK, actor=actor, now=now
        )
        matched = matched or returned
        status: ReceiptStatus = "accepted"
        outcome = "accepted" if numbers else "no_events"
        if numbers and not shipments and not returns:
            # Kept, and answered 200, so that the carrier stops sending it.
            outcome, status = "unknown_tracking_number", "ignored"
        elif numbers and not matched:
            # A tracker of the same code that is not the label's (EasyPost makes another
            # when a label is insured or tracked on its own).
            outcome, status = "other_carrier_shipment", "ignored"
        await uow.tracking.settle(carrier_code, webhook.event_id, outcome)
        await uow.commit()
    log.info(
        "tracking.webhook_received",
        extra={"carrier": carrier_code, "event_id": webhook.event_id, "outcome": outcome},
    )
    return WebhookOutcome(status, stored)


async def _ignore(uow: UnitOfWork, carrier_code: str, webhook: WebhookEvent) -> WebhookOutcome:
    """Carriers send every event type to every webhook (EasyPost: batch.created,
    refund.successful, ...) and disable an endpoint that keeps refusing them: it is kept as
    ignored and answered 200."""
    outcome = f"ignored_event_type:{webhook.topic or 'unknown'}"
    await uow.tracking.settle(carrier_code, webhook.event_id, outcome)
    await uow.commit()
    log.info(
        "tracking.webhook_ignored",
        extra={"carrier": carrier_code, "event_id": webhook.event_id, "topic": webhook.topic},
    )
    return WebhookOutcome("ignored", 0)


async def _apply(
    uow: UnitOfWork,
    shipments: Sequence[Shipment],
    webhook: WebhookEvent,
    actor: str,
    now: datetime,
) -> tuple[int, bool]:
    """Each shipment's own events (its tracking number, and its carrier shipment); how many
    were stored, and whether any event matched a label at all."""
    stored = 0
    matched = False
    for shipment in shipments:
        mine = [
            e
            for e in webhook.events
            if e.tracking_number == shipment.tracking_number
            and same_carrier_shipment(e.carrier_shipment_id, shipment.carrier_shipment_id)
        ]
        matched = matched or bool(mine)
        stored += await apply_events(uow, shipment, mine, source=WEBHOOK, actor=actor, now=now)
    return stored, matched
