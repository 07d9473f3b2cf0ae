"""Undoing settlement: unapply one application of a payment (the amount goes back to the
payment and the invoice owes it again), or reverse a payment (a bounced transfer): every
active application unapplied, then the money posted out again."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.billing import ledger
from app.domain.billing.events import InvoiceSettlementChanged, PaymentReversed, PaymentUnapplied
from app.domain.billing.refunds import check_can_reverse, check_can_unapply
from app.domain.billing.settlement import METHOD_ACCOUNTS, PaymentMethod, PaymentState
from app.domain.errors import NotFound
from app.repositories.base import snapshot
from app.repositories.invoices import Invoice
from app.repositories.payments import Payment, PaymentApplication
from app.services.billing.payment_queries import PaymentView, load_view
from app.services.billing.payments_commands import ReversePayment, UnapplyPayment
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork

PAYMENTS_WRITE = "payments:write"


@retrying
async def unapply(cmd: UnapplyPayment, uow: UnitOfWork, ctx: Context) -> PaymentView:
    """Take one application off its invoice: the payment has it back as unapplied credit."""
    cmd.principal.require(PAYMENTS_WRITE)
    async with uow:
        payment = await uow.payments.get_for_update_or_raise(cmd.payment_id)
        application = await uow.payments.application(cmd.application_id, lock=True)
        if application is None or application.payment_id != payment.id:
            raise NotFound(f"No application {cmd.application_id} of this payment.")
        check_can_unapply(application.reversed_at is not None)
        invoice = await uow.invoices.get_for_update_or_raise(application.invoice_id)
        await unapply_one(uow, payment, application, invoice, cmd.principal.actor)
        await uow.commit()
        return await load_view(uow, payment)


@retrying
async def reverse(cmd: ReversePayment, uow: UnitOfWork, ctx: Context) -> PaymentView:
    """A bounced payment: re-open what it paid, mark it reversed, post the money out."""
    cmd.principal.require(PAYMENTS_WRITE)
    actor = cmd.principal.actor
    async with uow:
        payment = await uow.payments.get_for_update_or_raise(cmd.payment_id)
        check_can_reverse(payment.status, payment.amount_refunded)
        active = [
            a
            for a in await uow.payments.applications_of_payment(payment.id)
            if a.reversed_at is None
        ]
        invoices = {}
        for invoice_id in sorted({a.invoice_id for a in active}, key=str):
            invoices[invoice_id] = await uow.invoices.get_for_update_or_raise(invoice_id)
        for application in active:
            await unapply_one(uow, payment, application, invoices[application.invoice_id], actor)
        before = snapshot(payment)
        payment.status = PaymentState.REVERSED.value
        payment.reversed_at = datetime.now(UTC)
        payment.reversal_reason = cmd.reason
        await uow.flush()
        account = METHOD_ACCOUNTS[PaymentMethod(payment.method)]
        uow.record(
            PaymentReversed(
                actor=actor,
                entity_id=payment.id,
                before=before,
                after=snapshot(payment),
                customer_id=str(payment.customer_id),
                posting=ledger.received(
                    -payment.amount,
                    payment.currency,
                    account,
                    f"Payment {payment.number} reversed",
                ),
            )
        )
        await uow.commit()
        return await load_view(uow, payment)


async def unapply_one(
    uow: UnitOfWork,
    payment: Payment,
    application: PaymentApplication,
    invoice: Invoice,
    actor: str,
) -> None:
    """Reverse one active application (payment and invoice rows locked by the caller)."""
    before = snapshot(payment)
    application.reversed_at = datetime.now(UTC)
    application.reversed_by = actor
    payment.amount_applied -= application.amount
    invoice.amount_paid -= application.applied
    await uow.flush()
    memo = f"Payment {payment.number} off {invoice.number}"
    posting = (
        ledger.applied(-application.amount, payment.currency, memo)
        if payment.currency == invoice.currency
        else ledger.applied_across(
            -application.amount, payment.currency, -application.applied, invoice.currency, memo
        )
    )
    uow.record(
        PaymentUnapplied(
            actor=actor,
            entity_id=payment.id,
            before=before,
            after=snapshot(payment),
            payload={
                "payment_id": str(payment.id),
                "application_id": str(application.id),
                "invoice_id": str(invoice.id),
                "invoice_number": invoice.number,
                "amount": str(application.amount),
                "applied": str(application.applied),
            },
            customer_id=str(payment.customer_id),
            posting=posting,
        )
    )
    uow.record(InvoiceSettlementChanged(actor=actor, entity_id=invoice.id))
