"""Invoices (发票): policies, numbers, lines priced as the order was, due dates and standings.

An invoice is *draft*, *issued* or *void* — the only stored states. Whether it is paid,
partially paid or overdue is derived from what is applied to it and the date
(:func:`standing`), never stored, so it cannot disagree with the applications.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import InvalidState
from app.domain.money import ZERO, round_money
from app.domain.orders import Settlement


class InvoicingPolicy(StrEnum):
    """When a customer is invoiced: per confirmed shipment (default), per delivered
    shipment, or periodically (月结) for every shipment of the period not yet invoiced."""

    ON_SHIPMENT = "on_shipment"
    ON_DELIVERY = "on_delivery"
    PERIODIC = "periodic"


class InvoicingPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"


class InvoiceType(StrEnum):
    """普通发票 (ordinary) or 专用发票 (special VAT invoice, needs the buyer's full details)."""

    ORDINARY = "ordinary"
    SPECIAL = "special"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    VOID = "void"


class InvoiceStanding(StrEnum):
    """What an invoice shows: its stored status, or for an issued one what is owed on it."""

    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    VOID = "void"


def format_invoice_number(year: int, sequence: int) -> str:
    """``INV-2026-000123``."""
    return f"INV-{year:04d}-{sequence:06d}"


def due_date(issued_on: date, payment_terms_days: int) -> date:
    """Due the customer's payment terms after the issue date."""
    return issued_on + timedelta(days=payment_terms_days)


def balance(total: Decimal, paid: Decimal, credited: Decimal) -> Decimal:
    """What is still owed on an invoice: its total less applied payments and credit notes."""
    return total - paid - credited


def standing(
    status: str, total: Decimal, paid: Decimal, credited: Decimal, due: date | None, today: date
) -> InvoiceStanding:
    """Paid, partially paid, overdue or open, from the amounts applied and the date."""
    if status != InvoiceStatus.ISSUED:
        return InvoiceStanding(status)
    owed = balance(total, paid, credited)
    if owed <= 0:
        return InvoiceStanding.PAID
    if due is not None and today > due:
        return InvoiceStanding.OVERDUE
    if paid + credited > 0:
        return InvoiceStanding.PARTIALLY_PAID
    return InvoiceStanding.OPEN


@dataclass(frozen=True)
class PricedLine:
    """An order line as it was priced: its quantity and its rounded amounts."""

    quantity: Decimal
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class InvoiceAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def share(line: PricedLine, already: Decimal, quantity: Decimal, currency: str) -> InvoiceAmounts:
    """The amounts of invoicing ``quantity`` more of an order line of which ``already`` was
    invoiced: the rounded cumulative share less the rounded share before, so the invoices of a
    line always add up to exactly the line's amounts however it was split (the one rounding
    rule of ``app.domain.money``, applied to cumulative quantities)."""
    if quantity <= 0:
        raise InvalidState("An invoice line needs a positive quantity.", code="nothing_to_invoice")

    def part(amount: Decimal, q: Decimal) -> Decimal:
        if q >= line.quantity:
            return amount
        return round_money(amount * q / line.quantity, currency)

    after = already + quantity

    def delta(amount: Decimal) -> Decimal:
        return part(amount, after) - part(amount, already)

    return InvoiceAmounts(
        gross=delta(line.gross),
        discount=delta(line.discount),
        net=delta(line.net),
        tax=delta(line.tax),
    )


@dataclass(frozen=True)
class RateTotal:
    tax_rate: Decimal
    net: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def totals_by_rate(lines: Iterable[tuple[Decimal, InvoiceAmounts]]) -> list[RateTotal]:
    """Net and tax per tax rate, lowest rate first: plain sums of the rounded lines."""
    sums: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for rate, amounts in lines:
        net, tax = sums.get(rate, (ZERO, ZERO))
        sums[rate] = (net + amounts.net, tax + amounts.tax)
    return [RateTotal(rate, net, tax) for rate, (net, tax) in sorted(sums.items())]


def check_can_issue(status: str) -> None:
    if status != InvoiceStatus.DRAFT:
        raise InvalidState(f"This invoice is {status}; only drafts are issued.", code="not_draft")


def check_can_void(status: str, paid: Decimal) -> None:
    """A void invoice stays void; an invoice with payments applied is not voided until the
    payments are moved off it (unapplied or reversed), so no payment is silently orphaned."""
    if status == InvoiceStatus.VOID:
        raise InvalidState("This invoice is already void.", code="already_void")
    if paid > 0:
        raise InvalidState(
            f"Payments of {paid} are applied to this invoice; unapply or reverse them first.",
            code="invoice_has_payments",
        )


def settlement_of(invoices: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Settlement:
    """How far an order's issued invoices ((total, paid, credited) each) are settled."""
    items = list(invoices)
    if not items:
        return Settlement.NONE
    if all(balance(total, paid, credited) <= 0 for total, paid, credited in items):
        return Settlement.FULL  # an invoice of nothing (a free replacement) owes nothing
    if all(paid + credited <= 0 for _, paid, credited in items):
        return Settlement.NONE
    return Settlement.PARTIAL
