"""Transfer orders between warehouses (调拨): stock leaves the source with ``transfer_out``
movements when the transfer ships and arrives at the destination with ``transfer_in`` movements,
possibly in several receipts; what never arrives is recorded as a discrepancy on its line."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from app.domain.errors import InvalidState, RuleViolation, Violations
from app.domain.stock import check_quantity_precision

K = TypeVar("K", bound=Hashable)
ZERO = Decimal(0)


class TransferStatus(StrEnum):
    DRAFT = "draft"
    SHIPPED = "shipped"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class TransferReason(StrEnum):
    CONSOLIDATION = "consolidation"  # bring an order's stock together in one warehouse
    REPLENISHMENT = "replenishment"  # refill a warehouse that runs low
    MANUAL = "manual"


RECEIVABLE = frozenset({TransferStatus.SHIPPED, TransferStatus.PARTIALLY_RECEIVED})


def format_transfer_number(year: int, sequence: int) -> str:
    """``TR-2026-000123``: human, gap-tolerant, unique (the sequence never repeats)."""
    return f"TR-{year:04d}-{sequence:06d}"


def check_route(from_warehouse: Hashable, to_warehouse: Hashable) -> None:
    """A transfer moves stock between two different warehouses."""
    if from_warehouse == to_warehouse:
        raise RuleViolation.on(
            "to_warehouse",
            "different_warehouse",
            "to_warehouse must differ from from_warehouse.",
        )


def merge_lines(
    lines: Sequence[tuple[K, Decimal]], precisions: Mapping[K, int] | None = None
) -> list[tuple[K, Decimal]]:
    """Validate the requested lines and merge repeated products, keeping first-seen order.

    Every quantity is greater than zero and (when ``precisions`` is given) has no more decimals
    than its product's unit allows; every problem is reported at once, by line index."""
    v = Violations()
    if not lines:
        v.add("lines", "min_length", "A transfer needs at least one line.")
    merged: dict[K, Decimal] = {}
    for i, (key, quantity) in enumerate(lines):
        field = f"lines.{i}.quantity"
        if quantity <= 0:
            v.add(field, "greater_than", "The quantity must be greater than zero.")
            continue
        if precisions is not None:
            try:
                check_quantity_precision(quantity, precisions[key], field)
            except RuleViolation as exc:
                v.issues.extend(exc.issues)
                continue
        merged[key] = merged.get(key, ZERO) + quantity
    v.raise_if_any()
    return list(merged.items())


def check_can_ship(status: str) -> None:
    if status != TransferStatus.DRAFT:
        raise InvalidState(f"Only a draft transfer can be shipped; this one is {status}.")


def check_can_cancel(status: str) -> None:
    if status != TransferStatus.DRAFT:
        raise InvalidState(
            f"Only a draft transfer can be cancelled (nothing shipped yet); this one is {status}."
        )


@dataclass(frozen=True)
class LineProgress:
    """What has happened to one transfer line so far."""

    shipped: Decimal
    received: Decimal = ZERO
    discrepancy: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        """Shipped, still in transit: neither received nor written off."""
        return self.shipped - self.received - self.discrepancy

    @property
    def settled(self) -> bool:
        return self.outstanding == 0


@dataclass(frozen=True)
class LineOutcome:
    """One line after a receipt: what arrives now, and the line's new progress."""

    key: Hashable
    arrived: Decimal
    progress: LineProgress
    discrepancy_note: str | None


@dataclass(frozen=True)
class ReceiptPlan:
    lines: list[LineOutcome]
    status: TransferStatus

    @property
    def arrived(self) -> list[LineOutcome]:
        return [line for line in self.lines if line.arrived > 0]


def receipt_status(progress: Sequence[LineProgress]) -> TransferStatus:
    """Received once every shipped unit has arrived or been written off."""
    if all(p.settled for p in progress):
        return TransferStatus.RECEIVED
    return TransferStatus.PARTIALLY_RECEIVED


def plan_receipt(
    status: str,
    progress: Mapping[K, LineProgress],
    receipt: Sequence[tuple[K | None, Decimal, str | None]],
    *,
    final: bool,
    precisions: Mapping[K, int] | None = None,
    note: str | None = None,
) -> ReceiptPlan:
    """Check a receipt against what was shipped and compute every line's new progress.

    ``receipt`` rows are (line key — None when the SKU is not on the transfer —, quantity,
    note); repeated keys add up. A ``final`` receipt writes off whatever is still in transit
    as a discrepancy (with the line's note, or ``note``), which completes the transfer."""
    if status not in RECEIVABLE:
        if status == TransferStatus.RECEIVED:
            raise InvalidState("This transfer has already been received in full.")
        raise InvalidState(f"Only a shipped transfer can be received; this one is {status}.")
    v = Violations()
    if not receipt and not final:
        v.add("lines", "min_length", "A receipt needs at least one line (or final: true).")
    arriving: dict[K, Decimal] = {}
    notes: dict[K, str] = {}
    for i, (key, quantity, line_note) in enumerate(receipt):
        if key is None or key not in progress:
            v.add(f"lines.{i}.sku", "on_transfer", "This SKU is not on the transfer.")
            continue
        field = f"lines.{i}.quantity"
        if quantity <= 0:
            v.add(field, "greater_than", "The quantity must be greater than zero.")
            continue
        if precisions is not None and key in precisions:
            try:
                check_quantity_precision(quantity, precisions[key], field)
            except RuleViolation as exc:
                v.issues.extend(exc.issues)
                continue
        total = arriving.get(key, ZERO) + quantity
        if total > progress[key].outstanding:
            v.add(
                field,
                "within_outstanding",
                f"Receiving {total} but only {progress[key].outstanding} is still in transit "
                "(shipped minus already received).",
            )
            continue
        arriving[key] = total
        if line_note:
            notes[key] = line_note
    v.raise_if_any()

    outcomes: list[LineOutcome] = []
    for key, before in progress.items():
        arrived = arriving.get(key, ZERO)
        after = LineProgress(before.shipped, before.received + arrived, before.discrepancy)
        written_off = after.outstanding if final else ZERO
        discrepancy_note = None
        if written_off > 0:
            after = LineProgress(after.shipped, after.received, after.discrepancy + written_off)
            discrepancy_note = notes.get(key) or note or "Not received: written off as lost."
        outcomes.append(LineOutcome(key, arrived, after, discrepancy_note))
    return ReceiptPlan(outcomes, receipt_status([o.progress for o in outcomes]))
