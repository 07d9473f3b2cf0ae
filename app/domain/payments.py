"""Payments reported on orders: who may report one, what it must cover, and what it earns.

A payment is reported (at intake, or later by ``POST /orders/{id}/payment``) as unpaid,
authorised or paid, with the amount paid or authorised so far — a state, not an increment —
in the order's currency. It counts only when it covers the order's total: a paid or authorised
payment below the total stands as *partially* paid or authorised, keeps the order waiting for
payment and never exempts it from the credit rule. The same rule is applied again whenever the
total changes (an edited order), so the standing can move both ways.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from app.domain.auth import ORDERS_PAYMENT, Principal
from app.domain.errors import PermissionDenied, Violations
from app.domain.orders import PREPAID_CHANNELS, Channel, PaymentStatus


class PaymentReport(StrEnum):
    """What a reporter may say; whether it is partial is decided here, from the amount."""

    UNPAID = "unpaid"
    AUTHORIZED = "authorized"
    PAID = "paid"


_PARTIAL = {
    PaymentStatus.PAID: PaymentStatus.PARTIALLY_PAID,
    PaymentStatus.AUTHORIZED: PaymentStatus.PARTIALLY_AUTHORIZED,
}
_WHOLE = {partial: whole for whole, partial in _PARTIAL.items()}
IN_PLACE = frozenset(_PARTIAL)  # what releases an order waiting for payment


def covers(amount: Decimal | None, total: Decimal) -> bool:
    """A payment covers the order when its amount is at least the total (same currency)."""
    return amount is not None and amount >= total


def standing(status: str | None, amount: Decimal | None, total: Decimal) -> PaymentStatus | None:
    """The status a payment (reported or stored) stands at against ``total``."""
    if status is None:
        return None
    whole = _WHOLE.get(PaymentStatus(status), PaymentStatus(status))
    if whole in _PARTIAL and not covers(amount, total):
        return _PARTIAL[whole]
    return whole


def fully_paid(status: str | None, amount: Decimal | None, total: Decimal) -> bool:
    """Paid in full in advance: the only payment that takes the credit risk away."""
    return standing(status, amount, total) is PaymentStatus.PAID


def ensure_may_report(principal: Principal, channel: str) -> None:
    """Payments are reported by holders of ``orders:payment`` (the finance role, storefront
    keys). A key reports only for orders of the channel it is bound to; a key bound to no
    channel reports none."""
    principal.require(ORDERS_PAYMENT)
    if principal.kind == "api_key" and principal.channel != channel:
        raise PermissionDenied(
            f"This API key may report payments only for orders of its own channel "
            f"({principal.channel or 'none'}), not for {channel} orders."
        )


def check_report(
    report: PaymentReport,
    amount: Decimal | None,
    currency: str | None,
    *,
    order_currency: str,
    violations: Violations,
    prefix: str = "",
) -> None:
    """A paid or authorised report names its amount, in the order's currency."""
    if currency is not None and currency != order_currency:
        violations.add(
            f"{prefix}currency",
            "currency",
            f"The payment is in {currency} but the order is in {order_currency}.",
        )
    if report is not PaymentReport.UNPAID and amount is None:
        violations.add(
            f"{prefix}amount", "covers_total", f"A {report} payment must state its amount."
        )


def check_intake(
    report: PaymentReport,
    amount: Decimal | None,
    currency: str | None,
    *,
    channel: Channel,
    order_currency: str,
    total: Decimal,
    violations: Violations,
) -> None:
    """A payment given with a new order: prepaid channels only, and a paid or authorised one
    covers the whole total (a storefront sends an order once it is paid)."""
    if channel not in PREPAID_CHANNELS:
        violations.add(
            "payment",
            "prepaid_channel_only",
            f"A payment is given at intake only on prepaid channels, not on {channel} orders.",
        )
        return
    check_report(
        report,
        amount,
        currency,
        order_currency=order_currency,
        violations=violations,
        prefix="payment.",
    )
    if report is not PaymentReport.UNPAID and amount is not None and not covers(amount, total):
        violations.add(
            "payment.amount",
            "covers_total",
            f"A {report} payment of {amount} does not cover the order total {total}.",
        )
