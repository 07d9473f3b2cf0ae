"""The order's line quantities and the statuses derived from them (invariant 3), kept together.

An order line's reserved, shipped, delivered and invoiced quantities change only through these
functions, and each of them rewrites the order's cached fulfilment and billing statuses before
it returns, so no caller can change a quantity and forget the status. They work on any objects
with these attributes (the mapped ``Order`` and ``OrderLine`` rows satisfy the protocols);
``tests/unit/test_architecture.py`` proves no other module assigns the quantities.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.domain.errors import InvalidState
from app.domain.orders import LineQuantities, Settlement, billing_status, fulfillment_status


class LineLike(Protocol):
    @property
    def id(self) -> Hashable: ...

    quantity_ordered: Decimal
    quantity_reserved: Decimal
    quantity_shipped: Decimal
    quantity_delivered: Decimal
    quantity_invoiced: Decimal
    quantity_returned: Decimal
    quantity_credited: Decimal


class OrderLike(Protocol):
    fulfillment_status: str
    billing_status: str
    settlement: str
    short_closed_at: datetime | None


def quantities(line: LineLike) -> LineQuantities:
    return LineQuantities(
        line.quantity_ordered,
        line.quantity_reserved,
        line.quantity_shipped,
        line.quantity_delivered,
        line.quantity_invoiced,
        line.quantity_returned,
        line.quantity_credited,
    )


def refresh(order: OrderLike, lines: Sequence[LineLike]) -> None:
    """Rewrite the cached statuses from the lines (new lines, or lines replaced by an edit)."""
    items = [quantities(x) for x in lines]
    closed = order.short_closed_at is not None
    order.fulfillment_status = fulfillment_status(items, short_closed=closed).value
    order.billing_status = billing_status(
        items, Settlement(order.settlement or "none"), short_closed=closed
    ).value


def outstanding(line: LineLike) -> Decimal:
    """What the line still needs reserved: ordered less reserved and shipped."""
    return line.quantity_ordered - line.quantity_reserved - line.quantity_shipped


Changes = Iterable[tuple[Hashable, Decimal]]


def _pairs(
    lines: Sequence[LineLike], changes: Changes, *, skip_unknown: bool = False
) -> list[tuple[LineLike, Decimal]]:
    by_id = {x.id: x for x in lines}
    out = []
    for line_id, quantity in changes:
        line = by_id.get(line_id)
        if line is None:
            if skip_unknown:
                continue
            raise InvalidState(f"The order has no line {line_id}.", code="unknown_line")
        out.append((line, quantity))
    return out


def reserve(order: OrderLike, lines: Sequence[LineLike], changes: Changes) -> None:
    """Stock was reserved for these lines ((line id, quantity) pairs)."""
    for line, quantity in _pairs(lines, changes):
        line.quantity_reserved += quantity
    refresh(order, lines)


def release(order: OrderLike, lines: Sequence[LineLike], changes: Changes) -> None:
    """Reservations of these lines were given back. Lines no longer on the order (an edit
    replaced them) are skipped."""
    for line, quantity in _pairs(lines, changes, skip_unknown=True):
        line.quantity_reserved -= quantity
    refresh(order, lines)


def ship(order: OrderLike, lines: Sequence[LineLike], changes: Changes) -> None:
    """These reserved quantities left the warehouse."""
    for line, quantity in _pairs(lines, changes):
        line.quantity_reserved -= quantity
        line.quantity_shipped += quantity
    refresh(order, lines)


def deliver(order: OrderLike, lines: Sequence[LineLike], changes: Changes) -> None:
    """These shipped quantities were handed over."""
    for line, quantity in _pairs(lines, changes):
        line.quantity_delivered += quantity
    refresh(order, lines)


def invoice(order: OrderLike, lines: Sequence[LineLike], changes: Changes) -> None:
    """These shipped quantities were invoiced (negative: a voided invoice gave them back).
    Never beyond what was shipped (invariant 3)."""
    for line, quantity in _pairs(lines, changes):
        after = line.quantity_invoiced + quantity
        if after > line.quantity_shipped or after < 0:
            raise InvalidState(
                f"Invoicing {quantity} would bring the line to {after} invoiced of "
                f"{line.quantity_shipped} shipped.",
                code="invoiced_beyond_shipped",
            )
        line.quantity_invoiced = after
    refresh(order, lines)


def return_goods(order: OrderLike, lines: Sequence[LineLike], changes: Changes) -> None:
    """These delivered quantities came back (a received return). Never beyond what was
    delivered (invariant 3)."""
    for line, quantity in _pairs(lines, changes):
        after = line.quantity_returned + quantity
        if quantity <= 0 or after > line.quantity_delivered:
            raise InvalidState(
                f"Returning {quantity} would bring the line to {after} returned of "
                f"{line.quantity_delivered} delivered.",
                code="returned_beyond_delivered",
            )
        line.quantity_returned = after
    refresh(order, lines)


def credit(order: OrderLike, lines: Sequence[LineLike], changes: Changes) -> None:
    """Credit notes for returned goods took these invoiced quantities back (negative: a
    voided invoice took its notes' credit back with it). Never beyond what was invoiced."""
    for line, quantity in _pairs(lines, changes):
        after = line.quantity_credited + quantity
        if quantity == 0 or after < 0 or after > line.quantity_invoiced:
            raise InvalidState(
                f"Crediting {quantity} would bring the line to {after} credited of "
                f"{line.quantity_invoiced} invoiced.",
                code="credited_beyond_invoiced",
            )
        line.quantity_credited = after
    refresh(order, lines)


def short_close(order: OrderLike, lines: Sequence[LineLike], when: datetime) -> None:
    """What is not shipped will not be (its reservations were given back): the statuses are
    derived from what was shipped from now on."""
    order.short_closed_at = when
    refresh(order, lines)


def settle(order: OrderLike, lines: Sequence[LineLike], settlement: Settlement) -> None:
    """The order's invoices are now settled this far (payments or credit notes moved)."""
    order.settlement = settlement.value
    refresh(order, lines)
