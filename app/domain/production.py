"""Make-to-order and make-to-stock (生产计划): production requests, what they may become, and
what a completion may report.

- A product is bought (``buy``: purchase orders), made to stock (``make``: production
  requests from its reorder point) or made to order (``make_to_order``: a request for each
  order's shortage, linked to that order line).
- A request (``MO-…``) is for a made product, in a quantity its unit allows, into a warehouse,
  due on a date: the order's requested date less transit when it serves one, else today plus
  the product's production lead time.
- States: draft → released → in_progress → partly_completed → completed; draft, released,
  in_progress and partly_completed may be cancelled unless something was completed already.
  Only a draft is edited, combined or split; releasing sends it to the production system.
- A completion adds good goods (a ``production`` stock movement) and may record scrap; the
  completed quantity never passes the requested one without an over-production reason.
- A request is late once today is past its due date, or once the production system expects
  to finish after it; it is delayed once (``production.delayed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import InvalidState, RuleViolation, Violations
from app.domain.money import ZERO
from app.domain.stock import check_quantity_precision


class SupplyMethod(StrEnum):
    BUY = "buy"
    MAKE = "make"
    MAKE_TO_ORDER = "make_to_order"


MADE = frozenset({SupplyMethod.MAKE, SupplyMethod.MAKE_TO_ORDER})


class ProductionStatus(StrEnum):
    DRAFT = "draft"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    PARTLY_COMPLETED = "partly_completed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# Requests whose goods are still to come: they count in availability-to-promise.
OPEN = frozenset(
    {
        ProductionStatus.DRAFT,
        ProductionStatus.RELEASED,
        ProductionStatus.IN_PROGRESS,
        ProductionStatus.PARTLY_COMPLETED,
    }
)
# Sent to the production system and not finished: progress and completions are taken.
RUNNING = frozenset(
    {ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS, ProductionStatus.PARTLY_COMPLETED}
)


class ProductionSource(StrEnum):
    SHORTAGE = "shortage"  # an order's backorder of a make_to_order product
    REORDER_POINT = "reorder_point"  # a make product below its reorder point
    PLANNER = "planner"


def format_request_number(year: int, sequence: int) -> str:
    """``MO-2026-000123``."""
    return f"MO-{year:04d}-{sequence:06d}"


def check_made(method: str, sku: str, field: str = "sku") -> None:
    if method not in MADE:
        raise RuleViolation.on(
            field, "made", f"Product {sku} is bought, not made; order it from a supplier."
        )


def check_quantity(quantity: Decimal, precision: int, field: str = "quantity") -> None:
    if quantity <= 0:
        raise RuleViolation.on(field, "positive", "The quantity must be above zero.")
    check_quantity_precision(quantity, precision, field)


def due_date(
    today: date, lead_days: int, requested: date | None = None, transit_days: int = 0
) -> date:
    """The order's requested date less transit when it has one (never before today plus the
    lead time), else today plus the product's production lead time."""
    earliest = today + timedelta(days=lead_days)
    if requested is None:
        return earliest
    return max(requested - timedelta(days=transit_days), earliest)


def check_draft(status: str, number: str, what: str) -> None:
    if status != ProductionStatus.DRAFT:
        raise InvalidState(
            f"{number} is {status}; only a draft request is {what}.", code="request_not_draft"
        )


def check_cancellable(status: str, completed: Decimal, number: str) -> None:
    if status not in OPEN:
        raise InvalidState(f"{number} is {status}.", code="request_closed")
    if completed > 0:
        raise InvalidState(
            f"{completed} of {number} was completed already; it cannot be cancelled.",
            code="request_has_completions",
        )


def check_running(status: str, number: str) -> None:
    if status not in RUNNING:
        raise InvalidState(
            f"{number} is {status}; only a released request reports progress.",
            code="request_not_running",
        )


@dataclass(frozen=True)
class Completion:
    """What a report adds: good quantity and scrap, against what the request asked for."""

    requested: Decimal
    completed_before: Decimal
    good: Decimal
    scrapped: Decimal = ZERO
    over_production_reason: str | None = None
    scrap_reason: str | None = None

    @property
    def completed_after(self) -> Decimal:
        return self.completed_before + self.good


def check_completion(c: Completion, precision: int) -> None:
    """Not negative, something reported, within the unit's precision; beyond the requested
    quantity only with an over-production reason; scrap with a reason."""
    v = Violations()
    if c.good < 0:
        v.add("completed_quantity", "not_negative", "The completed quantity cannot be negative.")
    if c.scrapped < 0:
        v.add("scrapped_quantity", "not_negative", "The scrapped quantity cannot be negative.")
    if c.good <= 0 and c.scrapped <= 0:
        v.add("completed_quantity", "positive", "A completion reports at least one unit.")
    for name, q in (("completed_quantity", c.good), ("scrapped_quantity", c.scrapped)):
        try:
            check_quantity_precision(q, precision, name)
        except RuleViolation as exc:
            v.issues.extend(exc.issues)
    over = c.completed_after > c.requested
    if over and not (c.over_production_reason and c.over_production_reason.strip()):
        v.add(
            "over_production_reason",
            "required",
            f"{c.completed_after} completed of {c.requested} requested needs a reason.",
        )
    if c.scrapped > 0 and not (c.scrap_reason and c.scrap_reason.strip()):
        v.add("scrap_reason", "required", "Scrap needs a reason.")
    v.raise_if_any("The completion is not valid.")


def status_after(requested: Decimal, completed: Decimal, *, finished: bool) -> ProductionStatus:
    """Completed once all was made (or the production system says it finished), partly
    completed once anything was."""
    if finished or completed >= requested:
        return ProductionStatus.COMPLETED
    if completed > 0:
        return ProductionStatus.PARTLY_COMPLETED
    return ProductionStatus.IN_PROGRESS


def is_late(status: str, due: date, today: date, expected_finish: date | None) -> bool:
    """Past its due date and not finished, or expected by the production system to finish
    after it."""
    if status not in OPEN:
        return False
    return today > due or (expected_finish is not None and expected_finish > due)


def expected_date(due: date, expected_finish: date | None) -> date:
    """When the goods are expected: the production system's own date when it gave one."""
    return expected_finish or due


@dataclass(frozen=True)
class Part:
    order_line_id: object
    quantity: Decimal


def split_links(links: Sequence[Part], quantity: Decimal) -> tuple[list[Part], list[Part]]:
    """The order lines a split-off ``quantity`` serves (taken from the last links first) and
    those the rest keeps."""
    keep = list(links)
    moved: list[Part] = []
    left = quantity
    while keep and left > 0:
        last = keep.pop()
        take = min(last.quantity, left)
        moved.insert(0, Part(last.order_line_id, take))
        if last.quantity > take:
            keep.append(Part(last.order_line_id, last.quantity - take))
        left -= take
    return keep, moved


def check_split(quantity: Decimal, requested: Decimal, precision: int) -> None:
    check_quantity(quantity, precision)
    if quantity >= requested:
        raise RuleViolation.on(
            "quantity", "below_requested", f"A split takes less than the {requested} requested."
        )
