"""Events of order to cash. Those that move money carry the journal entry they post
(``posting``); the ledger's reaction writes it in the same transaction (invariant 9)."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.billing.ledger import Posting
from app.domain.events import Event


@dataclass(frozen=True, kw_only=True)
class MoneyEvent(Event):
    """An event that posts a journal entry. ``customer_id`` is the sub-ledger of its
    receivable and customer-credit legs."""

    posting: Posting | None = None
    customer_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InvoiceDrafted(Event):
    entity_type: str = "invoice"
    action: str = "drafted"
    topic: str | None = "invoice.drafted"


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(MoneyEvent):
    entity_type: str = "invoice"
    action: str = "issued"
    topic: str | None = "invoice.issued"


@dataclass(frozen=True, kw_only=True)
class InvoiceVoided(Event):
    entity_type: str = "invoice"
    action: str = "voided"
    topic: str | None = "invoice.voided"


@dataclass(frozen=True, kw_only=True)
class InvoiceOverdue(Event):
    entity_type: str = "invoice"
    action: str = "overdue"
    topic: str | None = "invoice.overdue"


@dataclass(frozen=True, kw_only=True)
class InvoiceSettlementChanged(Event):
    """Payments or credit applied to (or taken off) these invoices: the orders they bill
    derive their billing status again (reaction). ``entity_id`` is one invoice."""

    entity_type: str = "invoice"
    action: str = "settlement_changed"
    audited: bool = False


@dataclass(frozen=True, kw_only=True)
class PaymentReceived(MoneyEvent):
    entity_type: str = "payment"
    action: str = "received"
    topic: str | None = "payment.received"


@dataclass(frozen=True, kw_only=True)
class PaymentApplied(MoneyEvent):
    entity_type: str = "payment"
    action: str = "applied"
    topic: str | None = "payment.applied"


@dataclass(frozen=True, kw_only=True)
class PaymentUnapplied(MoneyEvent):
    entity_type: str = "payment"
    action: str = "unapplied"
    topic: str | None = "payment.unapplied"


@dataclass(frozen=True, kw_only=True)
class PaymentReversed(MoneyEvent):
    entity_type: str = "payment"
    action: str = "reversed"
    topic: str | None = "payment.reversed"


@dataclass(frozen=True, kw_only=True)
class RefundPaid(MoneyEvent):
    entity_type: str = "refund"
    action: str = "paid"
    topic: str | None = "refund.paid"


@dataclass(frozen=True, kw_only=True)
class CreditNoteIssued(MoneyEvent):
    entity_type: str = "credit_note"
    action: str = "issued"
    topic: str | None = "credit_note.issued"


@dataclass(frozen=True, kw_only=True)
class CreditNoteApplied(MoneyEvent):
    entity_type: str = "credit_note"
    action: str = "applied"
    topic: str | None = "credit_note.applied"


@dataclass(frozen=True, kw_only=True)
class BankStatementImported(Event):
    entity_type: str = "bank_statement"
    action: str = "imported"


@dataclass(frozen=True, kw_only=True)
class BankLineMatched(Event):
    """A bank statement line became a payment (matched on import or by finance)."""

    entity_type: str = "bank_statement_line"
    action: str = "matched"


@dataclass(frozen=True, kw_only=True)
class BankLineIgnored(Event):
    """Finance set a line aside (not a customer's payment); the payload gives the reason."""

    entity_type: str = "bank_statement_line"
    action: str = "ignored"


@dataclass(frozen=True, kw_only=True)
class InvoiceIssueDeferred(Event):
    """An automatic invoice stays a draft: the e-invoice provider failed while the shipment
    was confirmed (the shipment still confirms; finance issues the draft later)."""

    entity_type: str = "invoice"
    action: str = "issue_deferred"
