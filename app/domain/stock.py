"""Stock rules (DESIGN invariant 1): movements are the only way stock changes, and for every
(warehouse, product) ``0 ≤ reserved ≤ on_hand`` with ``on_hand`` = the sum of its movements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import FieldIssue, InsufficientStock, RuleViolation, Violations
from app.domain.limits import QUANTITY_MAX


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    ISSUE = "issue"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    RETURN = "return"
    # Returned goods written off at inspection (damaged): the goods came back (a return
    # movement) and left at once.
    SCRAP = "scrap"
    # Goods a production request made, into its warehouse.
    PRODUCTION = "production"


class StockOverflow(RuleViolation):
    """An arrival that would take on-hand stock past what the ledger can hold."""

    code = "quantity_too_large"

    @classmethod
    def arriving(cls, field_path: str = "quantity") -> StockOverflow:
        message = f"On-hand stock would exceed {QUANTITY_MAX}; no warehouse holds that much."
        return cls(message, issues=[FieldIssue(field_path, "quantity_too_large", message)])


# Kinds that only ever add stock, and kinds that only ever take it away; an adjustment may do
# either. The sign of a movement's quantity is its direction.
INBOUND = frozenset(
    {
        MovementKind.RECEIPT,
        MovementKind.TRANSFER_IN,
        MovementKind.RETURN,
        MovementKind.PRODUCTION,
    }
)
OUTBOUND = frozenset({MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.SCRAP})
# What people may record directly through the movements endpoint; the rest come from documents
# (shipments, transfers, returns, production requests).
MANUAL_KINDS = frozenset({MovementKind.RECEIPT, MovementKind.ADJUSTMENT})


def check_quantity_precision(quantity: Decimal, precision: int, field: str = "quantity") -> None:
    """A quantity may have at most ``precision`` decimal places (pieces: none)."""
    exponent = quantity.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > precision:
        unit = "whole units" if precision == 0 else f"at most {precision} decimal places"
        raise RuleViolation.on(field, "unit_precision", f"The unit of measure allows {unit}.")


def signed_quantity(kind: MovementKind, quantity: Decimal, reason: str | None) -> Decimal:
    """Validate a manual movement and return its signed effect on on-hand stock.

    A receipt is positive; an adjustment is non-zero either way and must give a reason."""
    v = Violations()
    if kind not in MANUAL_KINDS:
        v.add("kind", "manual_kind", "Only receipts and adjustments can be recorded directly.")
    if kind is MovementKind.RECEIPT and quantity <= 0:
        v.add("quantity", "greater_than", "A receipt's quantity must be greater than zero.")
    if kind is MovementKind.ADJUSTMENT:
        if quantity == 0:
            v.add("quantity", "not_zero", "An adjustment's quantity cannot be zero.")
        if not (reason and reason.strip()):
            v.add("reason", "required", "An adjustment needs a reason.")
    v.raise_if_any()
    return quantity


def available(on_hand: Decimal, reserved: Decimal) -> Decimal:
    """What can still be promised: on-hand stock not yet reserved. Derived, never stored."""
    return on_hand - reserved


@dataclass(frozen=True)
class StockPosition:
    """On-hand and reserved stock of one product in one warehouse (or summed over several)."""

    on_hand: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)

    @property
    def available(self) -> Decimal:
        return available(self.on_hand, self.reserved)

    def __add__(self, other: StockPosition) -> StockPosition:
        return StockPosition(self.on_hand + other.on_hand, self.reserved + other.reserved)


def total_position(positions: Iterable[StockPosition]) -> StockPosition:
    """The positions of several warehouses added together."""
    return sum(positions, StockPosition())


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def insufficient_stock(
    sku: str, warehouse: str, position: StockPosition, requested: Decimal
) -> InsufficientStock:
    """The refusal of a movement that would take on-hand stock below zero or below what is
    reserved: at most ``available`` can be taken away."""
    message = (
        f"on_hand {_plain(position.on_hand)}, reserved {_plain(position.reserved)}, "
        f"requested {_plain(requested)}: at most {_plain(max(position.available, Decimal(0)))} "
        "can be taken away."
    )
    return InsufficientStock(
        f"Not enough stock of {sku} in warehouse {warehouse}: {message}",
        issues=[FieldIssue("quantity", "insufficient_stock", message)],
    )


@dataclass(frozen=True)
class StockViolation:
    """One broken invariant, in words: a (warehouse, product) against invariant 1 and the
    reservation ledger, or an order line against invariant 3."""

    warehouse_id: str | None
    product_id: str | None
    rule: str
    detail: str
    order_line_id: str | None = None
    # Any other record a violation is about (an invoice, a payment, a journal entry, ...).
    record_type: str | None = None
    record_id: str | None = None


def stock_violations(
    warehouse_id: str,
    product_id: str,
    on_hand: Decimal | None,
    reserved: Decimal | None,
    ledger_sum: Decimal,
) -> list[StockViolation]:
    """What is wrong with one level compared with its ledger (``on_hand`` None: no level)."""
    out: list[StockViolation] = []

    def add(rule: str, detail: str) -> None:
        out.append(StockViolation(warehouse_id, product_id, rule, detail))

    if on_hand is None:
        if ledger_sum != 0:
            add(
                "level_missing",
                f"movements sum to {_plain(ledger_sum)} but there is no stock level",
            )
        return out
    reserved = reserved if reserved is not None else Decimal(0)
    if on_hand != ledger_sum:
        add(
            "ledger_mismatch",
            f"on_hand {_plain(on_hand)} differs from the movements' sum {_plain(ledger_sum)}",
        )
    if on_hand < 0:
        add("negative_on_hand", f"on_hand {_plain(on_hand)} is below zero")
    if reserved < 0:
        add("negative_reserved", f"reserved {_plain(reserved)} is below zero")
    if reserved > on_hand:
        add("over_reserved", f"reserved {_plain(reserved)} exceeds on_hand {_plain(on_hand)}")
    return out
