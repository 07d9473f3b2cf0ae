"""Credit notes (红字发票): what finance asks for and reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from app.domain.auth import Principal
from app.schemas.common import AmountOut, DecimalOut, NonNegativeMoney, Quantity, Schema
from app.services.billing.credit_note_commands import (
    ApplyCreditNote,
    CreateCreditNote,
    CreditLine,
    VoidInvoice,
)


class CreditNoteReason(StrEnum):
    RETURNED_GOODS = "returned_goods"
    PRICE_ADJUSTMENT = "price_adjustment"
    DISCOUNT = "discount"


class CreditNoteLineCreate(Schema):
    invoice_line_id: uuid.UUID = Field(description="A line of the invoice the note corrects")
    quantity: Quantity | None = Field(
        default=None, description="Returned goods: the quantity returned of the line"
    )
    amount: NonNegativeMoney | None = Field(
        default=None, description="Price adjustment or discount: the net amount credited"
    )


class CreditNoteCreate(Schema):
    """A credit note against an issued invoice; it never credits more than a line's total."""

    invoice_id: uuid.UUID
    reason: CreditNoteReason
    note: str | None = Field(default=None, max_length=500)
    lines: list[CreditNoteLineCreate] = Field(min_length=1, max_length=500)
    apply: bool = Field(
        default=True,
        description="Apply to the invoice's balance; what does not fit stays customer credit",
    )

    def to_command(self, principal: Principal, idempotency_key: str | None) -> CreateCreditNote:
        return CreateCreditNote(
            principal=principal,
            invoice_id=self.invoice_id,
            reason=self.reason.value,
            note=self.note,
            lines=tuple(
                CreditLine(invoice_line_id=x.invoice_line_id, quantity=x.quantity, amount=x.amount)
                for x in self.lines
            ),
            apply=self.apply,
            idempotency_key=idempotency_key,
        )


class CreditApplicationCreate(Schema):
    """Apply part of the note to another open invoice of the same customer and currency."""

    invoice_id: uuid.UUID
    amount: NonNegativeMoney

    def to_command(self, principal: Principal, credit_note_id: uuid.UUID) -> ApplyCreditNote:
        return ApplyCreditNote(
            principal=principal,
            credit_note_id=credit_note_id,
            invoice_id=self.invoice_id,
            amount=self.amount,
        )


class InvoiceVoid(Schema):
    """Why the invoice is voided (kept on it and on its red-letter note)."""

    reason: str = Field(min_length=1, max_length=500)

    def to_command(self, principal: Principal, invoice_id: uuid.UUID) -> VoidInvoice:
        return VoidInvoice(principal=principal, invoice_id=invoice_id, reason=self.reason)


class CreditNoteLineRead(Schema):
    line_no: int
    invoice_line_id: uuid.UUID | None
    description: str
    quantity: DecimalOut
    tax_rate: DecimalOut
    net: AmountOut
    tax: AmountOut
    total: AmountOut


class CreditApplicationRead(Schema):
    invoice_id: uuid.UUID
    amount: AmountOut
    applied_at: datetime
    reversed_at: datetime | None


class CreditNoteRead(Schema):
    id: uuid.UUID
    number: str
    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    reason: str = Field(description="returned_goods, price_adjustment, discount or void")
    note: str | None
    issue_date: date
    net_total: AmountOut
    tax_total: AmountOut
    total: AmountOut
    amount_applied: AmountOut
    amount_refunded: AmountOut
    unapplied: AmountOut = Field(description="The customer's credit still to apply or refund")
    provider_number: str | None
    provider_url: str | None
    created_at: datetime
    lines: list[CreditNoteLineRead]
    applications: list[CreditApplicationRead]
