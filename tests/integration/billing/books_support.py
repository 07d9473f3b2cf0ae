"""Money moved through the service functions themselves (no HTTP): an invoice for a shipped
order, a payment received, a payment applied. Shared by the receivables reports' tests and
the property tests of the books."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import update

from app.domain.billing import ledger
from app.domain.billing.settlement import PaymentMethod
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.ledger import JournalEntry, JournalLine
from app.repositories.payments import Payment, PaymentApplication
from app.repositories.products import Product
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.repositories.warehouses import Warehouse
from app.services.billing.invoicing import invoice_shipments
from app.services.billing.settling import apply_payment, receive_payment
from tests.builders import a_shipped_order

ACTOR = "test"


async def an_invoice(
    uow: SqlAlchemyUnitOfWork,
    customer: Customer,
    warehouse: Warehouse,
    lines: list[tuple[Product, int]],
) -> Invoice:
    """An issued invoice for a shipped order of these lines (the receivable posted)."""
    shipped = await a_shipped_order(uow, customer, warehouse, lines)
    assert uow.bus is not None
    async with uow:
        shipment = await uow.shipments.get_for_update_or_raise(shipped.shipment.id)
        buyer = await uow.customers.get_or_raise(customer.id)
        invoice = await invoice_shipments(
            uow, uow.bus.context, buyer, [shipment], actor=ACTOR, source="manual"
        )
        await uow.commit()
    assert invoice is not None
    return invoice


async def a_payment(
    uow: SqlAlchemyUnitOfWork,
    customer: Customer,
    amount: Decimal,
    currency: str = "CNY",
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER,
) -> Payment:
    async with uow:
        payer = await uow.customers.get_or_raise(customer.id)
        payment = await receive_payment(
            uow,
            payer,
            amount=amount,
            currency=currency,
            method=method,
            reference=None,
            received_on=datetime.now(UTC).date(),
            actor=ACTOR,
        )
        await uow.commit()
    return payment


async def apply(
    uow: SqlAlchemyUnitOfWork,
    payment_id: uuid.UUID,
    invoice_id: uuid.UUID,
    amount: Decimal,
    rate: Decimal | None = None,
) -> PaymentApplication:
    """Apply through ``apply_payment`` with the locks its callers take (payment, invoice)."""
    async with uow:
        payment = await uow.payments.get_for_update_or_raise(payment_id)
        invoice = await uow.invoices.get_for_update_or_raise(invoice_id)
        application = await apply_payment(uow, payment, invoice, amount, actor=ACTOR, rate=rate)
        await uow.commit()
    return application


async def date_invoice(
    uow: SqlAlchemyUnitOfWork, invoice_id: uuid.UUID, issued: date, due: date
) -> None:
    """Move an invoice's issue and due dates, and the posting of its receivable to the issue
    date, as if it had been issued then."""
    async with uow:
        await uow.session.execute(
            update(Invoice).where(Invoice.id == invoice_id).values(issue_date=issued, due_date=due)
        )
        await uow.session.execute(
            update(JournalEntry)
            .where(JournalEntry.source_type == "invoice", JournalEntry.source_id == str(invoice_id))
            .values(posted_at=datetime.combine(issued, time(9), tzinfo=UTC))
        )
        await uow.session.commit()


def receivable_posted(invoice: Invoice) -> list[object]:
    """The journal rows issuing ``invoice`` posts, for a test that writes an issued invoice
    directly (so the books' identities that ``lading check`` proves still hold)."""
    posting = ledger.invoice_issued(
        invoice.net_total, invoice.tax_total, invoice.currency, invoice.number
    )
    entry = JournalEntry(
        id=uuid.uuid4(),
        posted_at=datetime.now(UTC),
        memo=posting.memo,
        source_type="invoice",
        source_id=str(invoice.id),
        action="issued",
        actor=ACTOR,
    )
    lines = [
        JournalLine(
            entry_id=entry.id,
            account=leg.account.value,
            customer_id=invoice.customer_id if leg.account in ledger.PER_CUSTOMER else None,
            currency=leg.currency,
            debit=leg.debit,
            credit=leg.credit,
        )
        for leg in posting.legs
    ]
    return [entry, *lines]
