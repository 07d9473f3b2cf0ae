"""Invoice commands: invoice selected shipments by hand, issue a draft."""

from __future__ import annotations

from app.domain.errors import InvalidState
from app.services.billing.commands import InvoiceShipments, IssueInvoice
from app.services.billing.invoicing import invoice_shipments
from app.services.billing.issuing import issue_invoice
from app.services.billing.queries import InvoiceView, load_view
from app.services.bus import Context
from app.services.common import check_version, retrying
from app.services.unit_of_work import UnitOfWork

INVOICES_WRITE = "invoices:write"


@retrying
async def invoice_selected_shipments(
    cmd: InvoiceShipments, uow: UnitOfWork, ctx: Context
) -> InvoiceView:
    """One invoice for the given shipments (confirmed, one customer, one currency). Asked
    again for shipments already billed by one invoice, it returns that invoice."""
    cmd.principal.require(INVOICES_WRITE)
    async with uow:
        shipments = []
        for shipment_id in sorted(set(cmd.shipment_ids), key=str):
            shipments.append(await uow.shipments.get_for_update_or_raise(shipment_id))
        order = await uow.orders.get_or_raise(shipments[0].order_id)
        customer = await uow.customers.get_or_raise(order.customer_id)
        invoice = await invoice_shipments(
            uow,
            ctx,
            customer,
            shipments,
            actor=cmd.principal.actor,
            source="manual",
            invoice_type=cmd.invoice_type,
            issue=cmd.issue,
        )
        if invoice is None:
            billed = {await uow.invoices.billing_of_shipment(s.id) for s in shipments}
            if len(billed) != 1:
                raise InvalidState(
                    "These shipments are already billed, by different invoices.",
                    code="already_invoiced",
                )
            invoice = await uow.invoices.get_or_raise(billed.pop())  # type: ignore[arg-type]
        await uow.commit()
        return await load_view(uow, invoice)


@retrying
async def issue_draft(cmd: IssueInvoice, uow: UnitOfWork, ctx: Context) -> InvoiceView:
    """Issue a draft invoice (finance checked it)."""
    cmd.principal.require(INVOICES_WRITE)
    async with uow:
        invoice = await uow.invoices.get_for_update_or_raise(cmd.invoice_id)
        if cmd.expected_version is not None:
            check_version(invoice, cmd.expected_version)
        await issue_invoice(uow, ctx, invoice, cmd.principal.actor)
        await uow.commit()
        return await load_view(uow, invoice)
