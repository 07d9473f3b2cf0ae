"""Refunding a received return (a finance decision: ``invoices:write`` and
``payments:write``): a credit note for what arrived, applied first to what its invoice still
owes; what the customer paid for the goods goes back — to the order's own payment method
(a prepaid storefront order's gateway) unless another is named — or stays their credit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.domain.after_sales import resolution as rules
from app.domain.after_sales.returns import ReturnResolution
from app.domain.billing.refunds import check_refund
from app.domain.billing.settlement import PaymentMethod
from app.domain.errors import RuleViolation
from app.domain.events import ReturnRefunded, ReturnResolved
from app.repositories.orders import Order
from app.repositories.payments import CreditNote, Refund
from app.repositories.returns import Return, ReturnLine, return_image
from app.services.billing.refunds import pay_refund
from app.services.billing.return_commands import RefundReturn
from app.services.billing.return_credits import credit_arrived, lock_for_credit
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork

INVOICES_WRITE = "invoices:write"
PAYMENTS_WRITE = "payments:write"


@retrying
async def refund_return(
    cmd: RefundReturn, uow: UnitOfWork, ctx: Context
) -> tuple[Return, list[ReturnLine]]:
    """Resolve a received return by a refund (409 ``return_not_received`` otherwise); a
    refund above what was paid for the goods is refused (422 ``within_unapplied``)."""
    cmd.principal.require(INVOICES_WRITE)
    cmd.principal.require(PAYMENTS_WRITE)
    actor = cmd.principal.actor
    async with uow:
        taken = await lock_for_credit(uow, cmd.return_id)
        ret = taken.ret
        rules.check_resolvable(ret.status, ret.resolution, ReturnResolution.REFUND)
        before = return_image(ret, taken.lines)
        note, paid = await credit_arrived(uow, ctx, taken, actor=actor)
        refund = None
        if not cmd.keep_as_credit and (cmd.amount is not None or paid > 0):
            refund = await _pay_back(uow, cmd, taken.order, note, paid)
        ret.refund_id = refund.id if refund else None
        ret.refunded_amount = refund.amount if refund else Decimal(0)
        uow.record(
            ReturnRefunded(
                actor=actor,
                entity_id=ret.id,
                before=before,
                after=lambda: return_image(ret, taken.lines),
                payload=lambda: {
                    **return_image(ret, taken.lines),
                    "credit_note_number": note.number,
                    "credit_note_total": str(note.total),
                    "refund_number": refund.number if refund else None,
                },
            )
        )
        rules.resolve(ret, ReturnResolution.REFUND, actor, datetime.now(UTC))
        uow.record(
            ReturnResolved(
                actor=actor,
                entity_id=ret.id,
                before=before,
                after=lambda: return_image(ret, taken.lines),
            )
        )
        await uow.commit()
        return ret, taken.lines


async def _pay_back(
    uow: UnitOfWork, cmd: RefundReturn, order: Order, note: CreditNote, paid: Decimal
) -> Refund:
    amount = cmd.amount if cmd.amount is not None else paid
    check_refund(amount, paid, note.currency)  # never above what was paid for the goods
    method, reference = await _how(uow, cmd, order)
    return await pay_refund(
        uow,
        note,
        amount=amount,
        method=method,
        reference=reference,
        refunded_on=datetime.now(UTC).date(),
        actor=cmd.principal.actor,
    )


async def _how(
    uow: UnitOfWork, cmd: RefundReturn, order: Order
) -> tuple[PaymentMethod, str | None]:
    """The method named, else the one the order was paid with (its payment record)."""
    if cmd.method is not None:
        return cmd.method, cmd.reference
    for payment in await uow.payments.for_order(order.id):  # received, not reversed
        return PaymentMethod(payment.method), cmd.reference or payment.reference
    raise RuleViolation.on(
        "method",
        "required",
        "The order has no payment of its own to refund to; name the refund's method.",
    )
