"""Administration: the invariant check."""

from __future__ import annotations

from pydantic import Field

from app.schemas.common import Schema


class InvariantViolation(Schema):
    warehouse_id: str | None
    product_id: str | None
    order_line_id: str | None = None
    record_type: str | None = Field(
        default=None,
        description="The kind of record at fault otherwise: invoice, payment, credit_note, "
        "journal_entry, customer, journal",
    )
    record_id: str | None = None
    rule: str = Field(
        description="e.g. ledger_mismatch, over_reserved, level_missing, "
        "reservation_ledger_mismatch, line_reservations_mismatch, line_quantities, "
        "entry_unbalanced, journal_unbalanced, receivable_mismatch, invoice_paid_mismatch, "
        "invoice_credited_mismatch, invoice_over_applied, payment_applied_mismatch, "
        "payment_over_used, credit_note_applied_mismatch, credit_note_over_used"
    )
    detail: str


class CheckReport(Schema):
    ok: bool = Field(description="True when every invariant holds")
    count: int = Field(description="How many violations were found")
    violations: list[InvariantViolation] = Field(description="The first `limit` of them")
