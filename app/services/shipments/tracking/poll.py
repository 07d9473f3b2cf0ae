"""Polling the carriers that send no webhooks (the worker's turn): shipments are claimed in
one transaction, each carrier is asked outside any, and each shipment's events are applied in
a transaction of its own."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import httpx

from app.adapters.carriers.base import CarrierError, TrackingEvent
from app.adapters.carriers.registry import HTTP_KINDS, CarrierConfig, build_gateway
from app.domain.shipments import ShipmentStatus
from app.domain.tracking import FINAL
from app.repositories.tracking import PollTarget
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.carriers.terms import config_of
from app.services.shipments.tracking.apply import POLL, apply_events, carrier_actor
from app.services.shipments.tracking.commands import PollTracking
from app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def poll_tracking(cmd: PollTracking, uow: UnitOfWork, ctx: Context) -> int:
    """Poll the carriers that send no webhooks about their shipped, not yet final shipments
    last tracked more than ``interval`` ago; returns how many shipments were polled. Each is
    claimed first (its ``tracked_at`` moves on whatever the carrier answers), asked outside any
    transaction, then its events are applied in a transaction of its own (``uow`` is entered
    once per transaction, each time on a fresh session)."""
    targets, configs = await _claim(uow, cmd)
    for carrier_id, config in configs.items():
        mine = [t for t in targets if t.carrier_id == carrier_id]
        await _poll_carrier(uow, cmd.client, config, mine, cmd.now)
    if targets:
        log.info("tracking.polled", extra={"shipments": len(targets), "carriers": len(configs)})
    return len(targets)


async def _claim(
    uow: UnitOfWork, cmd: PollTracking
) -> tuple[list[PollTarget], dict[uuid.UUID, CarrierConfig]]:
    async with uow:
        targets = await uow.tracking.claim_for_polling(
            status=ShipmentStatus.SHIPPED.value,
            adapter_kinds=HTTP_KINDS,
            final_statuses=[s.value for s in FINAL],
            due_before=cmd.now - cmd.interval,
            now=cmd.now,
            limit=cmd.batch,
        )
        configs: dict[uuid.UUID, CarrierConfig] = {}
        for carrier_id in sorted({t.carrier_id for t in targets}, key=str):
            carrier = await uow.carriers.get(carrier_id)
            assert carrier is not None
            configs[carrier_id] = config_of(carrier)
        await uow.commit()
    return targets, configs


async def _poll_carrier(
    uow: UnitOfWork,
    client: httpx.AsyncClient,
    config: CarrierConfig,
    targets: list[PollTarget],
    now: datetime,
) -> None:
    """Ask one carrier about its claimed shipments, one after the other. A carrier that is down
    (timeout, 5xx) is not asked about the rest this round: they were claimed, so they come
    back after the interval like the others."""
    try:
        gateway = build_gateway(config, client)
    except CarrierError as exc:
        log.warning("tracking.poll_failed", extra={"carrier": config.code, "error": str(exc)})
        return
    for target in targets:
        try:
            events = await gateway.track(target.tracking_number, target.carrier_shipment_id)
        except CarrierError as exc:
            log.warning(
                "tracking.poll_failed",
                extra={
                    "carrier": config.code,
                    "shipment_id": str(target.shipment_id),
                    "status": exc.status,
                    "error": str(exc),
                },
            )
            if exc.retryable:
                return
            continue
        try:
            await _take_polled(uow, target, config.code, events, now)
        except Exception:  # one shipment's failure must not stop the others' polling
            log.exception(
                "tracking.apply_failed",
                extra={"carrier": config.code, "shipment_id": str(target.shipment_id)},
            )


@retrying
async def _take_polled(
    uow: UnitOfWork,
    target: PollTarget,
    carrier_code: str,
    events: list[TrackingEvent],
    now: datetime,
) -> int:
    async with uow:
        shipment = await uow.shipments.get_for_update(target.shipment_id)
        if (
            shipment is None
            or shipment.carrier_id != target.carrier_id
            or shipment.tracking_number != target.tracking_number
        ):
            return 0  # relabelled meanwhile; the next poll asks about the new number
        stored = await apply_events(
            uow, shipment, events, source=POLL, actor=carrier_actor(carrier_code), now=now
        )
        await uow.commit()
    return stored
