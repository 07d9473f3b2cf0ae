"""``lading check`` on the books: clean books pass; a row changed behind the services' back —
a journal line, an invoice's or a payment's applied amount, an application too many, a
credit note used beyond its total — is reported, naming the record, on both engines."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app import bootstrap, cli
from app.db import create_engine, create_sessionmaker
from app.repositories.invoices import Invoice
from app.repositories.ledger import JournalEntry, JournalLine
from app.repositories.payments import CreditApplication, CreditNote, Payment, PaymentApplication
from app.services.check import check_books
from app.settings import Settings
from tests.builders import a_customer, a_product, a_warehouse
from tests.integration.billing.books_support import a_payment, an_invoice, apply
from tests.integration.test_check import committed_database

__all__ = ["committed_database"]

D = Decimal
CHECK = "/api/v1/admin/check"


@pytest.fixture
def uow(sessionmaker, settings):
    return bootstrap.unit_of_work(sessionmaker, bootstrap.build_bus(settings))


@pytest.fixture
async def settled(uow):
    """An invoice of 113.00 with 50.00 of a 80.00 payment applied."""
    customer = await a_customer(uow)
    product = await a_product(uow, list_price=D("100.00"), tax_rate=D("0.13"))
    invoice = await an_invoice(uow, customer, await a_warehouse(uow), [(product, 1)])
    payment = await a_payment(uow, customer, D("80.00"))
    await apply(uow, payment.id, invoice.id, D("50.00"))
    return {"customer": customer, "invoice": invoice, "payment": payment}


async def _corrupt(sessionmaker, *statements) -> None:
    async with sessionmaker() as session:
        for stmt in statements:
            await session.execute(stmt)
        await session.commit()


def _found(violations) -> set[tuple[str, str | None, str | None]]:
    return {(v.rule, v.record_type, v.record_id) for v in violations}


async def test_clean_books_pass(client, auth, uow, settled) -> None:
    assert await check_books(uow) == []
    report = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert report == {"ok": True, "count": 0, "violations": []}


async def test_a_journal_line_changed_unbalances_its_entry_the_journal_and_the_receivable(
    client, auth, uow, sessionmaker, settled
) -> None:
    invoice, customer = settled["invoice"], settled["customer"]
    async with sessionmaker() as session:
        entry_id = await session.scalar(
            select(JournalEntry.id).where(
                JournalEntry.source_type == "invoice", JournalEntry.source_id == str(invoice.id)
            )
        )
    await _corrupt(
        sessionmaker,
        update(JournalLine)
        .where(JournalLine.entry_id == entry_id, JournalLine.account == "1122")
        .values(debit=D("114.00")),
    )
    assert _found(await check_books(uow)) == {
        ("entry_unbalanced", "journal_entry", str(entry_id)),
        ("journal_unbalanced", "journal", "CNY"),
        ("receivable_mismatch", "customer", str(customer.id)),
    }
    report = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert report["ok"] is False and report["count"] == 3
    unbalanced = next(v for v in report["violations"] if v["rule"] == "entry_unbalanced")
    assert unbalanced == {
        "warehouse_id": None,
        "product_id": None,
        "order_line_id": None,
        "record_type": "journal_entry",
        "record_id": str(entry_id),
        "rule": "entry_unbalanced",
        "detail": "CNY debits 114 differ from credits 113",
    }


async def test_an_invoice_total_raised_behind_the_journal(uow, sessionmaker, settled) -> None:
    invoice, customer = settled["invoice"], settled["customer"]
    await _corrupt(
        sessionmaker, update(Invoice).where(Invoice.id == invoice.id).values(total=D("120.00"))
    )
    [violation] = await check_books(uow)
    assert (violation.rule, violation.record_id) == ("receivable_mismatch", str(customer.id))
    assert violation.detail == (
        "the CNY receivable in the journal 63 differs from invoices less applied payments and "
        "credit 70"
    )


async def test_stored_applied_amounts_that_leave_their_applications(
    uow, sessionmaker, settled
) -> None:
    invoice, payment = settled["invoice"], settled["payment"]
    await _corrupt(
        sessionmaker,
        update(Invoice).where(Invoice.id == invoice.id).values(amount_paid=D("40.00")),
        update(Payment).where(Payment.id == payment.id).values(amount_applied=D("60.00")),
    )
    violations = await check_books(uow)
    assert _found(violations) == {
        ("invoice_paid_mismatch", "invoice", str(invoice.id)),
        ("payment_applied_mismatch", "payment", str(payment.id)),
    }
    details = sorted(v.detail for v in violations)
    assert details == [
        f"invoice {invoice.number}: amount_paid 40 differs from its active payment "
        "applications' 50",
        f"payment {payment.number}: amount_applied 60 differs from its active applications' 50",
    ]


async def test_an_application_too_many_over_applies_invoice_and_payment(
    uow, sessionmaker, settled
) -> None:
    invoice, payment = settled["invoice"], settled["payment"]
    extra = PaymentApplication(
        id=uuid.uuid4(),
        payment_id=payment.id,
        invoice_id=invoice.id,
        amount=D("70.00"),
        applied=D("70.00"),
        applied_at=datetime.now(UTC),
        applied_by="intruder",
    )
    async with sessionmaker() as session:
        session.add(extra)
        await session.commit()
    # Applications now 50 + 70 = 120: more than the invoice's 113 and the payment's 80.
    assert _found(await check_books(uow)) == {
        ("invoice_paid_mismatch", "invoice", str(invoice.id)),
        ("invoice_over_applied", "invoice", str(invoice.id)),
        ("payment_applied_mismatch", "payment", str(payment.id)),
        ("payment_over_used", "payment", str(payment.id)),
        ("receivable_mismatch", "customer", str(settled["customer"].id)),
    }
    # Reversed, it counts no more.
    await _corrupt(
        sessionmaker,
        update(PaymentApplication)
        .where(PaymentApplication.id == extra.id)
        .values(reversed_at=datetime.now(UTC), reversed_by="intruder"),
    )
    assert await check_books(uow) == []


async def test_a_credit_note_used_beyond_its_total(uow, sessionmaker, settled) -> None:
    invoice, customer = settled["invoice"], settled["customer"]
    note = CreditNote(
        id=uuid.uuid4(),
        number=f"CN-T-{uuid.uuid4().hex[:6]}",
        invoice_id=invoice.id,
        customer_id=customer.id,
        currency="CNY",
        reason="price_adjustment",
        issue_date=date.today(),
        net_total=D("10.00"),
        tax_total=D("0.00"),
        total=D("10.00"),
        amount_applied=D("10.00"),
        amount_refunded=D("0.00"),
        created_by="intruder",
        version=1,
    )
    async with sessionmaker() as session:
        session.add(note)
        await session.flush()
        session.add(
            CreditApplication(
                id=uuid.uuid4(),
                credit_note_id=note.id,
                invoice_id=invoice.id,
                amount=D("12.00"),
                applied_at=datetime.now(UTC),
                applied_by="intruder",
            )
        )
        await session.commit()
    # Applied 12 of a note of 10 (stored: 10); the invoice stores nothing credited; the
    # documents now say 113 − 50 − 12 = 51 owed against the journal's 63.
    assert _found(await check_books(uow)) == {
        ("credit_note_applied_mismatch", "credit_note", str(note.id)),
        ("credit_note_over_used", "credit_note", str(note.id)),
        ("invoice_credited_mismatch", "invoice", str(invoice.id)),
        ("receivable_mismatch", "customer", str(customer.id)),
    }


async def _invoice_then_raise_its_total(url: str) -> str:
    engine = create_engine(url)
    try:
        sessions = create_sessionmaker(engine)
        uow = bootstrap.unit_of_work(sessions, bootstrap.build_bus(Settings(_env_file=None)))
        customer = await a_customer(uow)
        product = await a_product(uow, list_price=D("100.00"), tax_rate=D("0.13"))
        invoice = await an_invoice(uow, customer, await a_warehouse(uow), [(product, 1)])
        await _corrupt(
            sessions, update(Invoice).where(Invoice.id == invoice.id).values(total=D("120.00"))
        )
        return str(customer.id)
    finally:
        await engine.dispose()


def test_lading_check_names_the_customer_whose_receivable_drifted(
    committed_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    customer_id = asyncio.run(_invoice_then_raise_its_total(committed_database))
    assert cli.main(["check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"VIOLATION receivable_mismatch: customer={customer_id}: the CNY receivable in the "
        "journal 113 differs from invoices less applied payments and credit 120"
    ]
