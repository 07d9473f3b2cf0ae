"""Order to cash on the bus: its commands (its reactions are in ``app/bootstrap.py``)."""

from __future__ import annotations

from app.services.billing import (
    credit_note_handlers,
    invoices,
    payments,
    refunds,
    reversals,
    voiding,
)
from app.services.billing.bank_commands import (
    IgnoreBankLine,
    ImportBankStatement,
    MatchBankLine,
    ignore_line,
    match_line,
)
from app.services.billing.bank_import import import_statement
from app.services.billing.commands import InvoiceShipments, IssueInvoice
from app.services.billing.credit_note_commands import (
    ApplyCreditNote,
    CreateCreditNote,
    VoidInvoice,
)
from app.services.billing.overdue import raise_overdue_invoices
from app.services.billing.overdue_commands import RaiseOverdueInvoices
from app.services.billing.payments_commands import (
    ApplyPayment,
    ReceivePayment,
    RefundCredit,
    ReversePayment,
    UnapplyPayment,
)
from app.services.billing.periodic import invoice_customer_period, run_periodic_invoicing
from app.services.billing.periodic_commands import InvoiceCustomerPeriod, RunPeriodicInvoicing
from app.services.billing.return_commands import RefundReturn
from app.services.billing.return_refunds import refund_return
from app.services.bus import CommandHandler

COMMANDS: dict[type, CommandHandler] = {
    RefundReturn: refund_return,
    InvoiceShipments: invoices.invoice_selected_shipments,
    IssueInvoice: invoices.issue_draft,
    RaiseOverdueInvoices: raise_overdue_invoices,
    ImportBankStatement: import_statement,
    MatchBankLine: match_line,
    IgnoreBankLine: ignore_line,
    RunPeriodicInvoicing: run_periodic_invoicing,
    InvoiceCustomerPeriod: invoice_customer_period,
    VoidInvoice: voiding.void_invoice,
    CreateCreditNote: credit_note_handlers.create_credit_note,
    ApplyCreditNote: credit_note_handlers.apply_credit_note,
    ReceivePayment: payments.receive,
    ApplyPayment: payments.apply_more,
    UnapplyPayment: reversals.unapply,
    ReversePayment: reversals.reverse,
    RefundCredit: refunds.refund_credit,
}
