"""The core of settlement, shared by every way money arrives (the payments API, a bank
statement, a storefront's prepayment): receive a payment, apply part of it to an invoice.
Each records its event with the journal entry it posts; applying also tells the invoice's
orders their settlement moved (``InvoiceSettlementChanged``)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.billing import ledger
from app.domain.billing.events import InvoiceSettlementChanged, PaymentApplied, PaymentReceived
from app.domain.billing.invoices import InvoiceStatus, balance
from app.domain.billing.settlement import (
    METHOD_ACCOUNTS,
    PaymentMethod,
    PaymentState,
    check_amount,
    check_application,
    check_can_use,
    converted,
    format_payment_number,
    unapplied,
)
from app.domain.errors import InvalidState, RuleViolation
from app.domain.money import ZERO, round_money
from app.repositories.base import snapshot
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.payments import Payment, PaymentApplication
from app.services.unit_of_work import UnitOfWork


async def receive_payment(
    uow: UnitOfWork,
    customer: Customer,
    *,
    amount: Decimal,
    currency: str,
    method: PaymentMethod,
    reference: str | None,
    received_on: date,
    actor: str,
    order_id: uuid.UUID | None = None,
    write_now: bool = True,
) -> Payment:
    """Record money received; all of it is the customer's unapplied credit until applied.

    The payment is written at once (flushed), so that rows changed later in the transaction
    may refer to it; ``write_now=False`` leaves it to the commit, for a new order's payment
    that nothing else refers to (the order path then writes each row once, as it ends)."""
    check_amount(amount)
    if round_money(amount, currency) != amount:
        raise RuleViolation.on(
            "amount", "minor_units", f"{amount} has more decimals than {currency} allows."
        )
    now = datetime.now(UTC)
    payment = Payment(
        id=uuid.uuid4(),
        number=format_payment_number(received_on.year, await uow.payments.next_number("payment")),
        customer_id=customer.id,
        amount=amount,
        currency=currency,
        method=method.value,
        reference=reference,
        received_on=received_on,
        order_id=order_id,
        status=PaymentState.RECEIVED.value,
        amount_applied=ZERO,
        amount_refunded=ZERO,
        created_by=actor,
        created_at=now,
        updated_at=now,
        version=1,
    )
    uow.payments.add(payment)
    if write_now:
        await uow.flush()
    uow.record(
        PaymentReceived(
            actor=actor,
            entity_id=payment.id,
            after=snapshot(payment),
            customer_id=str(customer.id),
            posting=ledger.received(
                amount, currency, METHOD_ACCOUNTS[method], f"Payment {payment.number}"
            ),
        )
    )
    return payment


async def apply_payment(
    uow: UnitOfWork,
    payment: Payment,
    invoice: Invoice,
    amount: Decimal,
    *,
    actor: str,
    rate: Decimal | None = None,
    field: str = "amount",
) -> PaymentApplication:
    """Apply ``amount`` of ``payment`` (its currency) to ``invoice``. The caller holds both
    rows' locks (``FOR UPDATE``: payment, then invoice), so two applications at once never
    apply more than either has; the CHECK constraints are the second line."""
    check_can_use(payment.status)
    if invoice.status != InvoiceStatus.ISSUED:
        raise InvalidState(
            f"Invoice {invoice.number} is {invoice.status}; payments apply to issued invoices.",
            code="invoice_not_issued",
        )
    if invoice.customer_id != payment.customer_id:
        raise RuleViolation.on(
            "invoice_id", "same_customer", "The invoice belongs to another customer."
        )
    applied = converted(amount, payment.currency, invoice.currency, rate)
    available = unapplied(payment.amount, payment.amount_applied, payment.amount_refunded)
    owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
    check_application(amount, available, applied, owed, field=field)
    before = snapshot(payment)
    application = PaymentApplication(
        id=uuid.uuid4(),
        payment_id=payment.id,
        invoice_id=invoice.id,
        amount=amount,
        applied=applied,
        rate=rate,
        applied_at=datetime.now(UTC),
        applied_by=actor,
    )
    uow.payments.add(application)
    payment.amount_applied += amount
    invoice.amount_paid += applied
    await uow.flush()
    memo = f"Payment {payment.number} to {invoice.number}"
    posting = (
        ledger.applied(amount, payment.currency, memo)
        if payment.currency == invoice.currency
        else ledger.applied_across(amount, payment.currency, applied, invoice.currency, memo)
    )
    uow.record(
        PaymentApplied(
            actor=actor,
            entity_id=payment.id,
            before=before,
            after=snapshot(payment),
            payload={
                "payment_id": str(payment.id),
                "payment_number": payment.number,
                "invoice_id": str(invoice.id),
                "invoice_number": invoice.number,
                "amount": str(amount),
                "currency": payment.currency,
                "applied": str(applied),
                "invoice_currency": invoice.currency,
            },
            customer_id=str(payment.customer_id),
            posting=posting,
        )
    )
    uow.record(InvoiceSettlementChanged(actor=actor, entity_id=invoice.id))
    return application
