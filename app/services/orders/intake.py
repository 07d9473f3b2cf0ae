"""What placing and editing an order share: the customer, the ship-to, the intake rules,
applying the priced lines to the order, the payment given with it, and the events' payload."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from app.domain import payments
from app.domain.errors import FieldIssue, RuleViolation, UnknownReference, Violations
from app.domain.money import ZERO
from app.domain.orders import PREPAID_CHANNELS, PaymentStatus, RequestedLine, check_intake
from app.domain.pricing import order_totals
from app.repositories.base import jsonable, snapshot
from app.repositories.customers import Customer
from app.repositories.orders import Order, OrderLine
from app.services.orders.commands import CustomerRef, PlaceOrder
from app.services.orders.pricing import PricedLine
from app.services.unit_of_work import UnitOfWork


def order_payload(order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    """The outbox payload of order events: enough for a receiver to act without calling back."""
    data = snapshot(order)
    data["lines"] = [
        {
            "sku": x.sku,
            "quantity": str(x.quantity_ordered),
            "unit_price": str(x.unit_price),
            "total": str(x.total),
        }
        for x in lines
    ]
    return data


def check_request(
    *, line_count: int, max_lines: int, requested_delivery_date: date | None, today: date
) -> None:
    """The intake rules that need nothing but the request (every broken one at once)."""
    violations = Violations()
    check_intake(
        line_count=line_count,
        max_lines=max_lines,
        requested_delivery_date=requested_delivery_date,
        today=today,
        violations=violations,
    )
    violations.raise_if_any()


async def ordering_customer(uow: UnitOfWork, ref: CustomerRef) -> Customer:
    """The customer named by ``ref``, who must be active and not blocked."""
    if ref.id:
        customer = await uow.customers.get(ref.id)
    else:
        customer = await uow.customers.get_by_code(ref.code or "")
    if customer is None:
        raise UnknownReference.on("customer", "exists", "No such customer.")
    if not customer.active or customer.status == "blocked":
        raise RuleViolation(
            f"Customer {customer.code} is {'blocked' if customer.active else 'inactive'} "
            "and cannot place orders.",
            code="customer_blocked",
            issues=[FieldIssue("customer", "customer_blocked", "The customer is blocked.")],
        )
    return customer


async def check_currency(uow: UnitOfWork, customer: Customer, currency: str) -> None:
    """An order is in the currency of the customer's price list, when it has one."""
    if customer.price_list_id is None:
        return
    price_list = await uow.price_lists.get(customer.price_list_id)
    list_currency = price_list.currency if price_list else None
    if list_currency is not None and list_currency != currency:
        raise RuleViolation.on(
            "currency",
            "currency_mismatch",
            f"The order is in {currency} but the customer's price list is in {list_currency}.",
        )


def ship_to(
    customer: Customer, address: Mapping[str, Any] | None, ship_to_id: str | None
) -> dict[str, Any]:
    """The address given, else the customer's ship-to named by id, else its default one."""
    if address is not None:
        return dict(jsonable(dict(address)))
    candidates = customer.ship_to or []
    if ship_to_id is not None:
        for entry in candidates:
            if entry.get("id") == ship_to_id:
                return dict(entry)
        raise UnknownReference.on("ship_to_id", "exists", "The customer has no such ship-to.")
    for entry in candidates:
        if entry.get("is_default"):
            return dict(entry)
    if candidates:
        return dict(candidates[0])
    raise RuleViolation.on(
        "ship_to", "required", "Give a ship-to address: the customer has no default ship-to."
    )


def requested_again(lines: Iterable[OrderLine]) -> list[RequestedLine]:
    """An order's lines as requested: overridden prices stay, the others are resolved anew."""
    return [
        RequestedLine(
            x.sku,
            x.quantity_ordered,
            x.unit_price if x.price_source == "override" else None,
            x.discount_percent,
        )
        for x in lines
    ]


def _line(order: Order, no: int, p: PricedLine) -> OrderLine:
    a = p.amounts
    return OrderLine(
        id=uuid.uuid4(),
        order_id=order.id,
        line_no=no,
        product_id=p.product.id,
        sku=p.product.sku,
        name=p.product.name,
        quantity_ordered=p.quantity,
        quantity_reserved=ZERO,
        quantity_shipped=ZERO,
        quantity_delivered=ZERO,
        quantity_invoiced=ZERO,
        quantity_returned=ZERO,
        quantity_credited=ZERO,
        unit_price=p.price.unit_price,
        price_source=p.price.source.value,
        below_floor=p.below_floor,
        discount_percent=p.discount_percent,
        tax_rate=p.product.tax_rate,
        gross_before_discount=a.gross_before_discount,
        discount=a.discount,
        net=a.net,
        tax=a.tax,
        total=a.total,
    )


def apply_pricing(order: Order, priced: list[PricedLine]) -> list[OrderLine]:
    """New lines for ``order`` from ``priced``, and the order's totals from them."""
    lines = [_line(order, no, p) for no, p in enumerate(priced, start=1)]
    totals = order_totals(p.amounts for p in priced)
    order.gross_before_discount = totals.gross_before_discount
    order.discount_total = totals.discount
    order.net_total = totals.net
    order.tax_total = totals.tax
    order.total = totals.total
    order.requires_price_approval = any(p.below_floor for p in priced)
    return lines


def take_payment(order: Order, cmd: PlaceOrder) -> None:
    """The payment given with the order, checked against its total (a prepaid order given
    none is unpaid)."""
    payment = cmd.payment
    if payment is None:
        if cmd.channel in PREPAID_CHANNELS:
            order.payment_status = PaymentStatus.UNPAID.value
        return
    violations = Violations()
    payments.check_intake(
        payment.status,
        payment.amount,
        payment.currency,
        channel=cmd.channel,
        order_currency=order.currency,
        total=order.total,
        violations=violations,
    )
    violations.raise_if_any("The payment does not fit the order.")
    order.payment_status = payments.standing(payment.status, payment.amount, order.total)
    order.payment_reference = payment.reference
    order.payment_amount = payment.amount
