"""Invoice rules without a database: lines priced as the order was, however a line is split;
totals per tax rate; standings derived from what is applied and the date; an order's billing
status from its lines and its invoices' settlement; postings that balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.billing import ledger
from app.domain.billing.invoices import (
    InvoiceAmounts,
    InvoiceStanding,
    PricedLine,
    check_can_void,
    due_date,
    format_invoice_number,
    settlement_of,
    share,
    standing,
    totals_by_rate,
)
from app.domain.errors import InvalidState
from app.domain.orders import BillingStatus, LineQuantities, Settlement, billing_status
from app.domain.pricing import price_line

D = Decimal


def test_numbers_and_due_dates() -> None:
    assert format_invoice_number(2026, 42) == "INV-2026-000042"
    assert due_date(date(2026, 1, 31), 30) == date(2026, 3, 2)


def test_a_line_invoiced_whole_is_the_order_line() -> None:
    line = PricedLine(D(3), D("29.97"), D("3.00"), D("26.97"), D("3.51"))
    amounts = share(line, D(0), D(3), "CNY")
    assert amounts == InvoiceAmounts(D("29.97"), D("3.00"), D("26.97"), D("3.51"))
    assert amounts.total == D("30.48")


@given(
    quantity=st.integers(min_value=1, max_value=40),
    unit_price=st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2),
    discount=st.decimals(min_value=D(0), max_value=D(50), places=2),
    cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=6),
)
def test_split_invoices_add_up_to_the_line_exactly(quantity, unit_price, discount, cuts) -> None:
    """However a line is shipped and invoiced in parts, the parts' amounts add up to exactly
    what the order line was priced at (rounded cumulative shares)."""
    q = D(quantity)
    priced = price_line(
        q, unit_price, tax_rate=D("0.13"), currency="CNY", line_discount_percent=discount
    )
    line = PricedLine(q, priced.gross_before_discount, priced.discount, priced.net, priced.tax)
    parts, done = [], D(0)
    for cut in cuts:
        take = min(D(cut), q - done)
        if take <= 0:
            break
        parts.append(share(line, done, take, "CNY"))
        done += take
    if done < q:
        parts.append(share(line, done, q - done, "CNY"))
    assert sum(p.net for p in parts) == priced.net
    assert sum(p.tax for p in parts) == priced.tax
    assert sum(p.gross for p in parts) == priced.gross_before_discount
    assert sum(p.total for p in parts) == priced.total


def test_nothing_to_invoice_is_refused() -> None:
    with pytest.raises(InvalidState):
        share(PricedLine(D(1), D(1), D(0), D(1), D(0)), D(0), D(0), "CNY")


def test_totals_per_tax_rate() -> None:
    a = InvoiceAmounts(D(100), D(0), D(100), D(13))
    b = InvoiceAmounts(D(50), D(0), D(50), D(3))
    c = InvoiceAmounts(D(10), D(0), D(10), D("1.30"))
    [low, high] = totals_by_rate([(D("0.13"), a), (D("0.06"), b), (D("0.13"), c)])
    assert (low.tax_rate, low.net, low.tax, low.total) == (D("0.06"), D(50), D(3), D(53))
    assert (high.tax_rate, high.net, high.tax, high.total) == (
        D("0.13"),
        D(110),
        D("14.30"),
        D("124.30"),
    )


@pytest.mark.parametrize(
    ("status", "paid", "credited", "today", "expected"),
    [
        ("draft", D(0), D(0), date(2026, 1, 1), InvoiceStanding.DRAFT),
        ("void", D(0), D(100), date(2026, 1, 1), InvoiceStanding.VOID),
        ("issued", D(0), D(0), date(2026, 1, 10), InvoiceStanding.OPEN),
        ("issued", D(40), D(0), date(2026, 1, 10), InvoiceStanding.PARTIALLY_PAID),
        ("issued", D(60), D(40), date(2026, 3, 10), InvoiceStanding.PAID),
        ("issued", D(40), D(0), date(2026, 2, 1), InvoiceStanding.OVERDUE),
        ("issued", D(0), D(0), date(2026, 1, 31), InvoiceStanding.OPEN),  # due today
    ],
)
def test_standing_is_derived(status, paid, credited, today, expected) -> None:
    assert standing(status, D(100), paid, credited, date(2026, 1, 31), today) is expected


def test_an_invoice_with_payments_is_not_voided() -> None:
    check_can_void("issued", D(0))
    with pytest.raises(InvalidState) as caught:
        check_can_void("issued", D(1))
    assert caught.value.code == "invoice_has_payments"
    with pytest.raises(InvalidState):
        check_can_void("void", D(0))


def test_settlement_of_an_orders_invoices() -> None:
    assert settlement_of([]) is Settlement.NONE
    assert settlement_of([(D(10), D(0), D(0))]) is Settlement.NONE
    assert settlement_of([(D(10), D(4), D(0)), (D(5), D(0), D(0))]) is Settlement.PARTIAL
    assert settlement_of([(D(10), D(6), D(4)), (D(5), D(5), D(0))]) is Settlement.FULL
    assert settlement_of([(D(0), D(0), D(0))]) is Settlement.FULL  # a free replacement's
    assert settlement_of([(D(0), D(0), D(0)), (D(5), D(0), D(0))]) is Settlement.NONE


@pytest.mark.parametrize(
    ("invoiced", "settlement", "short_closed", "expected"),
    [
        (D(0), Settlement.NONE, False, BillingStatus.UNBILLED),
        (D(2), Settlement.NONE, False, BillingStatus.PARTIALLY_INVOICED),
        (D(4), Settlement.NONE, False, BillingStatus.INVOICED),
        (D(2), Settlement.FULL, False, BillingStatus.PARTIALLY_PAID),
        (D(4), Settlement.PARTIAL, False, BillingStatus.PARTIALLY_PAID),
        (D(4), Settlement.FULL, False, BillingStatus.PAID),
        (D(2), Settlement.FULL, True, BillingStatus.PAID),  # short-closed after 2 shipped
    ],
)
def test_billing_status_from_lines_and_settlement(
    invoiced, settlement, short_closed, expected
) -> None:
    lines = [
        LineQuantities(ordered=D(4), shipped=D(2) if short_closed else D(4), invoiced=invoiced)
    ]
    assert billing_status(lines, settlement, short_closed=short_closed) is expected


def test_postings_balance_per_currency() -> None:
    issued = ledger.invoice_issued(D(100), D(13), "CNY", "INV-1")
    assert {(x.account, x.debit, x.credit) for x in issued.legs} == {
        (ledger.Account.RECEIVABLES, D(113), D(0)),
        (ledger.Account.REVENUE, D(0), D(100)),
        (ledger.Account.OUTPUT_VAT, D(0), D(13)),
    }
    across = ledger.applied_across(D(15), "USD", D(108), "CNY", "USD to CNY")
    assert len(across.legs) == 4
    with pytest.raises(InvalidState):
        ledger.Posting("bad", (ledger.Leg(ledger.Account.BANK, D(1), "CNY"),))
    with pytest.raises(InvalidState):  # balanced in sum, not per currency
        ledger.Posting(
            "bad",
            (
                ledger.Leg(ledger.Account.BANK, D(1), "CNY"),
                ledger.Leg(ledger.Account.CUSTOMER_CREDIT, D(-1), "USD"),
            ),
        )
