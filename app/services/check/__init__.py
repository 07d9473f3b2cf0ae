"""``lading check``: verify the invariants across the whole database and list every breach.

- invariant 1: each stock level against its movements ledger, and its bounds;
- the reservation ledger: ``stock.reserved`` equals the sum of its reservations, and each order
  line's ``quantity_reserved`` equals the sum of the line's reservations;
- invariant 3: every order line's quantities stay ordered (read a batch at a time);
- shipments: each order line's shipped quantity equals what its shipped or delivered
  shipments carry, and its delivered quantity what its delivered shipments carry; its
  returned quantity what its received returns took back;
- production: each request's completed quantity equals what its production movements put on
  hand;
- invariant 9, the books (``app.services.check.books``);
- the reports' summaries, when the projector has caught up: a sample of order facts derived
  again, and the latest days' sales against the orders table (``app.services.check.reports``).
"""

from __future__ import annotations

from app.domain.orders import LineQuantities
from app.domain.shipments import DEPARTED, ShipmentStatus
from app.domain.stock import StockViolation, stock_violations
from app.services.check.books import book_violations, check_books
from app.services.check.common import plain as _plain
from app.services.check.reports import report_violations
from app.services.unit_of_work import UnitOfWork

__all__ = ["check_books", "check_invariants"]

LINE_BATCH = 5000


async def check_invariants(uow: UnitOfWork) -> list[StockViolation]:
    async with uow:
        return [
            *await _stock_levels(uow),
            *await _reservation_ledger(uow),
            *await _line_reservations(uow),
            *await _line_shipments(uow),
            *await _line_returns(uow),
            *await _production_completions(uow),
            *await _line_quantities(uow),
            *await book_violations(uow),
            *await report_violations(uow),
        ]


async def _stock_levels(uow: UnitOfWork) -> list[StockViolation]:
    violations: list[StockViolation] = []
    for row in await uow.stock.compare_levels_with_ledger():
        violations += stock_violations(
            str(row.warehouse_id), str(row.product_id), row.on_hand, row.reserved, row.ledger_sum
        )
    return violations


async def _reservation_ledger(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            str(warehouse_id),
            str(product_id),
            "reservation_ledger_mismatch",
            f"reserved {_plain(reserved)} differs from the reservations' sum {_plain(ledger)}",
        )
        for warehouse_id, product_id, reserved, ledger in (
            await uow.reservations.ledger_mismatches()
        )
    ]


async def _line_reservations(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            None,
            None,
            "line_reservations_mismatch",
            f"the line's reserved {_plain(reserved)} differs from its reservations' sum "
            f"{_plain(ledger)}",
            order_line_id=str(line_id),
        )
        for line_id, reserved, ledger in await uow.allocation.line_reservation_mismatches()
    ]


async def _line_shipments(uow: UnitOfWork) -> list[StockViolation]:
    mismatches = await uow.shipments.line_shipment_mismatches(
        [s.value for s in DEPARTED], ShipmentStatus.DELIVERED.value
    )
    return [
        StockViolation(
            None,
            None,
            f"line_{kind}_mismatch",
            f"the line's {kind} {_plain(quantity)} differs from its shipments' {_plain(carried)}",
            order_line_id=str(line_id),
        )
        for line_id, kind, quantity, carried in mismatches
    ]


async def _line_returns(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            None,
            None,
            "line_returned_mismatch",
            f"the line's returned {_plain(q)} differs from its received returns' {_plain(got)}",
            order_line_id=str(line_id),
        )
        for line_id, q, got in await uow.returns.returned_mismatches()
    ]


async def _production_completions(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            None,
            None,
            "production_completed_mismatch",
            f"{number} completed {_plain(q)}; its production movements {_plain(moved)}",
            record_type="production_request",
            record_id=number,
        )
        for number, q, moved in await uow.production.completion_mismatches()
    ]


async def _line_quantities(uow: UnitOfWork) -> list[StockViolation]:
    """Every line's quantities in order, a batch at a time (forgetting each batch read)."""
    violations: list[StockViolation] = []
    after = None
    while True:
        lines = await uow.allocation.all_line_quantities(after, LINE_BATCH)
        for x in lines:
            quantities = LineQuantities(
                x.quantity_ordered,
                x.quantity_reserved,
                x.quantity_shipped,
                x.quantity_delivered,
                x.quantity_invoiced,
                x.quantity_returned,
                x.quantity_credited,
            )
            violations += [
                StockViolation(None, None, "line_quantities", problem, order_line_id=str(x.id))
                for problem in quantities.violations()
            ]
        if len(lines) < LINE_BATCH:
            return violations
        after = lines[-1].id
        uow.forget()
