"""Payments through the API: receive one (exactly once per Idempotency-Key) and apply it to
invoices — an explicit list, or oldest due first — through ``settling``, the one way money is
received and applied. What is left is the customer's unapplied credit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from app.domain.billing.invoices import balance
from app.domain.billing.refunds import ApplyStrategy, check_minor_units
from app.domain.billing.settlement import (
    OpenInvoice,
    check_can_use,
    converted,
    oldest_due_first,
    unapplied,
)
from app.domain.errors import Conflict, RuleViolation
from app.repositories.invoices import Invoice
from app.repositories.payments import Payment
from app.repositories.uow import is_unique_violation
from app.services.billing.payment_queries import PaymentResult, PaymentView, load_view
from app.services.billing.payments_commands import ApplicationRequest, ApplyPayment, ReceivePayment
from app.services.billing.settling import apply_payment, receive_payment
from app.services.bus import Context
from app.services.common import retrying
from app.services.idempotency import fingerprint, remember, replayed
from app.services.unit_of_work import UnitOfWork

PAYMENTS_WRITE = "payments:write"


@retrying
async def receive(cmd: ReceivePayment, uow: UnitOfWork, ctx: Context) -> PaymentResult:
    """Receive a payment and apply it as asked, exactly once per Idempotency-Key: the same key
    and body answer the first payment again; the same key with another body is a 409."""
    cmd.principal.require(PAYMENTS_WRITE)
    digest = fingerprint("payment", cmd)
    try:
        return await _receive(uow, cmd, digest)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    # A request with the same key committed first: answer with its payment.
    async with uow:
        existing = await _existing(uow, cmd, digest)
        if existing is None:  # pragma: no cover - the violation names a key that exists
            raise Conflict("A concurrent request conflicted; retry.")
        return PaymentResult(await load_view(uow, existing), created=False)


async def _existing(uow: UnitOfWork, cmd: ReceivePayment, digest: str) -> Payment | None:
    found = await replayed(uow, cmd.principal, cmd.idempotency_key, digest)
    return None if found is None else await uow.payments.get_or_raise(found)


async def _receive(uow: UnitOfWork, cmd: ReceivePayment, digest: str) -> PaymentResult:
    async with uow:
        existing = await _existing(uow, cmd, digest)
        if existing is not None:
            return PaymentResult(await load_view(uow, existing), created=False)
        customer = await uow.customers.get(cmd.customer_id)
        if customer is None:
            raise RuleViolation.on("customer_id", "exists", f"No customer {cmd.customer_id}.")
        payment = await receive_payment(
            uow,
            customer,
            amount=cmd.amount,
            currency=cmd.currency,
            method=cmd.method,
            reference=cmd.reference,
            received_on=cmd.received_on,
            actor=cmd.principal.actor,
        )
        await remember(uow, cmd.principal, cmd.idempotency_key, digest, payment.id)
        await spread(uow, payment, cmd.applications, cmd.apply, cmd.principal.actor)
        await uow.commit()
        return PaymentResult(await load_view(uow, payment))


@retrying
async def apply_more(cmd: ApplyPayment, uow: UnitOfWork, ctx: Context) -> PaymentView:
    """Apply more of an existing payment: the explicit list, or oldest due first."""
    cmd.principal.require(PAYMENTS_WRITE)
    async with uow:
        payment = await uow.payments.get_for_update_or_raise(cmd.payment_id)
        await spread(uow, payment, cmd.applications, cmd.apply, cmd.principal.actor)
        await uow.commit()
        return await load_view(uow, payment)


async def spread(
    uow: UnitOfWork,
    payment: Payment,
    requests: Sequence[ApplicationRequest],
    strategy: ApplyStrategy,
    actor: str,
) -> None:
    """Apply ``payment`` (its row locked) as asked. Invoices are locked after the payment, in
    id order, so two payments on one invoice wait for each other and never apply more than it
    owes: an explicit amount above what is left is refused, oldest due first takes what is left."""
    check_can_use(payment.status)
    if requests:
        await _apply_listed(uow, payment, requests, actor)
    elif strategy is ApplyStrategy.OLDEST_DUE_FIRST:
        await apply_oldest_due_first(uow, payment, actor)


async def _apply_listed(
    uow: UnitOfWork, payment: Payment, requests: Sequence[ApplicationRequest], actor: str
) -> None:
    for i, req in enumerate(requests):
        check_minor_units(req.amount, payment.currency, f"applications[{i}].amount")
    invoices: dict[uuid.UUID, Invoice] = {}
    for invoice_id in sorted({r.invoice_id for r in requests}, key=str):
        invoice = await uow.invoices.get_for_update(invoice_id)
        if invoice is not None:
            invoices[invoice_id] = invoice
    for i, req in enumerate(requests):
        invoice = invoices.get(req.invoice_id)
        if invoice is None:
            raise RuleViolation.on(
                f"applications[{i}].invoice_id", "exists", f"No invoice {req.invoice_id}."
            )
        converted(
            req.amount, payment.currency, invoice.currency, req.rate, f"applications[{i}].rate"
        )
        await apply_payment(
            uow,
            payment,
            invoice,
            req.amount,
            actor=actor,
            rate=req.rate,
            field=f"applications[{i}].amount",
        )


async def apply_oldest_due_first(uow: UnitOfWork, payment: Payment, actor: str) -> None:
    """Spread what the payment has left over the customer's open invoices in its currency."""
    available = unapplied(payment.amount, payment.amount_applied, payment.amount_refunded)
    if available <= 0 or payment.status != "received":
        return
    invoices = {
        i.id: i for i in await uow.invoices.open_for_update(payment.customer_id, payment.currency)
    }
    plan = oldest_due_first(
        (
            OpenInvoice(
                i.id, i.due_date, i.number, balance(i.total, i.amount_paid, i.amount_credited)
            )
            for i in invoices.values()
        ),
        available,
    )
    for invoice_id, amount in plan:
        await apply_payment(uow, payment, invoices[invoice_id], amount, actor=actor)
