"""Settlement (结算): payments, what they may be applied to, and in which order.

A payment is applied to invoices explicitly or oldest due first; what is neither applied nor
refunded is the customer's unapplied credit. Nothing is applied beyond what a payment has left
or an invoice still owes (invariant 9). A payment in another currency than the invoice is
applied only at a stated rate (invoice currency per unit of the payment's), rounded by the one
rule of ``app.domain.money``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain.billing.ledger import Account
from app.domain.errors import InvalidState, RuleViolation
from app.domain.money import ZERO, round_money


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    CARD = "card"
    STOREFRONT_GATEWAY = "storefront_gateway"


# Where each method's money lands in the books.
METHOD_ACCOUNTS: dict[PaymentMethod, Account] = {
    PaymentMethod.BANK_TRANSFER: Account.BANK,
    PaymentMethod.CASH: Account.CASH,
    PaymentMethod.CARD: Account.CLEARING,
    PaymentMethod.STOREFRONT_GATEWAY: Account.CLEARING,
}


class PaymentState(StrEnum):
    RECEIVED = "received"
    REVERSED = "reversed"


def format_payment_number(year: int, sequence: int) -> str:
    """``PAY-2026-000123``."""
    return f"PAY-{year:04d}-{sequence:06d}"


def unapplied(amount: Decimal, applied: Decimal, refunded: Decimal) -> Decimal:
    """What a payment (or a credit note) still has to give."""
    return amount - applied - refunded


def check_amount(amount: Decimal, field: str = "amount") -> None:
    if amount <= 0:
        raise RuleViolation.on(field, "positive", f"The amount must be above zero, not {amount}.")


def converted(
    amount: Decimal,
    payment_currency: str,
    invoice_currency: str,
    rate: Decimal | None,
    field: str = "rate",
) -> Decimal:
    """``amount`` of the payment's currency in the invoice's currency."""
    if payment_currency == invoice_currency:
        if rate is not None and rate != 1:
            raise RuleViolation.on(field, "same_currency", "A rate is only for another currency.")
        return amount
    if rate is None or rate <= 0:
        raise RuleViolation.on(
            field,
            "rate_required",
            f"The payment is in {payment_currency} and the invoice in {invoice_currency}; "
            "state the rate to apply it at.",
        )
    return round_money(amount * rate, invoice_currency)


def check_application(
    amount: Decimal, available: Decimal, applied: Decimal, owed: Decimal, *, field: str = "amount"
) -> None:
    """``amount`` (payment currency) leaves the payment with ``available``; ``applied`` is
    the same in the invoice's currency, which still owes ``owed``."""
    check_amount(amount, field)
    if amount > available:
        raise RuleViolation.on(
            field,
            "within_payment",
            f"Applying {amount} exceeds what the payment has left ({available}).",
        )
    if applied > owed:
        raise RuleViolation.on(
            field,
            "within_invoice",
            f"Applying {applied} exceeds what the invoice still owes ({owed}).",
        )


def check_can_use(state: str) -> None:
    if state != PaymentState.RECEIVED:
        raise InvalidState(f"This payment is {state}.", code="payment_reversed")


@dataclass(frozen=True)
class OpenInvoice:
    id: uuid.UUID
    due_date: date | None
    number: str
    owed: Decimal


def oldest_due_first(
    invoices: Iterable[OpenInvoice], available: Decimal
) -> list[tuple[uuid.UUID, Decimal]]:
    """Spread ``available`` over open invoices (same currency), oldest due first (then by
    number), each up to what it owes."""
    out: list[tuple[uuid.UUID, Decimal]] = []
    left = available
    for inv in sorted(invoices, key=lambda i: (i.due_date or date.max, i.number)):
        if left <= ZERO:
            break
        take = min(left, inv.owed)
        if take > ZERO:
            out.append((inv.id, take))
            left -= take
    return out
