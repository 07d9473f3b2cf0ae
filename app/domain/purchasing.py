"""Purchase orders: their life cycle and the rules of receiving goods against them.

draft → sent → partially_received → received; a draft or sent order may be cancelled. The
status after a receipt is derived from the lines' quantities, never set independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import InvalidState, Violations


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


S = PurchaseOrderStatus
CANCELLABLE = frozenset({S.DRAFT, S.SENT})
RECEIVABLE = frozenset({S.SENT, S.PARTIALLY_RECEIVED})
# Goods still expected from the supplier (drafts are not yet ordered).
OPEN = frozenset({S.SENT, S.PARTIALLY_RECEIVED})
# What replenishment counts as already on order: drafts too, so that turning suggestions into
# purchase orders twice does not order the same goods twice.
ON_ORDER = frozenset({S.DRAFT, S.SENT, S.PARTIALLY_RECEIVED})


def format_purchase_order_number(year: int, sequence: int) -> str:
    return f"PO-{year:04d}-{sequence:06d}"


def check_send(status: str, number: str) -> None:
    if status != S.DRAFT:
        raise InvalidState(f"Purchase order {number} is {status}; only a draft can be sent.")


def check_cancel(status: str, number: str) -> None:
    if status not in CANCELLABLE:
        raise InvalidState(
            f"Purchase order {number} is {status}; only a draft or sent order can be cancelled."
        )


def check_receive(status: str, number: str) -> None:
    if status not in RECEIVABLE:
        raise InvalidState(
            f"Purchase order {number} is {status}; goods can be received only against a sent "
            "or partially received order."
        )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class LineQuantities:
    sku: str
    ordered: Decimal
    received: Decimal


def receivable_limit(ordered: Decimal, tolerance_percent: Decimal) -> Decimal:
    """The most that may be received in total against a line of ``ordered``."""
    return ordered + ordered * tolerance_percent / Decimal(100)


def check_receipt(
    lines: Sequence[tuple[int, LineQuantities, Decimal]], tolerance_percent: Decimal
) -> None:
    """Refuse (422, naming each offending line) receipts that take a line beyond its ordered
    quantity plus the tolerance. ``lines``: (index in the request, the line, quantity now)."""
    v = Violations()
    for index, line, quantity in lines:
        limit = receivable_limit(line.ordered, tolerance_percent)
        if line.received + quantity > limit:
            v.add(
                f"lines.{index}.quantity",
                "over_receipt",
                f"{line.sku}: ordered {_plain(line.ordered)}, received "
                f"{_plain(line.received)}, receiving {_plain(quantity)} would exceed "
                f"{_plain(limit)} (tolerance {_plain(tolerance_percent)}%).",
            )
    v.raise_if_any("The receipt exceeds what was ordered.")


def status_after_receipt(lines: Sequence[LineQuantities]) -> PurchaseOrderStatus:
    """received when every line has all it ordered, otherwise partially_received."""
    if all(line.received >= line.ordered for line in lines):
        return S.RECEIVED
    return S.PARTIALLY_RECEIVED
