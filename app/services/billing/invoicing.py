"""Making invoices from shipments: lines priced as the order was, the lines' invoiced
quantities raised (never beyond shipped), one invoice per shipment ever (invariant 3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from app.adapters.einvoice.base import EInvoiceError
from app.domain import order_lines as lines_domain
from app.domain.billing.events import InvoiceDrafted, InvoiceIssueDeferred
from app.domain.billing.invoices import (
    InvoiceAmounts,
    InvoiceStatus,
    PricedLine,
    format_invoice_number,
    share,
)
from app.domain.billing.taxpayer import buyer_issues
from app.domain.errors import InvalidState
from app.domain.money import ZERO
from app.domain.shipments import DEPARTED
from app.repositories.base import snapshot
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice, InvoiceLine
from app.repositories.orders import Order, OrderLine
from app.repositories.shipments import Shipment
from app.services.billing.issuing import issue_invoice
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


async def invoice_shipments(
    uow: UnitOfWork,
    ctx: Context,
    customer: Customer,
    shipments: Sequence[Shipment],
    *,
    actor: str,
    source: str,
    invoice_type: str | None = None,
    period: tuple[date, date] | None = None,
    issue: bool = True,
) -> Invoice | None:
    """One invoice for the ``shipments`` (departed, of ``customer``, in one currency) not
    billed yet; None when every one of them already is. The caller holds the shipments'
    locks, so two transactions cannot bill one shipment (the ``invoiced_shipments`` key is the
    second line of defence)."""
    pending = [s for s in shipments if await uow.invoices.billing_of_shipment(s.id) is None]
    if not pending:
        return None
    for s in pending:
        if s.status not in DEPARTED:
            raise InvalidState(
                f"Shipment {s.number} is {s.status}; only shipped goods are invoiced.",
                code="shipment_not_shipped",
            )
    orders = await _locked_orders(uow, sorted({s.order_id for s in pending}, key=str))
    _check_one_customer(customer, orders)
    invoice = _new_invoice(customer, orders, actor, source, invoice_type, period)
    invoice.number = format_invoice_number(datetime.now(UTC).year, await uow.invoices.next_number())
    lines = await _bill(uow, invoice, pending, orders)
    uow.invoices.add(invoice, lines)
    uow.invoices.bill_shipments(invoice.id, [s.id for s in pending])
    await uow.flush()
    # An automatic invoice whose buyer details are not enough (a special invoice without the
    # full registration) stays a draft, the reason recorded: the shipment still confirms, and
    # issuing it later is refused until the customer's details are complete.
    held = buyer_issues(invoice.invoice_type, invoice.buyer) if source != "manual" else []
    after = snapshot(invoice)
    if held:
        after = {**after, "not_issued": [f"{i.field}: {i.message}" for i in held]}
    uow.record(InvoiceDrafted(actor=actor, entity_id=invoice.id, after=after))
    if issue and not held:
        await _issue(uow, ctx, invoice, actor, automatic=source != "manual")
    return invoice


async def _issue(
    uow: UnitOfWork, ctx: Context, invoice: Invoice, actor: str, *, automatic: bool
) -> None:
    """Issue the new invoice. An automatic one stays a draft when the e-invoice provider
    fails (nothing of the invoice was changed yet), so a provider outage never stops goods
    from being confirmed as shipped; a manual one answers the failure (502)."""
    if not automatic:
        await issue_invoice(uow, ctx, invoice, actor)
        return
    try:
        await issue_invoice(uow, ctx, invoice, actor)
    except EInvoiceError as exc:
        uow.record(
            InvoiceIssueDeferred(
                actor=actor,
                entity_id=invoice.id,
                after={"number": invoice.number, "reason": str(exc), "code": exc.code},
            )
        )


async def _locked_orders(uow: UnitOfWork, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, Order]:
    out = {}
    for order_id in order_ids:
        order = await uow.orders.get_for_update(order_id)
        assert order is not None
        out[order_id] = order
    return out


def _check_one_customer(customer: Customer, orders: dict[uuid.UUID, Order]) -> None:
    if any(o.customer_id != customer.id for o in orders.values()):
        raise InvalidState(
            "The shipments belong to more than one customer; an invoice bills one.",
            code="several_customers",
        )
    currencies = {o.currency for o in orders.values()}
    if len(currencies) > 1:
        raise InvalidState(
            f"The shipments' orders are in {sorted(currencies)}; an invoice has one currency.",
            code="several_currencies",
        )


def _new_invoice(
    customer: Customer,
    orders: dict[uuid.UUID, Order],
    actor: str,
    source: str,
    invoice_type: str | None,
    period: tuple[date, date] | None,
) -> Invoice:
    return Invoice(
        id=uuid.uuid4(),
        customer_id=customer.id,
        currency=next(iter(orders.values())).currency,
        status=InvoiceStatus.DRAFT.value,
        invoice_type=invoice_type or customer.invoice_type,
        source=source,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        buyer=customer.tax_registration,
        amount_paid=ZERO,
        amount_credited=ZERO,
        created_by=actor,
    )


async def _bill(
    uow: UnitOfWork,
    invoice: Invoice,
    shipments: Sequence[Shipment],
    orders: dict[uuid.UUID, Order],
) -> list[InvoiceLine]:
    """The invoice's lines, one per shipment line, each raising its order line's invoiced
    quantity as it is billed (a line shipped twice in one period is billed twice, in turn)."""
    order_lines = {o: await uow.orders.lines(o) for o in orders}
    by_id = {x.id: (o, x) for o, items in order_lines.items() for x in items}
    out: list[InvoiceLine] = []
    for s in sorted(shipments, key=lambda s: s.number):
        for sl in sorted(await uow.shipments.lines_of([s.id]), key=lambda x: x.line_no):
            order_id, ol = by_id[sl.order_line_id]
            amounts = share(_priced(ol), ol.quantity_invoiced, sl.quantity, invoice.currency)
            out.append(_line(invoice, len(out) + 1, ol, sl.quantity, s.id, amounts))
            lines_domain.invoice(orders[order_id], order_lines[order_id], [(ol.id, sl.quantity)])
    invoice.net_total = sum((x.net for x in out), ZERO)
    invoice.tax_total = sum((x.tax for x in out), ZERO)
    invoice.total = invoice.net_total + invoice.tax_total
    return out


def _priced(ol: OrderLine) -> PricedLine:
    return PricedLine(ol.quantity_ordered, ol.gross_before_discount, ol.discount, ol.net, ol.tax)


def _line(
    invoice: Invoice,
    line_no: int,
    ol: OrderLine,
    quantity: object,
    shipment_id: uuid.UUID,
    amounts: InvoiceAmounts,
) -> InvoiceLine:
    return InvoiceLine(
        invoice_id=invoice.id,
        line_no=line_no,
        order_id=ol.order_id,
        order_line_id=ol.id,
        shipment_id=shipment_id,
        sku=ol.sku,
        description=ol.name,
        quantity=quantity,
        unit_price=ol.unit_price,
        discount_percent=ol.discount_percent,
        tax_rate=ol.tax_rate,
        gross=amounts.gross,
        discount=amounts.discount,
        net=amounts.net,
        tax=amounts.tax,
        total=amounts.total,
    )
