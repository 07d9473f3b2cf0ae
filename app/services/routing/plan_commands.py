"""Commands of delivery planning and dispatch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import httpx

from app.domain.auth import Principal
from app.domain.routing.plans import ReplanReason


@dataclass(frozen=True, kw_only=True)
class PlanDeliveries:
    """Plan a depot's (warehouse code) own-fleet shipments for a day; ``seed`` and
    ``time_limit`` default to the settings."""

    principal: Principal
    depot: str
    plan_date: date
    client: httpx.AsyncClient = field(compare=False, repr=False)
    seed: int | None = None
    time_limit: float | None = None


@dataclass(frozen=True, kw_only=True)
class ReplanDeliveries:
    """Plan a day's open stops again (and any shipment that became ready); a breakdown names
    the broken vehicle's ``route_id``."""

    principal: Principal
    plan_id: uuid.UUID
    reason: ReplanReason
    client: httpx.AsyncClient = field(compare=False, repr=False)
    route_id: uuid.UUID | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class StartRoute:
    principal: Principal
    plan_id: uuid.UUID
    route_id: uuid.UUID
    driver: str | None = None


@dataclass(frozen=True, kw_only=True)
class ArriveAtStop:
    principal: Principal
    plan_id: uuid.UUID
    stop_id: uuid.UUID
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class FailStop:
    """The goods could not be handed over; the day's open stops are planned again unless
    ``replan`` is false."""

    principal: Principal
    plan_id: uuid.UUID
    stop_id: uuid.UUID
    reason: str
    client: httpx.AsyncClient = field(compare=False, repr=False)
    at: datetime | None = None
    replan: bool = True
