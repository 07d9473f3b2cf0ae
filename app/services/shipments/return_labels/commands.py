"""The commands of return shipping. ``client`` is the application's pooled HTTP client the
carrier is called through (not part of what is asked)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import httpx

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class BuyReturnLabel:
    """A return label from ``carrier`` (default: the carrier of the order's delivered
    shipment) for ``service`` (default: that shipment's service, else the cheapest)."""

    return_id: uuid.UUID
    carrier: str | None = None
    service: str | None = None
    principal: Principal
    client: httpx.AsyncClient = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class ScheduleReturnPickup:
    """The own fleet collects the goods on ``on`` (in ``window``, ``HH:MM-HH:MM``)."""

    return_id: uuid.UUID
    on: date
    window: str | None = None
    note: str | None = None
    principal: Principal
