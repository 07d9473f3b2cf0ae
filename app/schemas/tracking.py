"""Tracking: the answer to a carrier's webhook, a shipment's timeline, the public tracking page."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.domain.tracking import TrackingStatus
from app.schemas.common import Schema
from app.schemas.shipments import CarrierRef, ShipmentStatusName


class WebhookReceipt(Schema):
    status: Literal["accepted", "duplicate", "ignored"] = Field(
        description="accepted: processed; duplicate: this event id was processed before "
        "(nothing changed); ignored: kept but not applied — no shipment has its tracking "
        "number, its tracker is not the label's, or it is not a tracking event (EasyPost "
        "sends every event type, e.g. batch.created, refund.successful)"
    )
    events: int = Field(description="Timeline events this delivery added")


class TrackingEventRead(Schema):
    status: TrackingStatus
    occurred_at: datetime = Field(description="When it happened, as the carrier reports it")
    description: str
    source: str = Field(
        description="How it arrived: webhook, poll, or lading (recorded by Lading itself)"
    )
    recorded_at: datetime


class ShipmentTrackingRead(Schema):
    shipment_id: uuid.UUID
    shipment_number: str
    shipment_status: ShipmentStatusName
    carrier: CarrierRef | None = Field(description="Null: own fleet")
    tracking_number: str | None
    tracking_status: TrackingStatus | None = Field(
        description="The status of the latest event by event time (never moves backwards)"
    )
    tracking_status_at: datetime | None
    tracked_at: datetime | None = Field(description="When tracking was last received or polled")
    promised_date: date | None
    delivered_at: datetime | None
    public_url: str = Field(description="The customer's tracking page (no credentials needed)")
    events: list[TrackingEventRead] = Field(description="The timeline, oldest first")


class PublicTrackingEvent(Schema):
    status: TrackingStatus
    occurred_at: datetime
    description: str


class PublicTrackingRead(Schema):
    """What anyone holding the link may see: no customer, address lines, order or ids."""

    status: TrackingStatus | None
    status_at: datetime | None
    carrier: str | None = Field(description="The carrier's name; null for the own fleet")
    promised_date: date | None
    destination_city: str | None
    events: list[PublicTrackingEvent] = Field(description="The timeline, oldest first")
