"""The carriers report's rules: what a shipped shipment counts for (its carrier, service,
warehouse, weight, cost, on time, exception), which events touch it, and how keys rank."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from app.domain.reports.facts import OWN_FLEET, on_time
from app.domain.reports.stats import rate, ratio
from app.domain.tracking import ALERTING

DIMENSIONS = ("all", "carrier", "service", "warehouse")
METRICS = ("shipments", "on_time_rate", "exception_rate", "cost_per_shipment", "cost_per_kg")
# Best first: most shipments, highest on-time rate; lowest exception rate and costs.
LOWER_IS_BETTER = frozenset({"exception_rate", "cost_per_shipment", "cost_per_kg"})
EXCEPTION_STATUSES = frozenset(s.value for s in ALERTING)
ZH_HEADERS = {
    "shipments": "发货单数",
    "delivered_with_promise": "有承诺日期的已签收",
    "exceptions": "异常单数",
    "exception_rate": "异常率",
    "costed_shipments": "有运费的发货单数",
    "costed_kg": "有运费的重量(千克)",
    "cost": "运费",
    "cost_per_shipment": "单票运费",
    "cost_per_kg": "每千克运费",
}

Kind = Literal["shipment", "order", "delivery_plan"]
# Events of an order that change its shipments (ship confirmation, delivery: their
# ShipmentConfirmed / ShipmentDelivered write no outbox row of their own).
ORDER_EVENTS = frozenset({"order.shipped", "order.delivered"})
# A published plan may move its shipments' promised dates (``ShipmentRepository.promise``).
PLAN_EVENTS = frozenset({"delivery_plan.published"})


@dataclass(frozen=True)
class ShipmentTouch:
    kind: Kind
    id: str


def touched(event_type: str, aggregate_type: str, aggregate_id: str) -> ShipmentTouch | None:
    """What of the shipments an event of the stream touches: every ``shipment.*`` event
    (labels, tracking updates, tracking alerts), an order's shipments when it shipped or
    was delivered, a delivery plan's shipments when it was published; else None."""
    if aggregate_type == "shipment" or event_type.startswith("shipment."):
        return ShipmentTouch("shipment", aggregate_id)
    if event_type in ORDER_EVENTS:
        return ShipmentTouch("order", aggregate_id)
    if event_type in PLAN_EVENTS:
        return ShipmentTouch("delivery_plan", aggregate_id)
    return None


def carrier_of(carrier_id: str | None, code: str | None) -> tuple[str, str]:
    """(key, label) of a shipment's carrier: the own fleet when it has none."""
    if carrier_id is None:
        return OWN_FLEET, OWN_FLEET
    return carrier_id, code or carrier_id


def service_of(carrier: tuple[str, str], service: str | None) -> tuple[str, str]:
    """(key, label) of the carrier and service (``carrier_key:service``)."""
    key, label = carrier
    name = service or ""
    return f"{key}:{name}", f"{label} {name}".strip()


def is_exception(statuses: Iterable[str | None]) -> bool:
    """Whether any of a shipment's tracking statuses (its events' and its current one) is
    one the tracking domain raises an alert for (failed delivery, returned, exception)."""
    return any(s in EXCEPTION_STATUSES for s in statuses if s is not None)


def delivered_on_time(delivered: datetime | None, promised: date | None) -> tuple[bool, bool]:
    """(delivered with a promised date, delivered by that date)."""
    return delivered is not None and promised is not None, on_time(delivered, promised)


@dataclass
class Figures:
    """A key's (or a period's) counts; costs in one currency."""

    shipments: int = 0
    delivered_with_promise: int = 0
    on_time: int = 0
    exceptions: int = 0
    costed_shipments: int = 0
    cost: Decimal = Decimal(0)
    costed_kg: Decimal = Decimal(0)

    def add(self, other: Figures) -> None:
        self.shipments += other.shipments
        self.delivered_with_promise += other.delivered_with_promise
        self.on_time += other.on_time
        self.exceptions += other.exceptions
        self.costed_shipments += other.costed_shipments
        self.cost += other.cost
        self.costed_kg += other.costed_kg

    @property
    def on_time_rate(self) -> Decimal | None:
        """Delivered by the promised date, of the shipments delivered with one."""
        return rate(self.on_time, self.delivered_with_promise)

    @property
    def exception_rate(self) -> Decimal | None:
        return rate(self.exceptions, self.shipments)

    @property
    def cost_per_shipment(self) -> Decimal | None:
        return ratio(self.cost, self.costed_shipments)

    @property
    def cost_per_kg(self) -> Decimal | None:
        if self.costed_kg <= 0:
            return None
        return ratio(self.cost / self.costed_kg, 1)


def rank_value(metric: str, counts: Figures, cost: Figures | None) -> tuple[int, Decimal]:
    """A sort key putting the best first: (0, …) for keys with a figure, ordered by it
    (lower first for rates and costs where lower is better), (1, 0) for keys without one.
    ``cost``: the figures holding the key's cost (its main currency), None when uncosted."""
    source = cost if metric.startswith("cost_") else counts
    value: Decimal | int | None = None if source is None else getattr(source, metric)
    if value is None:
        return (1, Decimal(0))
    amount = Decimal(value)
    return (0, amount if metric in LOWER_IS_BETTER else -amount)
