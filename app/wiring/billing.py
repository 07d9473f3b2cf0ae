"""Order to cash on the bus: its commands, and its reactions to events of every area.

Every event that moves money (``MoneyEvent``) lists ``post_entry`` so the journal is written
in the same transaction; a test checks that none is missing."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.billing.events import (
    InvoiceIssued,
    InvoiceSettlementChanged,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundPaid,
)
from app.domain.events import (
    Event,
    OrderPaymentUpdated,
    OrderPlaced,
    ShipmentConfirmed,
    ShipmentDelivered,
)
from app.services.billing import invoices, payments, prepaid, reactions, refunds, reversals
from app.services.billing.commands import InvoiceShipments, IssueInvoice
from app.services.billing.payments_commands import (
    ApplyPayment,
    ReceivePayment,
    RefundCredit,
    ReversePayment,
    UnapplyPayment,
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
    PaymentUnapplied: [post_entry],
    PaymentReversed: [post_entry],
    RefundPaid: [post_entry],
    OrderPlaced: [prepaid.on_order_payment_reported],
    OrderPaymentUpdated: [prepaid.on_order_payment_reported],
}
# After the receivable is posted, the prepaid payments of the invoice's orders settle it.
REACTIONS[InvoiceIssued] = [*REACTIONS[InvoiceIssued], prepaid.on_invoice_issued]

COMMANDS: dict[type, CommandHandler] = {
    InvoiceShipments: invoices.invoice_selected_shipments,
    IssueInvoice: invoices.issue_draft,
    ReceivePayment: payments.receive,
    ApplyPayment: payments.apply_more,
    UnapplyPayment: reversals.unapply,
    ReversePayment: reversals.reverse,
    RefundCredit: refunds.refund_credit,
}
