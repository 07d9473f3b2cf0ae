"""Tracking (物流跟踪): carriers' signed webhooks, a shipment's timeline, the public tracking
page behind an unguessable token."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from app.deps import AUTHENTICATED, BusDep, CarrierClientDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.shipments import CarrierRef
from app.schemas.tracking import (
    PublicTrackingEvent,
    PublicTrackingRead,
    ShipmentTrackingRead,
    TrackingEventRead,
    WebhookReceipt,
)
from app.services.shipments.tracking.commands import ReceiveTrackingWebhook
from app.services.shipments.tracking.inbox import WebhookOutcome
from app.services.shipments.tracking.queries import public_tracking, shipment_tracking
from app.uploads import read_limited

# A tracker's whole history fits many times over; anything bigger is not a carrier's webhook.
WEBHOOK_MAX_BYTES = 1024 * 1024

router = APIRouter(prefix="/api/v1/shipments", tags=["shipments"], dependencies=AUTHENTICATED)
# No credentials: the carrier's signature over the body is the authentication.
webhooks = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
# No credentials: the token is unguessable and shows nothing but the parcel's progress.
public = APIRouter(prefix="/api/v1/track", tags=["tracking"])

Reader = Annotated[Principal, Depends(requires("stock:read"))]
CarrierCode = Annotated[str, Path(min_length=1, max_length=64)]
Token = Annotated[str, Path(min_length=1, max_length=64)]


@webhooks.post(
    "/carriers/{carrier_code}",
    response_model=WebhookReceipt,
    summary="Receive a carrier's tracking webhook",
    responses=problem_responses(400, 401, 404, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The carrier's own webhook body, signed as its protocol says",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def receive(
    carrier_code: CarrierCode,
    request: Request,
    bus: BusDep,
    uow: UowDep,
    client: CarrierClientDep,
) -> WebhookReceipt:
    """Verify the signature over the raw body (401 `bad_signature` when missing, forged or too
    old; 400 when the body is malformed), then apply its events once per event id: a repeat
    answers `duplicate` and changes nothing; an unknown tracking number, another shipment's
    tracker and an event that is not about tracking answer `ignored` (200, so that the
    carrier keeps the endpoint enabled)."""
    body = await read_limited(request.stream(), max_bytes=WEBHOOK_MAX_BYTES)
    command = ReceiveTrackingWebhook(
        carrier_code=carrier_code,
        headers=request.headers,
        raw_body=body,
        received_at=datetime.now(UTC),
        client=client,
    )
    outcome: WebhookOutcome = await bus.handle(command, uow)
    return WebhookReceipt(status=outcome.status, events=outcome.events)


@router.get(
    "/{shipment_id}/tracking",
    response_model=ShipmentTrackingRead,
    summary="Get a shipment's tracking",
    responses=problem_responses(401, 403, 404),
)
async def get_tracking(
    shipment_id: uuid.UUID, uow: UowDep, principal: Reader
) -> ShipmentTrackingRead:
    """The carrier, tracking number and status (by event time), promised date, delivery time,
    and the whole timeline oldest first with where each event came from."""
    view = await shipment_tracking(uow, shipment_id)
    s = view.shipment
    return ShipmentTrackingRead(
        shipment_id=s.id,
        shipment_number=s.number,
        shipment_status=s.status,
        carrier=CarrierRef(code=view.carrier.code, name=view.carrier.name)
        if view.carrier
        else None,
        tracking_number=s.tracking_number,
        tracking_status=s.tracking_status,
        tracking_status_at=s.tracking_status_at,
        tracked_at=s.tracked_at,
        promised_date=s.promised_date,
        delivered_at=s.delivered_at,
        public_url=f"/api/v1/track/{s.tracking_token}",
        events=[TrackingEventRead.model_validate(x, from_attributes=True) for x in view.events],
    )


@public.get(
    "/{token}",
    response_model=PublicTrackingRead,
    summary="Track a parcel",
    responses=problem_responses(404, 422),
)
async def get(token: Token, uow: UowDep) -> PublicTrackingRead:
    """The parcel's progress for whoever holds its tracking link: status, timeline, carrier,
    promised date and destination city — nothing about the customer or the order."""
    view = await public_tracking(uow, token)
    s = view.shipment
    city = s.ship_to.get("city") if isinstance(s.ship_to, dict) else None
    return PublicTrackingRead(
        status=s.tracking_status,
        status_at=s.tracking_status_at,
        carrier=view.carrier.name if view.carrier else None,
        promised_date=s.promised_date,
        destination_city=city if isinstance(city, str) else None,
        events=[
            PublicTrackingEvent(
                status=x.status, occurred_at=x.occurred_at, description=x.description
            )
            for x in view.events
        ],
    )
