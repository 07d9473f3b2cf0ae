"""Order to cash on the bus: its commands, and its reactions to events of every area.

Every event that moves money (``MoneyEvent``) lists ``post_entry`` so the journal is written
in the same transaction; a test checks that none is missing."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.billing.events import (
    CreditNoteApplied,
    CreditNoteIssued,
    InvoiceIssued,
    InvoiceSettlementChanged,
    PaymentApplied,
    PaymentReceived,
)
from app.domain.events import Event, ShipmentConfirmed, ShipmentDelivered
from app.services.billing import credit_note_handlers, invoices, reactions, voiding
from app.services.billing.commands import InvoiceShipments, IssueInvoice
from app.services.billing.credit_note_commands import (
    ApplyCreditNote,
    CreateCreditNote,
    VoidInvoice,
)
from app.services.bus import CommandHandler, EventHandler
from app.services.ledger.posting import post_entry

REACTIONS: dict[type[Event], Sequence[EventHandler]] = {
    ShipmentConfirmed: [reactions.on_shipment_confirmed],
    ShipmentDelivered: [reactions.on_shipment_delivered],
    InvoiceIssued: [post_entry],
    InvoiceSettlementChanged: [reactions.on_settlement_changed],
    PaymentReceived: [post_entry],
    PaymentApplied: [post_entry],
    CreditNoteIssued: [post_entry],
    CreditNoteApplied: [post_entry],
}

COMMANDS: dict[type, CommandHandler] = {
    InvoiceShipments: invoices.invoice_selected_shipments,
    IssueInvoice: invoices.issue_draft,
    VoidInvoice: voiding.void_invoice,
    CreateCreditNote: credit_note_handlers.create_credit_note,
    ApplyCreditNote: credit_note_handlers.apply_credit_note,
}
