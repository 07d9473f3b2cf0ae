"""Payment reports on orders: recorded as they stand against the total; an order held for
payment is released once it is paid or authorised in full."""

from __future__ import annotations

from app.domain import payments
from app.domain.auth import ORDERS_PAYMENT, Principal
from app.domain.errors import InvalidState, Violations
from app.domain.events import OrderPaymentUpdated, StorefrontPaymentReported
from app.domain.orders import OrderStatus, PaymentStatus
from app.domain.payments import PaymentReport
from app.domain.review import HoldCode
from app.repositories.base import jsonable
from app.repositories.orders import Order
from app.services.bus import Context
from app.services.common import retrying
from app.services.order_review.commands import UpdatePayment
from app.services.order_review.holds import release
from app.services.order_review.policy import load_review_policy
from app.services.unit_of_work import UnitOfWork


@retrying
async def update_payment(cmd: UpdatePayment, uow: UnitOfWork, ctx: Context) -> Order:
    """Record a payment report. It stands as paid or authorised only when its amount covers
    the order total; below it, it is recorded as partial and the order keeps waiting. An order
    held for payment is released once it is paid or authorised in full."""
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        await _apply(uow, order, cmd)
        await uow.commit()
    return order


async def on_storefront_payment_reported(
    event: StorefrontPaymentReported, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: a shop's webhook reported a payment on an order Lading has; it is recorded
    as a payment reported through ``POST /orders/{id}/payment`` is (same rules, same events)."""
    order = await uow.orders.get_for_update_or_raise(event.entity_uuid)
    principal = Principal(
        subject_id=event.actor,
        name=event.actor.removeprefix("storefront:"),
        kind="storefront",
        roles=(),
        scopes=frozenset({ORDERS_PAYMENT}),
        channel=order.channel,
    )
    cmd = UpdatePayment(
        order_id=order.id,
        status=PaymentReport(event.status),
        reference=event.reference,
        amount=event.amount,
        currency=event.currency,
        principal=principal,
    )
    await _apply(uow, order, cmd)


async def _apply(uow: UnitOfWork, order: Order, cmd: UpdatePayment) -> None:
    _check(order, cmd)
    status = _record(uow, order, cmd)
    if status is PaymentStatus.PAID:
        await uow.reservations.clear_expiry(order.id)
    if status in payments.IN_PLACE and HoldCode.AWAITING_PAYMENT.value in order.holds:
        policy = await load_review_policy(uow)
        await release(
            uow,
            order,
            HoldCode.AWAITING_PAYMENT.value,
            f"payment {status}",
            cmd.principal,
            policy,
        )


def _check(order: Order, cmd: UpdatePayment) -> None:
    """Who may report, on an order still open, a report that fits the order."""
    payments.ensure_may_report(cmd.principal, order.channel)
    if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
        raise InvalidState(f"The order is {order.status}.", code="order_closed")
    violations = Violations()
    payments.check_report(
        cmd.status,
        cmd.amount,
        cmd.currency,
        order_currency=order.currency,
        violations=violations,
    )
    violations.raise_if_any("The payment does not fit the order.")


def _record(uow: UnitOfWork, order: Order, cmd: UpdatePayment) -> PaymentStatus | None:
    """Store the payment as it stands against the total and record the change."""
    before = {
        "payment_status": order.payment_status,
        "payment_reference": order.payment_reference,
        "payment_amount": jsonable(order.payment_amount),
    }
    status = payments.standing(cmd.status, cmd.amount, order.total)
    order.payment_status = status
    order.payment_reference = cmd.reference
    order.payment_amount = cmd.amount
    uow.record(
        OrderPaymentUpdated(
            actor=cmd.principal.actor,
            entity_id=order.id,
            before=before,
            after={
                "payment_status": status,
                "payment_reference": cmd.reference,
                "payment_amount": jsonable(cmd.amount),
                "reported_status": cmd.status.value,
                "covers_total": payments.covers(cmd.amount, order.total),
            },
        )
    )
    return status
