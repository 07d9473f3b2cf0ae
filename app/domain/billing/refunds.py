"""Rules of the payments API around settlement: how a payment is spread, what may be undone,
and refunds of unapplied customer credit (a payment's or a credit note's).

A refund never pays back more than its source still has unapplied; a reversed payment (a
bounced transfer) is neither applied, refunded nor reversed again; a payment part of which was
refunded is not reversed (the money out was already posted — finance settles it by hand).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from app.domain.billing.settlement import PaymentState, check_amount
from app.domain.errors import InvalidState, RuleViolation
from app.domain.money import round_money


class ApplyStrategy(StrEnum):
    """How a payment is applied when no explicit list is given."""

    OLDEST_DUE_FIRST = "oldest_due_first"
    NONE = "none"


def format_refund_number(year: int, sequence: int) -> str:
    """``RF-2026-000123``."""
    return f"RF-{year:04d}-{sequence:06d}"


def check_minor_units(amount: Decimal, currency: str, field: str = "amount") -> None:
    """An amount has no more decimals than its currency allows."""
    if round_money(amount, currency) != amount:
        raise RuleViolation.on(
            field, "minor_units", f"{amount} has more decimals than {currency} allows."
        )


def check_refund(amount: Decimal, available: Decimal, currency: str) -> None:
    """A refund is positive, in minor units, and within what its source has unapplied."""
    check_amount(amount)
    check_minor_units(amount, currency)
    if amount > available:
        raise RuleViolation.on(
            "amount",
            "within_unapplied",
            f"Refunding {amount} exceeds what is unapplied ({available}).",
        )


def check_can_reverse(state: str, refunded: Decimal) -> None:
    if state != PaymentState.RECEIVED:
        raise InvalidState(f"This payment is {state}.", code="payment_reversed")
    if refunded > 0:
        raise InvalidState(
            f"{refunded} of this payment was refunded; it cannot be reversed as bounced.",
            code="payment_refunded",
        )


def check_can_unapply(reversed_already: bool) -> None:
    if reversed_already:
        raise InvalidState("This application was already unapplied.", code="already_unapplied")


def shown_unapplied(state: str, amount: Decimal, applied: Decimal, refunded: Decimal) -> Decimal:
    """What a payment has left to give: nothing once reversed."""
    if state != PaymentState.RECEIVED:
        return Decimal(0)
    return amount - applied - refunded
