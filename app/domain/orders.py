"""Sales orders: channels, statuses, line quantities and the rules of intake.

Order statuses for fulfilment and billing are *derived* from line quantities (DESIGN invariant
3), never stored on their own, so they cannot disagree with the lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import InvalidState, Violations
from app.domain.money import ZERO


class Channel(StrEnum):
    STOREFRONT = "storefront"
    MANUAL = "manual"
    PHONE = "phone"
    IMPORT = "import"
    EDI = "edi"


# Channels whose orders are paid before they are fulfilled.
PREPAID_CHANNELS = frozenset({Channel.STOREFRONT})


class OrderStatus(StrEnum):
    """Draft → (submit: review) → approved, on_hold or pending_approval → … ; rejected and
    cancelled are final."""

    DRAFT = "draft"
    ON_HOLD = "on_hold"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# Statuses in which the order can still be edited (editing a reviewed order reviews it again).
EDITABLE = frozenset(
    {OrderStatus.DRAFT, OrderStatus.ON_HOLD, OrderStatus.PENDING_APPROVAL, OrderStatus.APPROVED}
)
FINAL = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})


class PaymentStatus(StrEnum):
    """Where an order's payment stands (``app.domain.payments``): a payment or authorisation
    that does not cover the order's total is only partial."""

    UNPAID = "unpaid"
    PARTIALLY_AUTHORIZED = "partially_authorized"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"


class FulfillmentStatus(StrEnum):
    UNFULFILLED = "unfulfilled"
    PARTIALLY_RESERVED = "partially_reserved"
    RESERVED = "reserved"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"


class BillingStatus(StrEnum):
    UNBILLED = "unbilled"
    PARTIALLY_INVOICED = "partially_invoiced"
    INVOICED = "invoiced"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_CREDITED = "partially_credited"
    CREDITED = "credited"


class Settlement(StrEnum):
    """How far the order's issued invoices are settled (by payments and credit notes):
    nothing applied, some applied, or every one of them settled in full. Kept on the order
    beside its lines, rewritten by ``app.domain.order_lines.settle``."""

    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"


@dataclass(frozen=True)
class LineQuantities:
    """The quantities of one line (invariant 3): shipped ≤ reserved + shipped ≤ ordered,
    invoiced ≤ shipped, delivered ≤ shipped, returned ≤ delivered, credited ≤ invoiced
    (``credited``: what credit notes for returned goods took back of the invoiced)."""

    ordered: Decimal
    reserved: Decimal = ZERO
    shipped: Decimal = ZERO
    delivered: Decimal = ZERO
    invoiced: Decimal = ZERO
    returned: Decimal = ZERO
    credited: Decimal = ZERO

    def violations(self) -> list[str]:
        out = []
        if (
            min(
                self.ordered,
                self.reserved,
                self.shipped,
                self.delivered,
                self.invoiced,
                self.returned,
                self.credited,
            )
            < 0
        ):
            out.append("a quantity is negative")
        if self.reserved + self.shipped > self.ordered:
            out.append("reserved + shipped exceeds ordered")
        if self.invoiced > self.shipped:
            out.append("invoiced exceeds shipped")
        if self.delivered > self.shipped:
            out.append("delivered exceeds shipped")
        if self.returned > self.delivered:
            out.append("returned exceeds delivered")
        if self.credited > self.invoiced:
            out.append("credited exceeds invoiced")
        return out


def fulfillment_status(
    lines: Iterable[LineQuantities], *, short_closed: bool = False
) -> FulfillmentStatus:
    """From the lines' quantities against what was ordered — or, once the order is
    short-closed (what is not shipped never will be), against only what was shipped. Once
    everything is delivered, returns show: everything delivered came back (returned), or
    some of it (partially returned)."""
    items = [q for q in lines if (q.shipped if short_closed else q.ordered) > 0]
    ordered = sum(((q.shipped if short_closed else q.ordered) for q in items), ZERO)
    if not items or ordered == 0:
        return FulfillmentStatus.UNFULFILLED
    shipped = sum((q.shipped for q in items), ZERO)
    delivered = sum((q.delivered for q in items), ZERO)
    returned = sum((q.returned for q in items), ZERO)
    covered = sum((q.reserved + q.shipped for q in items), ZERO)
    if delivered >= ordered and returned > 0:
        return (
            FulfillmentStatus.RETURNED
            if returned >= delivered
            else FulfillmentStatus.PARTIALLY_RETURNED
        )
    if delivered >= ordered:
        return FulfillmentStatus.DELIVERED
    if delivered > 0:
        return FulfillmentStatus.PARTIALLY_DELIVERED
    if shipped >= ordered:
        return FulfillmentStatus.SHIPPED
    if shipped > 0:
        return FulfillmentStatus.PARTIALLY_SHIPPED
    if covered >= ordered:
        return FulfillmentStatus.RESERVED
    if covered > 0:
        return FulfillmentStatus.PARTIALLY_RESERVED
    return FulfillmentStatus.UNFULFILLED


def billing_status(
    lines: Iterable[LineQuantities],
    settlement: Settlement = Settlement.NONE,
    *,
    short_closed: bool = False,
) -> BillingStatus:
    """Unbilled, partially invoiced or invoiced from the lines' invoiced quantities (against
    what was ordered, or only what was shipped once the order is short-closed); paid once
    everything is invoiced and every invoice settled, partially paid once anything is. Credit
    notes for returned goods show once the invoices are settled: everything invoiced was
    credited back (credited), or some of it (partially credited)."""
    items = list(lines)
    due = sum(((q.shipped if short_closed else q.ordered) for q in items), ZERO)
    invoiced = sum((q.invoiced for q in items), ZERO)
    credited = sum((q.credited for q in items), ZERO)
    whole = invoiced >= due
    if invoiced > 0 and credited >= invoiced:
        return BillingStatus.CREDITED
    if whole and invoiced > 0 and settlement is Settlement.FULL:
        return BillingStatus.PARTIALLY_CREDITED if credited > 0 else BillingStatus.PAID
    if settlement is not Settlement.NONE and invoiced > 0:
        return BillingStatus.PARTIALLY_PAID
    if invoiced <= 0:
        return BillingStatus.UNBILLED
    if whole:
        return BillingStatus.INVOICED
    return BillingStatus.PARTIALLY_INVOICED


def is_completed(fulfillment: FulfillmentStatus, billing: BillingStatus) -> bool:
    """An order is completed once everything it will ship is delivered (all it ordered, or
    for a short-closed order all it shipped) and it is paid: derived, never set by hand."""
    return fulfillment in DELIVERED_STATES and billing in SETTLED_STATES


DELIVERED_STATES = frozenset(
    {FulfillmentStatus.DELIVERED, FulfillmentStatus.PARTIALLY_RETURNED, FulfillmentStatus.RETURNED}
)
SETTLED_STATES = frozenset(
    {BillingStatus.PAID, BillingStatus.PARTIALLY_CREDITED, BillingStatus.CREDITED}
)


def ensure_short_closable(
    status: str, lines: Iterable[LineQuantities], short_closed: bool, shipments_open: bool
) -> None:
    """Sales may short-close an order with open quantities nobody will ship — once it has
    shipped something (an order with nothing shipped is cancelled instead), only once, and
    not while one of its shipments is still waiting to leave (ship or drop it first)."""
    items = list(lines)
    if status in (OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.REJECTED):
        raise InvalidState(
            f"A {status} order cannot be short-closed.", code="order_not_short_closable"
        )
    if short_closed:
        raise InvalidState("The order is already short-closed.", code="order_short_closed")
    if not any(q.shipped > 0 for q in items):
        raise InvalidState(
            "Nothing of the order has shipped: cancel it instead.", code="order_not_shipped"
        )
    if not any(q.ordered > q.shipped for q in items):
        raise InvalidState("Everything ordered has shipped.", code="order_fully_shipped")
    if shipments_open:
        raise InvalidState(
            "A shipment of the order is still waiting to leave; confirm it first.",
            code="shipment_pending",
        )


def format_order_number(year: int, sequence: int) -> str:
    """``SO-2026-000123``: human, gap-tolerant, unique (the sequence never repeats)."""
    return f"SO-{year:04d}-{sequence:06d}"


@dataclass(frozen=True)
class RequestedLine:
    sku: str
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_percent: Decimal = ZERO


@dataclass
class MergedLine:
    sku: str
    quantity: Decimal
    unit_price: Decimal | None
    discount_percent: Decimal
    source_indexes: list[int] = field(default_factory=list)


def merge_duplicate_skus(
    lines: Sequence[RequestedLine], violations: Violations
) -> list[MergedLine]:
    """The same SKU twice in one order is merged into one line (quantities added), so stock is
    checked once for the total (DESIGN §9, medusa#16502) — unless the two lines ask for different
    prices or discounts, which is refused rather than guessed."""
    merged: dict[str, MergedLine] = {}
    for i, line in enumerate(lines):
        existing = merged.get(line.sku)
        if existing is None:
            merged[line.sku] = MergedLine(
                line.sku, line.quantity, line.unit_price, line.discount_percent, [i]
            )
            continue
        if (existing.unit_price, existing.discount_percent) != (
            line.unit_price,
            line.discount_percent,
        ):
            violations.add(
                f"lines.{i}.sku",
                "duplicate_sku",
                f"SKU {line.sku} appears twice with different prices or discounts.",
            )
            continue
        existing.quantity += line.quantity
        existing.source_indexes.append(i)
    return list(merged.values())


def check_intake(
    *,
    line_count: int,
    max_lines: int,
    requested_delivery_date: date | None,
    today: date,
    violations: Violations,
) -> None:
    """Rules that need no data beyond the request."""
    if line_count == 0:
        violations.add("lines", "min_items", "An order needs at least one line.")
    if line_count > max_lines:
        violations.add("lines", "max_items", f"An order has at most {max_lines} lines.")
    if requested_delivery_date is not None and requested_delivery_date < today:
        violations.add(
            "requested_delivery_date", "not_in_past", "The requested delivery date is in the past."
        )


def ensure_editable(status: str, lines: Iterable[LineQuantities] = ()) -> None:
    """Drafts and reviewed orders can be edited until something has shipped (what is
    reserved is released and allocated again)."""
    if status not in EDITABLE or any(q.shipped > 0 for q in lines):
        raise InvalidState(
            f"This order ({status}) can no longer be edited.", code="order_not_editable"
        )


def ensure_submittable(status: str) -> None:
    if status != OrderStatus.DRAFT:
        raise InvalidState(
            f"Only draft orders can be submitted; this one is {status}.", code="order_not_draft"
        )


def ensure_cancellable(status: str, lines: Iterable[LineQuantities]) -> None:
    """An order can be cancelled until anything of it has shipped."""
    if status == OrderStatus.CANCELLED:
        raise InvalidState("The order is already cancelled.", code="order_cancelled")
    if status == OrderStatus.REJECTED:
        raise InvalidState("The order was rejected.", code="order_rejected")
    if any(q.shipped > 0 for q in lines):
        raise InvalidState(
            "The order has shipped (in part) and can no longer be cancelled.", code="order_shipped"
        )
