"""Resolving a received return with a new order, linked to it (``external_ref`` is the RMA
number, ``resolution_order_id`` on the return) and submitted to review, allocation and
shipping as any order:

- a replacement sends what arrived again at no charge (``returns:write``);
- an exchange sends the SKUs the return named instead, at the customer's price. Its goods are
  credited by billing's reaction to the return resolved as an exchange, and that credit
  settles the new order's invoice when it is issued, so the price difference is invoiced or
  stays the customer's credit. It issues a credit note: a finance decision
  (``invoices:write``).

Locks as billing and returns take them: the invoice (an exchange), the order, the return.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from app.domain.after_sales import resolution as rules
from app.domain.after_sales.returns import ReturnResolution
from app.domain.auth import Principal
from app.domain.events import ReturnResolved
from app.domain.money import ZERO
from app.domain.orders import Channel, RequestedLine
from app.domain.pricing import PriceSource, ResolvedPrice, price_line
from app.repositories.orders import Order
from app.repositories.products import Product
from app.repositories.returns import Return, ReturnLine, return_image
from app.services.bus import Context
from app.services.common import retrying
from app.services.orders.commands import CustomerRef, ExchangeReturn, PlaceOrder, ReplaceReturn
from app.services.orders.intake import ordering_customer
from app.services.orders.place import enter, new_order
from app.services.orders.pricing import PricedLine, price_requested_lines
from app.services.orders.queries import OrderView
from app.services.unit_of_work import UnitOfWork

RETURNS_WRITE = "returns:write"
INVOICES_WRITE = "invoices:write"


@dataclass(frozen=True)
class ResolutionOrder:
    """The resolved return (and its lines), its new order and, for an exchange, the price
    difference (above zero the customer pays it, below zero it stays their credit)."""

    ret: Return
    lines: list[ReturnLine]
    order: OrderView
    price_difference: Decimal | None = None


@dataclass(frozen=True)
class _Taken:
    order: Order
    ret: Return
    lines: list[ReturnLine]


async def _lock(uow: UnitOfWork, return_id: uuid.UUID, *, invoice: bool) -> _Taken:
    found = await uow.returns.get_or_raise(return_id)
    if invoice:  # the exchange's credit note is billed on it
        billed = await uow.invoices.issued_lines_of(
            [x.order_line_id for x in await uow.returns.lines(found.id)]
        )
        await uow.invoices.get_for_update_or_raise(
            rules.billing_invoice([x.invoice_id for x in billed])
        )
    order = await uow.orders.get_for_update(found.order_id)
    assert order is not None
    ret = await uow.returns.get_for_update_or_raise(found.id)
    return _Taken(order, ret, await uow.returns.lines(ret.id))


@retrying
async def replace_return(cmd: ReplaceReturn, uow: UnitOfWork, ctx: Context) -> ResolutionOrder:
    """A new order of what arrived, at no charge (409 ``return_not_received``,
    ``resolution_not_requested``)."""
    cmd.principal.require(RETURNS_WRITE)
    async with uow:
        taken = await _lock(uow, cmd.return_id, invoice=False)
        rules.check_resolvable(taken.ret.status, taken.ret.resolution, ReturnResolution.REPLACEMENT)
        arrived = [(x, rules.arrived(x)) for x in taken.lines if rules.arrived(x) > 0]
        rules.check_something_arrived([q for _, q in arrived])
        products = await uow.products.get_many_by_sku([x.sku for x, _ in arrived])
        currency = taken.order.currency
        include_tax = ctx.settings.prices_include_tax
        priced = [_free(products[x.sku], q, currency, include_tax) for x, q in arrived]
        requested = [RequestedLine(x.sku, q) for x, q in arrived]
        placed, _ = await _place(
            uow, cmd.principal, taken, requested, priced, ReturnResolution.REPLACEMENT
        )
        await uow.commit()
        return ResolutionOrder(taken.ret, taken.lines, placed)


@retrying
async def exchange_return(cmd: ExchangeReturn, uow: UnitOfWork, ctx: Context) -> ResolutionOrder:
    """A new order of the SKUs asked for instead of what arrived; billing credits what
    arrived (409 ``return_not_received``, ``return_not_invoiced``)."""
    cmd.principal.require(RETURNS_WRITE)
    cmd.principal.require(INVOICES_WRITE)
    async with uow:
        taken = await _lock(uow, cmd.return_id, invoice=True)
        rules.check_resolvable(taken.ret.status, taken.ret.resolution, ReturnResolution.EXCHANGE)
        rules.check_something_arrived([rules.arrived(x) for x in taken.lines])
        requested = []
        for x in taken.lines:
            if rules.arrived(x) > 0 and x.exchange_product_id is not None:
                product = await uow.products.get_or_raise(x.exchange_product_id)
                requested.append(RequestedLine(product.sku, rules.arrived(x)))
        customer = await ordering_customer(uow, CustomerRef(id=taken.order.customer_id))
        priced = await price_requested_lines(
            uow,
            customer=customer,
            currency=taken.order.currency,
            requested=requested,
            order_discount_percent=ZERO,
            on=datetime.now(UTC).date(),
            tax_inclusive=ctx.settings.prices_include_tax,
            principal=cmd.principal,
        )
        placed, resolved = await _place(
            uow, cmd.principal, taken, requested, priced, ReturnResolution.EXCHANGE
        )
        await uow.commit()
    credited = sum(resolved.results, ZERO)  # billing's reaction: the credit note's total
    difference = rules.price_difference(placed.order.total, credited)
    return ResolutionOrder(taken.ret, taken.lines, placed, difference)


def _free(product: Product, quantity: Decimal, currency: str, tax_incl: bool) -> PricedLine:
    amounts = price_line(
        quantity, ZERO, tax_rate=product.tax_rate, currency=currency, tax_inclusive=tax_incl
    )
    price = ResolvedPrice(ZERO, PriceSource.REPLACEMENT)
    return PricedLine(product, quantity, price, ZERO, False, amounts)


async def _place(
    uow: UnitOfWork,
    principal: Principal,
    taken: _Taken,
    requested: list[RequestedLine],
    priced: list[PricedLine],
    doing: ReturnResolution,
) -> tuple[OrderView, ReturnResolved]:
    """The new order, placed and submitted; the return resolved with it (and its event)."""
    ret, original = taken.ret, taken.order
    cmd = _command(principal, original, ret.number, requested, doing)
    customer = await ordering_customer(uow, cmd.customer)
    now = datetime.now(UTC)
    address = dict(original.ship_to)
    order, lines = await new_order(uow, cmd, customer, original.currency, address, priced, now)
    before = return_image(ret, taken.lines)
    enter(uow, cmd, order, lines, None, now)
    ret.resolution_order_id = order.id
    rules.resolve(ret, doing, principal.actor, now)
    event = ReturnResolved(
        actor=principal.actor,
        entity_id=ret.id,
        before=before,
        after=lambda: return_image(ret, taken.lines),
    )
    uow.record(event)
    return OrderView(order, lines), event


def _command(
    principal: Principal,
    original: Order,
    number: str,
    requested: list[RequestedLine],
    doing: ReturnResolution,
) -> PlaceOrder:
    what = "Replacement" if doing == ReturnResolution.REPLACEMENT else "Exchange"
    return PlaceOrder(
        principal=principal,
        channel=Channel.MANUAL,
        external_ref=number,
        customer=CustomerRef(id=original.customer_id),
        ship_to=original.ship_to,
        currency=original.currency,
        lines=tuple(requested),
        priority=original.priority,
        notes=f"{what} for {number} (order {original.number})",
        submit=True,
    )
