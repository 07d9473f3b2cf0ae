"""Credit notes (红字发票): what a note credits per invoice line, and that it never credits
more than the line it corrects.

A note for returned goods credits a quantity of an invoice line at the line's own amounts, the
rounded cumulative share less the share before (as invoices share an order line), so notes
that return a line bit by bit add up to exactly the line. A price adjustment or a discount
credits a net amount; its tax is the line's rate on it, rounded by the one rule of
``app.domain.money``. Per invoice line, what is credited so far plus this note never passes
the line's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import InvalidState, RuleViolation
from app.domain.money import ZERO, round_money


class CreditReason(StrEnum):
    RETURNED_GOODS = "returned_goods"
    PRICE_ADJUSTMENT = "price_adjustment"
    DISCOUNT = "discount"
    # The red-letter note that voids an issued invoice (never asked for directly).
    VOID = "void"


def format_credit_note_number(year: int, sequence: int) -> str:
    """``CN-2026-000123``."""
    return f"CN-{year:04d}-{sequence:06d}"


@dataclass(frozen=True)
class CreditedLine:
    """An invoice line and what credit notes have credited of it so far."""

    quantity: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    credited_quantity: Decimal = ZERO
    credited_net: Decimal = ZERO
    credited_tax: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.net + self.tax

    @property
    def credited(self) -> Decimal:
        return self.credited_net + self.credited_tax


@dataclass(frozen=True)
class Credit:
    quantity: Decimal
    net: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def _within(line: CreditedLine, credit: Credit, field: str) -> Credit:
    if credit.total <= 0:
        raise RuleViolation.on(field, "positive", "A credit note line credits more than zero.")
    left = line.total - line.credited
    if credit.total > left:
        raise RuleViolation.on(
            field,
            "within_invoice_line",
            f"Crediting {credit.total} exceeds what is left of the invoice line ({left}).",
        )
    return credit


def returned(line: CreditedLine, quantity: Decimal, currency: str, field: str) -> Credit:
    """Credit for ``quantity`` returned of ``line``: its proportional, cumulatively rounded
    share of the line's net and tax."""
    if quantity <= 0:
        raise RuleViolation.on(field, "positive", "The returned quantity must be above zero.")
    after = line.credited_quantity + quantity
    if after > line.quantity:
        raise RuleViolation.on(
            field,
            "within_invoiced",
            f"Returning {quantity} brings the line to {after} credited of {line.quantity}.",
        )

    def part(amount: Decimal, q: Decimal) -> Decimal:
        if q >= line.quantity:
            return amount
        return round_money(amount * q / line.quantity, currency)

    net = part(line.net, after) - part(line.net, line.credited_quantity)
    tax = part(line.tax, after) - part(line.tax, line.credited_quantity)
    return _within(line, Credit(quantity, net, tax), field)


def adjusted(line: CreditedLine, net: Decimal, currency: str, field: str) -> Credit:
    """Credit of a net ``net`` (a price adjustment or a discount) with the line's tax on it."""
    if net <= 0:
        raise RuleViolation.on(field, "positive", "The amount must be above zero.")
    if round_money(net, currency) != net:
        raise RuleViolation.on(field, "minor_units", f"{net} has more decimals than {currency}.")
    return _within(line, Credit(ZERO, net, round_money(net * line.tax_rate, currency)), field)


def remainder(line: CreditedLine) -> Credit | None:
    """What is not credited yet of ``line`` (the red-letter note of a void); None if nothing."""
    credit = Credit(
        line.quantity - line.credited_quantity,
        line.net - line.credited_net,
        line.tax - line.credited_tax,
    )
    return credit if credit.total > 0 else None


def check_can_credit(status: str) -> None:
    """Only an issued invoice is credited (a draft is changed or voided instead)."""
    if status != "issued":
        raise InvalidState(
            f"This invoice is {status}; credit notes correct issued invoices.",
            code="invoice_not_issued",
        )


def check_credit_application(
    amount: Decimal, available: Decimal, owed: Decimal, *, field: str = "amount"
) -> None:
    """``amount`` of a note with ``available`` left, to an invoice that owes ``owed``."""
    if amount <= 0:
        raise RuleViolation.on(field, "positive", f"The amount must be above zero, not {amount}.")
    if amount > available:
        raise RuleViolation.on(
            field,
            "within_credit_note",
            f"Applying {amount} exceeds what the credit note has left ({available}).",
        )
    if amount > owed:
        raise RuleViolation.on(
            field,
            "within_invoice",
            f"Applying {amount} exceeds what the invoice still owes ({owed}).",
        )
