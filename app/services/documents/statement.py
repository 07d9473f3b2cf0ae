"""The customer statement (对账单) as a printed document: per currency the opening balance,
each invoice (+), payment (−), credit note (−), refund (+) and reversed payment (+) of the
period with the running balance, the closing balance (in capital numerals for renminbi in
Chinese), and the aging of what is open at the end of the period.

The figures are those of ``GET /customers/{id}/statement`` and the aging report, read through
the same repositories: the customer's receivable and credit lines in the journal, and the
issued invoices open at the end of the period by days past due."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.billing.aging import Aged, Bucket, due_date_bounds
from app.domain.billing.statement import (
    STATEMENT_ACCOUNTS,
    STATEMENT_MAX_ROWS,
    check_period,
    day_end,
    day_start,
)
from app.domain.documents.capital_numerals import amount_in_words
from app.domain.documents.formats import day, local_time, money
from app.domain.documents.labels import label
from app.domain.documents.model import Align, Column, Document, Field, Paragraph, Table, Totals
from app.domain.money import ZERO
from app.repositories.books import CustomerMovement
from app.services.documents.options import Frame, PrintOptions, frame_of
from app.services.unit_of_work import UnitOfWork

STATEMENT_ZONE = "UTC"
_DOCUMENT_TYPES = {
    "invoice": "doc_invoice",
    "payment": "doc_payment",
    "credit_note": "doc_credit_note",
    "refund": "doc_refund",
}
_BUCKETS = (
    (Bucket.CURRENT, "aging_current"),
    (Bucket.DAYS_1_30, "aging_1_30"),
    (Bucket.DAYS_31_60, "aging_31_60"),
    (Bucket.DAYS_61_90, "aging_61_90"),
    (Bucket.OVER_90, "aging_over_90"),
)


@dataclass(frozen=True)
class StatementFacts:
    """What the statement prints, as read (per currency)."""

    customer_name: str
    customer_code: str
    start: date
    end: date
    opening: dict[str, Decimal]
    moves: list[CustomerMovement]
    numbers: dict[tuple[str, str], str]
    aged: dict[str, Aged]


async def statement_document(
    uow: UnitOfWork, customer_id: uuid.UUID, start: date, end: date, options: PrintOptions
) -> Document:
    """The statement of ``customer_id`` from ``start`` to ``end`` (days included)."""
    check_period(start, end)
    async with uow:
        customer = await uow.customers.get_or_raise(customer_id)
        frame = await frame_of(uow, options, customer.language)
        entries = await uow.books.statement_entries(
            customer.id, STATEMENT_ACCOUNTS, day_start(start), day_end(end), STATEMENT_MAX_ROWS + 1
        )
        check_period(start, end, len(entries.moves))
        bounds = [(b.value, lo, hi) for b, lo, hi in due_date_bounds(end)]
        open_rows = await uow.books.open_by_bucket(end, day_end(end), bounds, customer.id)
    aged: dict[str, Aged] = defaultdict(Aged)
    for _, currency, bucket, amount in open_rows:
        aged[currency].add(Bucket(bucket), amount)
    facts = StatementFacts(
        customer_name=customer.name,
        customer_code=customer.code,
        start=start,
        end=end,
        opening=entries.opening,
        moves=entries.moves,
        numbers=entries.numbers,
        aged=dict(aged),
    )
    return assemble_statement(facts, frame)


def assemble_statement(facts: StatementFacts, frame: Frame) -> Document:
    lang = frame.language

    def t(key: str) -> str:
        return label(key, lang)

    by_currency: dict[str, list[CustomerMovement]] = defaultdict(list)
    for m in facts.moves:
        by_currency[m.currency].append(m)
    currencies = sorted(set(facts.opening) | set(by_currency) | set(facts.aged))
    blocks: list[Any] = []
    if not currencies:
        blocks.append(Paragraph(t("no_entries")))
    for currency in currencies:
        blocks += _currency_blocks(
            currency,
            facts.opening.get(currency, ZERO),
            by_currency.get(currency, []),
            facts,
            lang,
        )
    aging = _aging_table(facts.aged, lang)
    if aging is not None:
        blocks.append(aging)
    header = (
        Field(t("customer"), facts.customer_name),
        Field(t("customer_code"), facts.customer_code),
        Field(t("period"), f"{day(facts.start)} – {day(facts.end)}"),
        Field(t("statement_date"), day(facts.end)),
    )
    return Document(
        title=t("statement"),
        number=f"{facts.customer_code} {day(facts.start)}/{day(facts.end)}",
        company=frame.company,
        language=lang,
        page_size=frame.page_size,
        header=header,
        blocks=tuple(blocks),
        number_barcode=False,
    )


def _currency_blocks(
    currency: str,
    opening: Decimal,
    moves: list[CustomerMovement],
    facts: StatementFacts,
    lang: str,
) -> list[Any]:
    def t(key: str) -> str:
        return label(key, lang)

    right = Align.RIGHT
    columns = (
        Column(t("date"), 0.15),
        Column(t("document"), 0.10),
        Column(t("document_number"), 0.17),
        Column(t("description"), 0.22),
        Column(t("debit"), 0.12, right),
        Column(t("credit"), 0.12, right),
        Column(t("balance"), 0.12, right),
    )
    rows: list[tuple[str, ...]] = [("", "", "", t("opening_balance"), "", "", money(opening))]
    balance = opening
    for m in moves:
        balance += m.amount
        rows.append(
            (
                local_time(m.posted_at, STATEMENT_ZONE),
                t(_DOCUMENT_TYPES[m.source_type])
                if m.source_type in _DOCUMENT_TYPES
                else m.source_type,
                facts.numbers.get((m.source_type, m.source_id), ""),
                m.memo,
                money(m.amount) if m.amount > 0 else "",
                money(-m.amount) if m.amount < 0 else "",
                money(balance),
            )
        )
    table = Table(columns=columns, rows=tuple(rows), title=f"{t('currency')} {currency}")
    words = amount_in_words(balance, currency, lang)
    totals = Totals(
        lines=(
            Field(t("opening_balance"), f"{currency} {money(opening)}"),
            Field(t("closing_balance"), f"{currency} {money(balance)}"),
        ),
        in_words=None if words is None else f"{t('in_words')}：{words}",
    )
    return [table, totals]


def _aging_table(aged: dict[str, Aged], lang: str) -> Table | None:
    if not aged:
        return None
    right = Align.RIGHT
    columns = (
        Column(label("currency", lang), 0.10),
        *(Column(label(key, lang), 0.15, right) for _, key in _BUCKETS),
        Column(label("aging_total", lang), 0.15, right),
    )
    rows = tuple(
        (
            currency,
            *(money(a.amounts[b]) for b, _ in _BUCKETS),
            money(a.total),
        )
        for currency, a in sorted(aged.items())
    )
    return Table(columns=columns, rows=rows, title=label("aging", lang))
