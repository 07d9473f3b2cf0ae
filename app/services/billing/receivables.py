"""Receivables: a customer's statement (对账单) and the aging report with DSO.

The statement is read from the journal — the customer's receivable (1122) and credit (2203)
lines: what an entry changes in their net is what it changes in what the customer owes, so an
invoice adds, a payment or a credit note subtracts, a refund or a reversed payment adds back,
and an application (one account to the other) nets to zero and is no row. One mechanism, the
books, and no second bookkeeping. Aging reads the documents as they stood on the report date.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.billing.aging import (
    Aged,
    Bucket,
    dso,
    due_date_bounds,
    revenue_window,
)
from app.domain.billing.statement import (
    STATEMENT_ACCOUNTS,
    STATEMENT_MAX_ROWS,
    check_period,
    day_end,
    day_start,
)
from app.domain.money import ZERO
from app.repositories.books import CustomerMovement
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class StatementRow:
    posted_at: datetime
    document_type: str
    document_number: str | None
    action: str
    description: str
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True)
class CurrencyStatement:
    currency: str
    opening_balance: Decimal
    rows: list[StatementRow]
    closing_balance: Decimal


@dataclass(frozen=True)
class Statement:
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    start: date
    end: date
    currencies: list[CurrencyStatement]


async def statement(uow: UnitOfWork, customer_id: uuid.UUID, start: date, end: date) -> Statement:
    """What the customer owed before ``start``, each entry from ``start`` to ``end`` (days
    included) that changed it with the running balance, and what it owed at the end — per
    currency. A positive balance is owed by the customer; negative is credit in its favour."""
    check_period(start, end)
    async with uow:
        customer = await uow.customers.get_or_raise(customer_id)
        entries = await uow.books.statement_entries(
            customer.id, STATEMENT_ACCOUNTS, day_start(start), day_end(end), STATEMENT_MAX_ROWS + 1
        )
        check_period(start, end, len(entries.moves))
    opening, moves, numbers = entries.opening, entries.moves, entries.numbers
    by_currency: dict[str, list[CustomerMovement]] = defaultdict(list)
    for m in moves:
        by_currency[m.currency].append(m)
    currencies = sorted(set(opening) | set(by_currency))
    return Statement(
        customer_id=customer.id,
        customer_code=customer.code,
        customer_name=customer.name,
        start=start,
        end=end,
        currencies=[
            _running(c, opening.get(c, ZERO), by_currency.get(c, []), numbers) for c in currencies
        ],
    )


def _running(
    currency: str,
    opening: Decimal,
    moves: list[CustomerMovement],
    numbers: dict[tuple[str, str], str],
) -> CurrencyStatement:
    balance = opening
    rows = []
    for m in moves:
        balance += m.amount
        rows.append(
            StatementRow(
                posted_at=m.posted_at,
                document_type=m.source_type,
                document_number=numbers.get((m.source_type, m.source_id)),
                action=m.action,
                description=m.memo,
                amount=m.amount,
                balance=balance,
            )
        )
    return CurrencyStatement(currency, opening, rows, balance)


@dataclass(frozen=True)
class AgingLine:
    """One currency's open receivables by bucket, what was invoiced in the DSO window and
    the DSO."""

    currency: str
    aged: Aged
    invoiced: Decimal
    dso: Decimal | None


@dataclass(frozen=True)
class CustomerAging:
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    lines: list[AgingLine]


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    days: int
    customers: list[CustomerAging]
    totals: list[AgingLine]


async def aging(
    uow: UnitOfWork, as_of: date, days: int, customer_id: uuid.UUID | None = None
) -> AgingReport:
    """Open balances of issued invoices on ``as_of`` per customer and currency in buckets of
    days past due, and in total; DSO over the last ``days`` days. Only applications made by
    the end of ``as_of`` and not reversed by then count."""
    first, last = revenue_window(as_of, days)
    async with uow:
        if customer_id is not None:
            await uow.customers.get_or_raise(customer_id)
        bounds = [(b.value, lo, hi) for b, lo, hi in due_date_bounds(as_of)]
        rows = await uow.books.open_by_bucket(as_of, day_end(as_of), bounds, customer_id)
        invoiced = await uow.books.invoiced_between(first, last, customer_id)
        open_customers = sorted({c for c, *_ in rows}, key=str)
        names = await uow.books.customers(open_customers)
    aged: dict[uuid.UUID, dict[str, Aged]] = defaultdict(lambda: defaultdict(Aged))
    totals: dict[str, Aged] = defaultdict(Aged)
    for customer, currency, bucket, amount in rows:
        aged[customer][currency].add(Bucket(bucket), amount)
        totals[currency].add(Bucket(bucket), amount)
    sales: dict[tuple[uuid.UUID, str], Decimal] = {(c, cur): x for c, cur, x in invoiced}
    sales_total: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_, cur), x in sales.items():
        sales_total[cur] += x
        totals[cur]  # a currency invoiced in the window is in the totals, open or not
    customers = [
        CustomerAging(
            customer_id=c,
            customer_code=names[c][0],
            customer_name=names[c][1],
            lines=[
                _line(cur, a, sales.get((c, cur), ZERO), days) for cur, a in sorted(aged[c].items())
            ],
        )
        for c in open_customers
    ]
    return AgingReport(
        as_of=as_of,
        days=days,
        customers=customers,
        totals=[_line(cur, a, sales_total[cur], days) for cur, a in sorted(totals.items())],
    )


def _line(currency: str, aged: Aged, invoiced: Decimal, days: int) -> AgingLine:
    return AgingLine(currency, aged, invoiced, dso(aged.total, invoiced, days))
