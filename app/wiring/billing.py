"""Order to cash on the bus: its commands, and its reactions to events of every area.

Every event that moves money (``MoneyEvent``) lists ``post_entry`` so the journal is written
in the same transaction; a test checks that none is missing."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.billing.events import (
    CreditNoteApplied,
    InvoiceIssued,
    InvoiceSettlementChanged,
    PaymentApplied,
    PaymentReceived,
)
from app.domain.events import Event, ShipmentConfirmed, ShipmentDelivered
from app.services.billing import invoices, reactions
from app.services.billing.commands import InvoiceShipments, IssueInvoice
from app.services.billing.overdue import raise_overdue_invoices
from app.services.billing.overdue_commands import RaiseOverdueInvoices
from app.services.bus import CommandHandler, EventHandler
from app.services.ledger.posting import post_entry
from app.services.order_review.recheck import on_money_applied

REACTIONS: dict[type[Event], Sequence[EventHandler]] = {
    ShipmentConfirmed: [reactions.on_shipment_confirmed],
    ShipmentDelivered: [reactions.on_shipment_delivered],
    InvoiceIssued: [post_entry],
    InvoiceSettlementChanged: [reactions.on_settlement_changed],
    PaymentReceived: [post_entry],
    PaymentApplied: [post_entry],
}
# Money applied to a customer's invoices re-checks its orders held for credit (after the
# entry is posted; added to whatever else reacts to these events).
for _applied in (PaymentApplied, CreditNoteApplied):
    REACTIONS[_applied] = [*REACTIONS.get(_applied, ()), on_money_applied]

COMMANDS: dict[type, CommandHandler] = {
    InvoiceShipments: invoices.invoice_selected_shipments,
    IssueInvoice: invoices.issue_draft,
    RaiseOverdueInvoices: raise_overdue_invoices,
}
