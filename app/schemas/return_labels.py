"""How an approved return comes back, as the API reads and writes it: its return label,
its tracking, and its own-fleet pickup."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import Field, StringConstraints

from app.domain.after_sales.returns import ReturnMethod, ReturnStatus
from app.schemas.common import AmountOut, Code, Schema


class ReturnLabelRequest(Schema):
    """Leave both out for the carrier (and service) of the order's delivered shipment."""

    carrier: Code | None = Field(
        default=None, description="A carrier that sells labels (EasyPost or generic JSON)"
    )
    service: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        default=None, description="One of the carrier's services; default the cheapest"
    )


class ReturnPickupRequest(Schema):
    date: dt.date = Field(description="The day the own fleet collects the goods: today or later")
    window: Annotated[str, StringConstraints(max_length=11)] | None = Field(
        default=None, description="HH:MM-HH:MM", examples=["09:00-12:00"]
    )
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class ReturnShippingRead(Schema):
    """The return's way back: label, tracking and pickup."""

    id: uuid.UUID
    number: str
    status: ReturnStatus
    method: ReturnMethod
    carrier: str | None
    carrier_service: str | None
    tracking_number: str | None
    label_status: str | None = Field(description="pending | purchased | failed; null: none")
    label_price: AmountOut | None
    label_currency: str | None
    label_error: str | None
    label_url: str | None = Field(description="Where to download the label once purchased")
    tracking_status: str | None = Field(
        description="The carrier's last status; delivered does not receive the return"
    )
    tracking_status_at: dt.datetime | None
    pickup_on: dt.date | None
    pickup_window: str | None
    pickup_note: str | None
