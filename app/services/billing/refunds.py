"""Refunds (退款) of unapplied customer credit: from what a payment, or a credit note, has
neither applied nor refunded yet. Money goes out: Dr customer credit, Cr bank/cash/clearing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.billing import ledger
from app.domain.billing.events import RefundPaid
from app.domain.billing.refunds import check_refund, format_refund_number
from app.domain.billing.settlement import (
    METHOD_ACCOUNTS,
    PaymentMethod,
    check_can_use,
    unapplied,
)
from app.domain.errors import Conflict, NotFound, RuleViolation
from app.repositories.base import snapshot
from app.repositories.payments import CreditNote, Payment, Refund
from app.repositories.uow import is_unique_violation
from app.services.billing.payment_queries import RefundResult
from app.services.billing.payments_commands import RefundCredit
from app.services.bus import Context
from app.services.common import retrying
from app.services.idempotency import fingerprint, remember, replayed
from app.services.unit_of_work import UnitOfWork

PAYMENTS_WRITE = "payments:write"


@retrying
async def refund_credit(cmd: RefundCredit, uow: UnitOfWork, ctx: Context) -> RefundResult:
    """Pay back part of a payment's or a credit note's unapplied credit, never more; once
    per Idempotency-Key."""
    cmd.principal.require(PAYMENTS_WRITE)
    if (cmd.payment_id is None) == (cmd.credit_note_id is None):
        raise RuleViolation.on(
            "payment_id", "one_source", "Name exactly one of payment_id and credit_note_id."
        )
    digest = fingerprint("refund", cmd)
    try:
        return await _refund(uow, cmd, digest)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    async with uow:  # a twin under the same key committed first: its refund
        found = await replayed(uow, cmd.principal, cmd.idempotency_key, digest)
        refund = await uow.payments.refund(found) if found else None
        if refund is None:  # pragma: no cover - the violation names a key that exists
            raise Conflict("A concurrent request conflicted; retry.")
        return RefundResult(refund, created=False)


async def _refund(uow: UnitOfWork, cmd: RefundCredit, digest: str) -> RefundResult:
    async with uow:
        found = await replayed(uow, cmd.principal, cmd.idempotency_key, digest)
        if found is not None:
            existing = await uow.payments.refund(found)
            assert existing is not None
            return RefundResult(existing, created=False)
        source = await _source(uow, cmd)
        if isinstance(source, Payment):
            check_can_use(source.status)
            available = unapplied(source.amount, source.amount_applied, source.amount_refunded)
        else:
            available = unapplied(source.total, source.amount_applied, source.amount_refunded)
        check_refund(cmd.amount, available, source.currency)
        refund = await pay_refund(
            uow,
            source,
            amount=cmd.amount,
            method=cmd.method,
            reference=cmd.reference,
            refunded_on=cmd.refunded_on,
            actor=cmd.principal.actor,
        )
        await remember(uow, cmd.principal, cmd.idempotency_key, digest, refund.id)
        await uow.commit()
        return RefundResult(refund)


async def _source(uow: UnitOfWork, cmd: RefundCredit) -> Payment | CreditNote:
    if cmd.payment_id is not None:
        payment = await uow.payments.get_for_update(cmd.payment_id)
        if payment is None:
            raise NotFound(f"No payment with id {cmd.payment_id}.")
        return payment
    assert cmd.credit_note_id is not None
    note = await uow.payments.credit_note(cmd.credit_note_id, lock=True)
    if note is None:
        raise NotFound(f"No credit note with id {cmd.credit_note_id}.")
    return note


async def pay_refund(
    uow: UnitOfWork,
    source: Payment | CreditNote,
    *,
    amount: Decimal,
    method: PaymentMethod,
    reference: str | None,
    refunded_on: date,
    actor: str,
) -> Refund:
    """Pay ``amount`` of ``source``'s unapplied credit back (the caller checked it fits and
    holds the source's lock): the refund, its event and its journal entry."""
    refund = Refund(
        id=uuid.uuid4(),
        number=format_refund_number(refunded_on.year, await uow.payments.next_number("refund")),
        customer_id=source.customer_id,
        payment_id=source.id if isinstance(source, Payment) else None,
        credit_note_id=source.id if isinstance(source, CreditNote) else None,
        amount=amount,
        currency=source.currency,
        method=method.value,
        reference=reference,
        refunded_on=refunded_on,
        created_at=datetime.now(UTC),
        created_by=actor,
    )
    uow.payments.add(refund)
    source.amount_refunded += amount
    await uow.flush()
    uow.record(
        RefundPaid(
            actor=actor,
            entity_id=refund.id,
            after=snapshot(refund),
            customer_id=str(refund.customer_id),
            posting=ledger.received(
                -amount, refund.currency, METHOD_ACCOUNTS[method], f"Refund {refund.number}"
            ),
        )
    )
    return refund
