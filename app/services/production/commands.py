"""Commands of production requests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateProductionRequest:
    """A planner's request (not linked to orders): ``warehouse`` a code (default the
    product's production warehouse), ``due_date`` default today plus the lead time."""

    principal: Principal
    sku: str
    quantity: Decimal
    warehouse: str | None = None
    due_date: date | None = None
    priority: int = 0
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateProductionRequest:
    """Edit a draft; only the fields in ``given`` change."""

    principal: Principal
    request_id: uuid.UUID
    expected_version: int
    given: frozenset[str]
    quantity: Decimal | None = None
    due_date: date | None = None
    priority: int | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReleaseProductionRequest:
    principal: Principal
    request_id: uuid.UUID
    expected_version: int | None = None  # an action: the row lock and its state decide


@dataclass(frozen=True, kw_only=True)
class CancelProductionRequest:
    principal: Principal
    request_id: uuid.UUID
    expected_version: int | None = None  # an action: the row lock and its state decide
    reason: str


@dataclass(frozen=True, kw_only=True)
class SplitProductionRequest:
    """Take ``quantity`` off a draft into a new draft (with the order lines it serves)."""

    principal: Principal
    request_id: uuid.UUID
    expected_version: int | None = None  # an action: the row lock and its state decide
    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class CombineProductionRequests:
    """Drafts of one product and warehouse into the first of them, each link kept."""

    principal: Principal
    request_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, kw_only=True)
class ReportProduction:
    """What the production system reports (its webhook, or a planner through the API):
    ``started``, ``progress`` (cumulative ``completed_quantity`` optional, a new expected
    finish date) or ``completed`` (good goods made in this report, scrap). ``event_id``
    names a webhook delivery (kept once); None for the API."""

    actor: str
    principal: Principal | None
    request_number: str
    kind: str
    completed_quantity: Decimal | None = None
    scrapped_quantity: Decimal = Decimal(0)
    expected_finish_date: date | None = None
    over_production_reason: str | None = None
    scrap_reason: str | None = None
    occurred_at: datetime | None = None
    event_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RaiseProductionDelays:
    """The worker's round: late requests get ``production.delayed``, once each."""

    principal: Principal
    batch: int = 200
    today: date | None = None


@dataclass(frozen=True, kw_only=True)
class PlanFromReorderPoints:
    """Make to stock: a draft request for every ``make`` product whose projected position
    (available + being made − backordered) fell below its reorder point."""

    principal: Principal
