"""How a received return is resolved: a refund, a replacement or an exchange.

- A return is resolved once, after its goods arrived (``received``): what is credited,
  replaced or exchanged is what came back, not what was asked for.
- The resolution is the one the return requested, or a refund instead (a replacement out of
  stock, a customer who changed their mind); an exchange needs the SKUs the request named.
- A refund credits the received goods at what they were invoiced for (a credit note for
  returned goods), applied first to what the invoice still owes; what was paid of it (the
  note's unapplied credit) goes back to the customer — never more, the rule of every
  refund — or stays as their credit.
- A replacement is a new order of the same SKUs at no charge; an exchange a new order of the
  other SKUs at their price, its invoice settled by the returned goods' credit note, so the
  price difference is invoiced (the new goods cost more) or stays the customer's credit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.domain.after_sales.returns import ReturnResolution, ReturnStatus
from app.domain.errors import InvalidState
from app.domain.money import ZERO


class ArrivedLine(Protocol):
    received: Decimal | None  # what the receipt recorded (None: not received)
    credited: Decimal


def arrived(line: ArrivedLine) -> Decimal:
    """What came back of a return line, however it was inspected."""
    return line.received or ZERO


def to_credit(line: ArrivedLine) -> Decimal:
    """What of a return line's arrived goods no credit note has credited yet."""
    return arrived(line) - line.credited


def check_resolvable(status: str, requested: str, doing: ReturnResolution) -> None:
    """A received return is resolved once, as requested or by a refund instead."""
    if status != ReturnStatus.RECEIVED:
        raise InvalidState(
            f"This return is {status}; a return is resolved once its goods are received.",
            code="return_not_received",
        )
    if doing != requested and doing != ReturnResolution.REFUND:
        raise InvalidState(
            f"This return asked for a {requested}; it is resolved so or by a refund.",
            code="resolution_not_requested",
        )


def check_something_arrived(quantities: Sequence[Decimal]) -> None:
    if not any(q > 0 for q in quantities):
        raise InvalidState(
            "Nothing of this return arrived to credit, replace or exchange.",
            code="nothing_received",
        )


def price_difference(new_total: Decimal, credit: Decimal) -> Decimal:
    """An exchange's difference: above zero the customer pays it, below zero it is theirs."""
    return new_total - credit


def billing_invoice(invoice_ids: Sequence[uuid.UUID]) -> uuid.UUID:
    """The one issued invoice that billed a return's goods (409 ``return_not_invoiced`` when
    none did yet, ``return_spans_invoices`` when several did: finance credits those per
    invoice with POST /credit-notes)."""
    distinct = sorted(set(invoice_ids), key=str)
    if not distinct:
        raise InvalidState(
            "The returned goods are not invoiced yet; resolve the return once they are.",
            code="return_not_invoiced",
        )
    if len(distinct) > 1:
        raise InvalidState(
            "The returned goods were billed on several invoices; credit them per invoice "
            "with POST /credit-notes.",
            code="return_spans_invoices",
        )
    return distinct[0]


class ResolvableReturn(Protocol):
    status: str
    resolution: str
    resolved_at: datetime | None
    resolved_by: str | None
    updated_at: datetime
    updated_by: str


def resolve(ret: ResolvableReturn, doing: ReturnResolution, actor: str, now: datetime) -> None:
    """The return is resolved as ``doing`` (a refund may stand in for what it asked for)."""
    ret.status = ReturnStatus.RESOLVED.value
    ret.resolution = doing.value
    ret.resolved_at = ret.updated_at = now
    ret.resolved_by = ret.updated_by = actor
